#include <cmath>

#include "envs/bullet_env.h"
#include "envs/bullet_tasks.h"
#include "envs/push_layout.h"
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
class PushCube final : public BulletGoalEnv {
 public:
  static constexpr int kObsSize = 13;
  static constexpr int kCubeOffset = 4;

  PushCube(std::shared_ptr<const sim::BulletScene> scene, const std::string& id,
           const Options& options)
      : BulletGoalEnv(scene,
                      task_spec(id, options, Space::box({kObsSize}, -INFINITY, INFINITY),
                                Space::box({2}, -0.4f, 0.4f)),
                      kCubeOffset, /*success_radius=*/0.05f),
        cube_(scene->body("cube")),
        pusher_(scene->body("pusher")) {}

  std::unique_ptr<Env> clone() const override {
    return clone_into(
        std::make_unique<PushCube>(world().shared_scene(), spec().id, spec().options));
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
    const sim::BulletWorld& w = world();
    const sim::Pose pusher = w.body_pose(pusher_);
    const sim::Vec3 pusher_v = w.body_linear_velocity(pusher_);
    const sim::Pose cube = w.body_pose(cube_);
    const sim::Vec3 cube_v = w.body_linear_velocity(cube_);
    const double yaw = yaw_of(cube.quat);
    const float values[kObsSize] = {static_cast<float>(pusher.pos[0]),
                                    static_cast<float>(pusher.pos[1]),
                                    static_cast<float>(pusher_v[0]),
                                    static_cast<float>(pusher_v[1]),
                                    static_cast<float>(cube.pos[0]),
                                    static_cast<float>(cube.pos[1]),
                                    static_cast<float>(cube.pos[2]),
                                    static_cast<float>(std::cos(yaw)),
                                    static_cast<float>(std::sin(yaw)),
                                    static_cast<float>(cube_v[0]),
                                    static_cast<float>(cube_v[1]),
                                    static_cast<float>(cube_v[2]),
                                    static_cast<float>(w.body_angular_velocity(cube_)[2])};
    std::copy(std::begin(values), std::end(values), obs.begin());
  }

  float reward(std::span<const float>) const override {
    const std::span<const float> obs = observation();
    const float pusher_to_cube = std::hypot(obs[0] - obs[4], obs[1] - obs[5]);
    return -goal_distance() - 0.1f * pusher_to_cube;
  }

  EndReason end_condition() const override {
    if (observation()[6] < kFallenHeight) return EndReason::kFailure;
    return BulletGoalEnv::end_condition();
  }

  int cube_;
  int pusher_;
};

}  // namespace

void register_push_cube(Registry& registry) {
  auto scene = push_cube_scene();
  registry.add({"bullet-push-cube",
                "a pusher on a table pushes a cube to a goal; a cube pushed off the edge falls",
                goal_task_options(/*substeps=*/10, /*max_steps=*/200),
                [scene](const std::string& id, const Options& options) -> std::unique_ptr<Env> {
                  return std::make_unique<PushCube>(scene, id, options);
                }});
}

}  // namespace uw::envs
