#pragma once

#include <span>

namespace uw::envs {

// Helpers for the scripted controllers of the tasks (envs/tasks/*.cc).

struct Point2 {
  double x = 0, y = 0;
};

// A point agent's position and velocity, read from the observation's fields.
struct PointState {
  double x = 0, y = 0, vx = 0, vy = 0;

  static PointState of(std::span<const float> obs, int position, int velocity) {
    return {obs[position], obs[position + 1], obs[velocity], obs[velocity + 1]};
  }
  Point2 position() const { return {x, y}; }
};

// A damped spring towards `target`, clipped into [-1, 1].
void steer_point(const PointState& agent, Point2 target, double gain, double damping,
                 std::span<float> action);

// Distances (m) of a scripted push, for the object's size and the pusher's.
struct PushPlan {
  double front = 0.15;   // within this of the push line in front of the object: step aside
  double aside = 0.18;   // how far aside
  double beside = 0.07;  // closer than this behind the object: go round
  double behind = 0.12;  // where to line up behind it
  double round = 0.16;   // how wide to go round
};

// Where a scripted pusher heads next to push `object` to `goal`: in front of the object it
// steps aside, beside it goes round to behind, behind it lines up with the goal, then pushes
// through.
Point2 push_target(Point2 pusher, Point2 object, Point2 goal, const PushPlan& plan);

}  // namespace uw::envs
