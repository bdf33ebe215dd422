#include <algorithm>
#include <cmath>

#include "envs/bullet_env.h"
#include "envs/registry.h"
#include "sim/scene_builder.h"

namespace uw::envs {
namespace {

constexpr double kHalfWidth = 0.5;  // the box's inside is [-0.5, 0.5]^2
constexpr double kWallHeight = 1.0;
constexpr double kRadius = 0.05;
constexpr double kPush = 1.0;  // N at action 1

// A walled box with `balls` balls. The floor and walls have restitution 1, so a bounce keeps
// the ball's own restitution (Bullet multiplies the two).
std::shared_ptr<const sim::BulletScene> bounce_scene(int balls) {
  sim::SceneBuilder builder("bullet-bounce", 0.002);
  const sim::Material elastic{.friction = 0.3, .restitution = 1.0};
  builder.ground(0.0, elastic);
  const sim::Rgba wall_colour{0.6f, 0.65f, 0.7f, 0.25f};
  const double t = 0.02;  // half thickness of a wall
  const double h = kWallHeight / 2;
  builder.box("wall_east", {t, kHalfWidth + 2 * t, h}, 0, {{kHalfWidth + t, 0, h}, {1, 0, 0, 0}},
              elastic, wall_colour);
  builder.box("wall_west", {t, kHalfWidth + 2 * t, h}, 0, {{-kHalfWidth - t, 0, h}, {1, 0, 0, 0}},
              elastic, wall_colour);
  builder.box("wall_north", {kHalfWidth, t, h}, 0, {{0, kHalfWidth + t, h}, {1, 0, 0, 0}}, elastic,
              wall_colour);
  builder.box("wall_south", {kHalfWidth, t, h}, 0, {{0, -kHalfWidth - t, h}, {1, 0, 0, 0}}, elastic,
              wall_colour);
  // a lid, so that a light ball pushed up stays in the box; invisible (alpha 0 is not drawn)
  builder.box("lid", {kHalfWidth, kHalfWidth, t}, 0, {{0, 0, kWallHeight + t}, {1, 0, 0, 0}},
              elastic, {0.6f, 0.65f, 0.7f, 0.0f});
  for (int i = 0; i < balls; ++i) {
    const sim::Rgba colour = i == 0 ? sim::Rgba{0.9f, 0.25f, 0.2f, 1.0f}
                                    : sim::Rgba{0.2f, 0.45f + 0.4f * (i % 2), 0.9f, 1.0f};
    builder.sphere("ball" + std::to_string(i), kRadius, 0.1,
                   {{-0.3 + 0.6 * i / std::max(1, balls - 1), 0, 0.5}, {1, 0, 0, 0}},
                   {.friction = 0.3, .restitution = 0.8, .rolling_friction = 0.001}, colour);
  }
  const int pushed = builder.scene().body("ball0");
  const char* names[] = {"push_x", "push_y", "push_z"};
  for (int axis = 0; axis < 3; ++axis) {
    builder.actuator({.name = names[axis],
                      .type = sim::ActuatorType::kBodyForce,
                      .index = pushed,
                      .axis = axis,
                      .gain = kPush});
  }
  builder.camera({.name = "side", .pos = {0, -1.9, 1.2}, .look_at = {0, 0, 0.3}});
  builder.camera({.name = "top", .pos = {0, -0.01, 2.2}, .look_at = {0, 0, 0}});
  return builder.build();
}

// Balls with random mass (0.02 to 0.5 kg) and restitution (0.3 to 0.95), dropped with random
// positions and velocities. The action is a force on ball 0 (the red one), up to 1 N per axis.
// Observation: per ball its position and velocity; mass and restitution are hidden, for a
// world model to infer from how the balls move. Reward: ball 0's height (keep it up).
class Bounce final : public BulletEnv {
 public:
  static constexpr int kBallValues = 6;

  Bounce(std::shared_ptr<const sim::BulletScene> scene, const std::string& id,
         const Options& options)
      : BulletEnv(scene,
                  task_spec(id, options,
                            Space::box({kBallValues * ball_count(*scene)}, -INFINITY, INFINITY))),
        first_ball_(scene->body("ball0")),
        balls_(static_cast<int>(scene->bodies.size()) - first_ball_) {}

  static int ball_count(const sim::BulletScene& scene) {
    return static_cast<int>(scene.bodies.size()) - scene.body("ball0");
  }

 private:
  void reset_task(Rng& rng) override {
    sim::BulletWorld& world = mutable_world();
    const double room = kHalfWidth - kRadius;
    std::vector<sim::Vec3> placed;
    for (int i = 0; i < balls_; ++i) {
      const int body = first_ball_ + i;
      world.set_body_material(body, std::exp(rng.uniform(std::log(0.02), std::log(0.5))),
                              rng.uniform(0.3, 0.95), 0.3);
      // a place clear of the balls placed so far (16 balls fill under 2% of the box)
      sim::Vec3 p;
      bool clear = false;
      while (!clear) {
        p = {rng.uniform(-room, room), rng.uniform(-room, room),
             rng.uniform(0.2, kWallHeight - 2 * kRadius)};
        clear = std::all_of(placed.begin(), placed.end(), [&](const sim::Vec3& q) {
          return std::hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) > 2.5 * kRadius;
        });
      }
      placed.push_back(p);
      world.set_body_pose(body, {p, {1, 0, 0, 0}});
      world.set_body_velocity(
          body, {rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5), rng.uniform(-1, 2)}, {0, 0, 0});
    }
  }

  void observe(std::span<float> obs) const override {
    const sim::BulletWorld& w = *world();
    float* out = obs.data();
    for (int i = 0; i < balls_; ++i) {
      for (double v : w.body_pose(first_ball_ + i).pos) *out++ = static_cast<float>(v);
      for (double v : w.body_linear_velocity(first_ball_ + i)) *out++ = static_cast<float>(v);
    }
  }

  float reward(std::span<const float>) const override { return observation()[2]; }

  int first_ball_;  // the balls are the scene's last bodies
  int balls_;
};

}  // namespace

void register_bullet_bounce(Registry& registry, const RegistryConfig&) {
  std::vector<OptionSpec> options = task_options(/*substeps=*/10, /*max_steps=*/250);
  options.push_back({"balls", "3", "balls in the box (1 to 16)"});
  registry.add({"bullet-bounce", "balls of random mass and restitution bounce in a box",
                std::move(options),
                [](const std::string& id, const Options& options) -> std::unique_ptr<Env> {
                  const int balls = static_cast<int>(options.get_int("balls", 1, 16));
                  return make_task<Bounce>(bounce_scene(balls), id, options);
                }});
}

}  // namespace uw::envs
