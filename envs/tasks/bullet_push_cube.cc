#include <algorithm>
#include <cmath>

#include "envs/bullet_env.h"
#include "envs/push_layout.h"
#include "envs/registry.h"
#include "envs/tasks/controllers.h"
#include "sim/scene_builder.h"

namespace uw::envs {
namespace {

constexpr double kTableHalf = 0.5;  // the table top is [-0.5, 0.5]^2 at height 0
constexpr double kCubeHalf = 0.05;
constexpr double kPusherRadius = 0.04;
constexpr double kPusherSpeed = 0.5;  // m/s at action 1
// below this height the cube has left the table
constexpr double kFallenHeight = -0.1;

// A table with a cube and a pusher: a cylinder that glides just above the table (no contact
// with it) under a velocity servo. The floor is 0.75 m below the table.
std::shared_ptr<const sim::BulletScene> push_cube_scene() {
  sim::SceneBuilder builder("bullet-push-cube", 0.002);
  builder.ground(-0.75);
  builder.table(0, 0, kTableHalf, kTableHalf, 0.0);
  builder.box("cube", {kCubeHalf, kCubeHalf, kCubeHalf}, 0.2, {{0, 0, kCubeHalf}, {1, 0, 0, 0}},
              {.friction = 0.5});
  const int pusher =
      builder.cylinder("pusher", kPusherRadius, 0.04, 1.0, {{0.3, 0, 0.041}, {1, 0, 0, 0}},
                       {.friction = 0.5}, {0.9f, 0.8f, 0.2f, 1.0f});
  builder.scene().bodies[pusher].planar = true;
  builder.scene().bodies[pusher].collides_with_static = false;
  for (int axis : {0, 1}) {
    builder.actuator({.name = axis == 0 ? "pusher_vx" : "pusher_vy",
                      .type = sim::ActuatorType::kBodyVelocity,
                      .index = pusher,
                      .axis = axis,
                      .gain = kPusherSpeed,
                      .max_force = 20.0});
  }
  sim::Shape goal;
  goal.type = sim::ShapeType::kCylinder;
  goal.radius = 0.05;  // the success radius
  goal.half_length = 0.001;
  goal.rgba = {0.2f, 0.85f, 0.3f, 0.6f};
  builder.scene().markers.push_back(
      {.name = "goal", .shape = goal, .pose = {{0, 0, 0.001}, {1, 0, 0, 0}}});
  builder.camera({.name = "top", .pos = {0, -0.01, 1.6}, .look_at = {0, 0, 0}});
  builder.camera({.name = "side", .pos = {0, -1.4, 0.8}, .look_at = {0, 0, 0}});
  return builder.build();
}

double yaw_of(const sim::Quat& q) {
  return std::atan2(2 * (q[0] * q[3] + q[1] * q[2]), 1 - 2 * (q[2] * q[2] + q[3] * q[3]));
}

sim::Quat yaw_quat(double yaw) { return {std::cos(yaw / 2), 0, 0, std::sin(yaw / 2)}; }

// Observation: pusher (x, y, vx, vy), cube (x, y, z, cos yaw, sin yaw, vx, vy, vz, yaw rate).
// Goal: a cube position on the table. Reward: minus the cube's distance to the goal, minus a
// tenth of the pusher's distance to the cube. A cube pushed off the table ends the episode.
class PushCube final : public BulletEnv {
 public:
  // the observation's fields
  static constexpr int kPusher = 0;
  static constexpr int kPusherVelocity = 2;
  static constexpr int kCube = 4;          // x, y, z
  static constexpr int kCubeHeading = 7;   // cos, sin of the yaw
  static constexpr int kCubeVelocity = 9;  // x, y, z
  static constexpr int kCubeSpin = 12;
  static constexpr int kObsSize = 13;

  PushCube(std::shared_ptr<const sim::BulletScene> scene, const std::string& id,
           const Options& options)
      : BulletEnv(scene, task_spec(id, options, Space::box({kObsSize}, -INFINITY, INFINITY),
                                   Space::box({2}, -0.4f, 0.4f))),
        cube_(scene->body("cube")),
        pusher_(scene->body("pusher")) {
    use_goal_slice(kCube, /*radius=*/0.05f);
  }

 private:
  void place(double pusher_x, double pusher_y, double cube_x, double cube_y, double yaw) {
    sim::BulletWorld& world = mutable_world();
    world.set_body_pose(pusher_, {{pusher_x, pusher_y, 0.041}, {1, 0, 0, 0}});
    world.set_body_pose(cube_, {{cube_x, cube_y, kCubeHalf}, yaw_quat(yaw)});
  }

