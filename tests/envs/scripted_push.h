#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <span>

namespace uw::test {

// Distances (m) of a scripted push, for the object's size and the pusher's.
struct PushPlan {
  double front = 0.15;   // within this of the push line in front of the object: step aside
  double aside = 0.18;   // how far aside
  double beside = 0.07;  // closer than this behind the object: go round
  double behind = 0.12;  // where to line up behind it
  double round = 0.16;   // how wide to go round
};

// Where a scripted pusher heads next, for an observation that starts with the pusher's
// (x, y, vx, vy) and has the object's (x, y) at [4, 6): in front of the object it steps aside,
// beside it goes round to behind, behind it lines up with the goal, then pushes through.
inline std::array<double, 2> push_target(std::span<const float> o, std::span<const float> goal,
                                         const PushPlan& plan) {
  // unit vector from the object to the goal, its normal, and the pusher in that frame
  const double length = std::max(1e-6, double(std::hypot(goal[0] - o[4], goal[1] - o[5])));
  const double dx = (goal[0] - o[4]) / length, dy = (goal[1] - o[5]) / length;
  const double along = (o[0] - o[4]) * dx + (o[1] - o[5]) * dy;
  const double across = -(o[0] - o[4]) * dy + (o[1] - o[5]) * dx;
  const double side = across >= 0 ? 1 : -1;
  double ta = 0.05, tc = 0;  // target in the frame: push through the object by default
  if (along > 0 && std::abs(across) < plan.front) {
    ta = along, tc = plan.aside * side;
  } else if (along > -plan.beside) {
    ta = -plan.behind, tc = plan.round * side;
  } else if (std::abs(across) > 0.02) {
    ta = -plan.behind, tc = 0;
  }
  return {o[4] + ta * dx - tc * dy, o[5] + ta * dy + tc * dx};
}

}  // namespace uw::test
