#include "datagen/scripted.h"

#include <algorithm>
#include <cmath>

namespace uw::data {
namespace {

float clip1(double x) { return static_cast<float>(std::clamp(x, -1.0, 1.0)); }

// A damped spring towards (tx, ty) for a body at obs[0..1] with velocity obs[2..3].
void steer_point(std::span<const float> o, double tx, double ty, double gain, double damping,
                 std::span<float> action) {
  action[0] = clip1(gain * (tx - o[0]) - damping * o[2]);
  action[1] = clip1(gain * (ty - o[1]) - damping * o[3]);
}

void pointmass_reach(std::span<const float> o, std::span<const float> goal, std::span<float> a) {
  steer_point(o, goal[0], goal[1], 3.0, 1.5, a);
}

// Two rooms side by side (x < 0 and x > 0), joined by a door at y in [-0.15, 0.15] on x = 0:
// when the goal is in the other room, line up with the door, then go through it.
void pointmaze_tworooms(std::span<const float> o, std::span<const float> goal, std::span<float> a) {
  const bool other_room = (o[0] < 0) != (goal[0] < 0) && std::abs(o[0]) > 0.03;
  if (!other_room) return steer_point(o, goal[0], goal[1], 3.0, 1.5, a);
  const double side = o[0] < 0 ? -1.0 : 1.0;
  if (std::abs(o[1]) > 0.06 && std::abs(o[0]) > 0.08) {
    return steer_point(o, side * 0.15, 0.0, 3.0, 1.5, a);  // in front of the door
  }
  steer_point(o, -side * 0.2, 0.0, 3.0, 1.5, a);  // through it
}

// The two-link arm (links 0.12 m, shoulder at the origin): joint torques from the Jacobian
// transpose of the fingertip's error, with joint damping. obs: cos/sin of both joints, their
// velocities, the fingertip (x, y).
void reacher_reach(std::span<const float> o, std::span<const float> goal, std::span<float> a) {
  constexpr double kLink = 0.12;
  const double ex = goal[0] - o[6], ey = goal[1] - o[7];
  const double elbow_x = kLink * o[0], elbow_y = kLink * o[1];
  // torque of a force (ex, ey) at the fingertip about each joint
  const double shoulder = o[6] * ey - o[7] * ex;
  const double elbow = (o[6] - elbow_x) * ey - (o[7] - elbow_y) * ex;
  a[0] = clip1(400.0 * shoulder - 0.4 * o[4]);
  a[1] = clip1(400.0 * elbow - 0.4 * o[5]);
}

void pusher_push(std::span<const float> o, std::span<const float> goal, std::span<float> a) {
  const auto [tx, ty] = push_target(o, goal, {});
  steer_point(o, tx, ty, 8.0, 1.0, a);
}

// The Bullet pusher is a velocity servo: steer by position error alone.
void bullet_push_cube(std::span<const float> o, std::span<const float> goal, std::span<float> a) {
  const auto [tx, ty] = push_target(
      o, goal, {.front = 0.17, .aside = 0.2, .beside = 0.08, .behind = 0.14, .round = 0.18});
  a[0] = clip1(8.0 * (tx - o[0]));
  a[1] = clip1(8.0 * (ty - o[1]));
}

struct Entry {
  const char* id;
  ScriptedController controller;
};

constexpr Entry kControllers[] = {
    {"pointmass-reach", pointmass_reach},   {"pointmaze-tworooms", pointmaze_tworooms},
    {"reacher-reach", reacher_reach},       {"pusher-push", pusher_push},
    {"bullet-push-cube", bullet_push_cube},
};

}  // namespace

ScriptedController scripted_controller(const std::string& env_id) {
  for (const Entry& entry : kControllers) {
    if (env_id == entry.id) return entry.controller;
  }
  return nullptr;
}

std::vector<std::string> scripted_tasks() {
  std::vector<std::string> ids;
  for (const Entry& entry : kControllers) ids.emplace_back(entry.id);
  return ids;
}

std::array<double, 2> push_target(std::span<const float> o, std::span<const float> goal,
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

}  // namespace uw::data
