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

}  // namespace uw::envs