  void reset_task(Rng& rng) override {
    const PushLayout l = sample_push_layout(rng);
    const double cx = l.object_x, cy = l.object_y, yaw = l.object_yaw;
    const double gx = l.goal_x, gy = l.goal_y;
    place(l.pusher_x, l.pusher_y, cx, cy, yaw);
    mutable_world().set_marker_pose(0, {{gx, gy, 0.001}, {1, 0, 0, 0}});

    // goal state: the cube at rest on the goal, the pusher just behind it along the push
    const double length = std::hypot(gx - cx, gy - cy);
    const double reach = kCubeHalf * std::sqrt(2.0) + kPusherRadius + 0.01;
    const float goal[] = {static_cast<float>(gx), static_cast<float>(gy)};
    set_goal(goal, [&] {
      place(gx - reach * (gx - cx) / length, gy - reach * (gy - cy) / length, gx, gy, yaw);
    });
  }

  void observe(std::span<float> obs) const override {
    const sim::BulletWorld& w = *world();
    const sim::Pose pusher = w.body_pose(pusher_);
    const sim::Vec3 pusher_v = w.body_linear_velocity(pusher_);
    const sim::Pose cube = w.body_pose(cube_);
    const sim::Vec3 cube_v = w.body_linear_velocity(cube_);
    const double yaw = yaw_of(cube.quat);
    for (int i = 0; i < 2; ++i) {
      obs[kPusher + i] = static_cast<float>(pusher.pos[i]);
      obs[kPusherVelocity + i] = static_cast<float>(pusher_v[i]);
    }
    for (int i = 0; i < 3; ++i) {
      obs[kCube + i] = static_cast<float>(cube.pos[i]);
      obs[kCubeVelocity + i] = static_cast<float>(cube_v[i]);
    }
    obs[kCubeHeading + 0] = static_cast<float>(std::cos(yaw));
    obs[kCubeHeading + 1] = static_cast<float>(std::sin(yaw));
    obs[kCubeSpin] = static_cast<float>(w.body_angular_velocity(cube_)[2]);
  }

  bool pose_task(std::span<const float> obs) override {
    place(obs[kPusher + 0], obs[kPusher + 1], obs[kCube + 0], obs[kCube + 1],
          std::atan2(obs[kCubeHeading + 1], obs[kCubeHeading + 0]));
    sim::BulletWorld& world = mutable_world();
    for (int body : {pusher_, cube_}) world.set_body_velocity(body, {0, 0, 0}, {0, 0, 0});
    return true;
  }

  float reward(std::span<const float>) const override {
    const std::span<const float> obs = observation();
    const float pusher_to_cube =
        std::hypot(obs[kPusher] - obs[kCube], obs[kPusher + 1] - obs[kCube + 1]);
    return -goal_distance() - 0.1f * pusher_to_cube;
  }

  // Goal::cost: the push's progress (push_cost), the push starting just behind the cube.
  double planning_cost(std::span<const float> obs, std::span<const float> goal) const override {
    return push_cost(obs[kPusher], obs[kPusher + 1], obs[kCube], obs[kCube + 1], goal[0],
                     goal[1], kCubeHalf * std::sqrt(2.0) + kPusherRadius + 0.01);
  }

  EndReason end_condition() const override {
    return observation()[kCube + 2] < kFallenHeight ? EndReason::kFailure : EndReason::kNone;
  }

  int cube_;
  int pusher_;
};

// The pusher is a velocity servo: steer by position error alone.
void push(std::span<const float> obs, std::span<const float> goal, std::span<float> action) {
  const Point2 pusher{obs[PushCube::kPusher], obs[PushCube::kPusher + 1]};
  const Point2 cube{obs[PushCube::kCube], obs[PushCube::kCube + 1]};
  const Point2 target =
      push_target(pusher, cube, {goal[0], goal[1]},
                  {.front = 0.17, .aside = 0.2, .beside = 0.08, .behind = 0.14, .round = 0.18});
  action[0] = static_cast<float>(std::clamp(8.0 * (target.x - pusher.x), -1.0, 1.0));
  action[1] = static_cast<float>(std::clamp(8.0 * (target.y - pusher.y), -1.0, 1.0));
}

}  // namespace

void register_bullet_push_cube(Registry& registry, const RegistryConfig&) {
  auto scene = push_cube_scene();
  registry.add({"bullet-push-cube",
                "a pusher on a table pushes a cube to a goal; a cube pushed off the edge falls",
                goal_task_options(/*substeps=*/10, /*max_steps=*/200),
                [scene](const std::string& id, const Options& options) {
                  return make_task<PushCube>(scene, id, options);
                },
                push});
}

}  // namespace uw::envs
