#include "envs/push_layout.h"

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

}  // namespace uw::envs
