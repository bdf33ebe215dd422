#include "envs/tasks/controllers.h"

#include <algorithm>
#include <cmath>

namespace uw::envs {

void steer_point(const PointState& agent, Point2 target, double gain, double damping,
                 std::span<float> action) {
  action[0] =
      static_cast<float>(std::clamp(gain * (target.x - agent.x) - damping * agent.vx, -1.0, 1.0));
  action[1] =
      static_cast<float>(std::clamp(gain * (target.y - agent.y) - damping * agent.vy, -1.0, 1.0));
}

Point2 push_target(Point2 pusher, Point2 object, Point2 goal, const PushPlan& plan) {
  // unit vector from the object to the goal, its normal, and the pusher in that frame
  const double length = std::max(1e-6, std::hypot(goal.x - object.x, goal.y - object.y));
  const double dx = (goal.x - object.x) / length, dy = (goal.y - object.y) / length;
  const double along = (pusher.x - object.x) * dx + (pusher.y - object.y) * dy;
  const double across = -(pusher.x - object.x) * dy + (pusher.y - object.y) * dx;
  const double side = across >= 0 ? 1 : -1;
  double ta = 0.05, tc = 0;  // target in the frame: push through the object by default
  if (along > 0 && std::abs(across) < plan.front) {
    ta = along, tc = plan.aside * side;
  } else if (along > -plan.beside) {
    ta = -plan.behind, tc = plan.round * side;
  } else if (std::abs(across) > 0.02) {
    ta = -plan.behind, tc = 0;
  }
  return {object.x + ta * dx - tc * dy, object.y + ta * dy + tc * dx};
}

}  // namespace uw::envs
