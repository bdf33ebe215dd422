#include "envs/push_layout.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace uw::envs {

PushLayout sample_push_layout(Rng& rng) {
  PushLayout l{};
  l.object_x = rng.uniform(-0.25, 0.25);
  l.object_y = rng.uniform(-0.25, 0.25);
  l.object_yaw = rng.uniform(-std::numbers::pi, std::numbers::pi);
  do {
    l.pusher_x = rng.uniform(-0.4, 0.4);
    l.pusher_y = rng.uniform(-0.4, 0.4);
  } while (std::hypot(l.pusher_x - l.object_x, l.pusher_y - l.object_y) < 0.16);
  do {
    l.goal_x = rng.uniform(-0.35, 0.35);
    l.goal_y = rng.uniform(-0.35, 0.35);
  } while (std::hypot(l.goal_x - l.object_x, l.goal_y - l.object_y) < 0.15);
  return l;
}

double push_cost(double pusher_x, double pusher_y, double object_x, double object_y,
                 double goal_x, double goal_y, double reach) {
  constexpr double kApproachWeight = 0.5;
  const double to_goal = std::hypot(goal_x - object_x, goal_y - object_y);
  if (to_goal < 1e-6) {  // on the goal: no side to come from, only nearness
    return kApproachWeight *
           std::max(0.0, std::hypot(pusher_x - object_x, pusher_y - object_y) - reach);
  }
  const double start_x = object_x - reach * (goal_x - object_x) / to_goal;
  const double start_y = object_y - reach * (goal_y - object_y) / to_goal;
  return to_goal + kApproachWeight * std::hypot(pusher_x - start_x, pusher_y - start_y);
}

}  // namespace uw::envs
