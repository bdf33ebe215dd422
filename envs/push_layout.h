#pragma once

#include "core/random.h"

namespace uw::envs {

// Where a pushing episode starts on a square table about the origin, and where it should end.
struct PushLayout {
  double object_x, object_y, object_yaw;
  double pusher_x, pusher_y;
  double goal_x, goal_y;
};

// The object within +-0.25 m with any yaw; the pusher within +-0.4 m, at least 0.16 m from the
// object; the goal within +-0.35 m, at least 0.15 m from the object. The layout of both
// pusher-push (MuJoCo) and bullet-push-cube.
PushLayout sample_push_layout(Rng& rng);

// What a planner pays on the way to a push's goal (Goal::cost of the pushing tasks): the
// object's distance to the goal plus half the pusher's distance from the point `reach` behind
// the object on the line from the goal, where a push towards the goal starts. The goal distance
// alone stays flat until the pusher touches the object; the approach term pays for coming round
// to the right side, and weighted under one it never pays for shoving the object off course.
double push_cost(double pusher_x, double pusher_y, double object_x, double object_y,
                 double goal_x, double goal_y, double reach);

}  // namespace uw::envs
