#include <cmath>
#include <numbers>

#include "core/error.h"
#include "envs/bullet_env.h"
#include "envs/registry.h"
#include "sim/scene_builder.h"

namespace uw::envs {
namespace {

constexpr double kBlockHalf[3] = {0.05, 0.05, 0.03};
constexpr double kMaxPush = 4.0;  // N at magnitude 1

std::shared_ptr<const sim::BulletScene> tower_scene(int blocks) {
  sim::SceneBuilder builder("bullet-tower", 0.002);
  builder.ground(0.0, {.friction = 0.6});
  for (int i = 0; i < blocks; ++i) {
    const float shade = 0.35f + 0.5f * static_cast<float>(i) / std::max(1, blocks - 1);
    builder.box("block" + std::to_string(i), {kBlockHalf[0], kBlockHalf[1], kBlockHalf[2]}, 0.1,
                {{0, 0, kBlockHalf[2] * (2 * i + 1)}, {1, 0, 0, 0}}, {.friction = 0.6},
                {0.85f, shade, 0.2f, 1.0f});
  }
  const double top = 2 * kBlockHalf[2] * blocks;
  builder.camera(
      {.name = "side", .pos = {0.9, -0.9, 0.5 * top + 0.25}, .look_at = {0, 0, 0.5 * top}});
  builder.camera({.name = "top", .pos = {0, -0.01, top + 1.0}, .look_at = {0, 0, 0}});
  return builder.build();
}

// A tower of `blocks` boxes stacked with random offsets, so that some towers stand and some
// topple. Action: (height, direction, magnitude), each in [-1, 1]: a horizontal push of
// (magnitude + 1) / 2 x 4 N along the direction angle (x pi) on the block at that fraction of
// the tower's initial height ((height + 1) / 2), applied at that height. Observation: per
// block its position, orientation (w, x, y, z), linear and angular velocity (13 values).
// Reward: the height of the highest block top over the tower's initial height (1 while it
// stands).
class Tower final : public BulletEnv {
 public:
  static constexpr int kBlockValues = 13;

  Tower(std::shared_ptr<const sim::BulletScene> scene, const std::string& id,
        const Options& options)
      : BulletEnv(scene,
                  task_spec(id, options,
                            Space::box({kBlockValues * block_count(*scene)}, -INFINITY, INFINITY)),
                  Space::box({3}, -1.0f, 1.0f)),
        blocks_(block_count(*scene)),
        offset_(options.get_double("offset")) {
    if (!(offset_ >= 0.0 && offset_ <= 1.0)) {
      throw Error("env " + id + ": option offset=" + std::to_string(offset_) + " is not in [0, 1]");
    }
  }

  static int block_count(const sim::BulletScene& scene) {
    return static_cast<int>(scene.bodies.size()) - 1;  // all but the ground
  }

 private:
  int block(int i) const { return 1 + i; }
  double initial_top() const { return 2 * kBlockHalf[2] * blocks_; }

  void reset_task(Rng& rng) override {
    sim::BulletWorld& world = mutable_world();
    double x = 0, y = 0;
    for (int i = 0; i < blocks_; ++i) {
      // each block is offset from the one below by up to `offset` of its half width
      if (i > 0) {
        x += rng.uniform(-offset_, offset_) * kBlockHalf[0];
        y += rng.uniform(-offset_, offset_) * kBlockHalf[1];
      }
      const double yaw = rng.uniform(-0.1, 0.1);
      world.set_body_pose(block(i), {{x, y, kBlockHalf[2] * (2 * i + 1)},
                                     {std::cos(yaw / 2), 0, 0, std::sin(yaw / 2)}});
    }
  }

  void apply_action(std::span<const float> action) override {
    sim::BulletWorld& world = mutable_world();
    world.clear_held_forces();
    const double magnitude = 0.5 * (action[2] + 1.0) * kMaxPush;
    if (magnitude == 0.0) return;
    const double height = 0.5 * (action[0] + 1.0) * initial_top();
    const double angle = action[1] * std::numbers::pi;
    // the block whose centre is nearest the chosen height
    int target = 0;
    double best = INFINITY;
    for (int i = 0; i < blocks_; ++i) {
      const double distance = std::abs(world.body_pose(block(i)).pos[2] - height);
      if (distance < best) best = distance, target = i;
    }
    const sim::Pose pose = world.body_pose(block(target));
    const double dz = std::clamp(height - pose.pos[2], -kBlockHalf[2], kBlockHalf[2]);
    world.set_held_force(block(target),
                         {magnitude * std::cos(angle), magnitude * std::sin(angle), 0.0},
                         {0.0, 0.0, dz});
  }

  void observe(std::span<float> obs) const override {
    const sim::BulletWorld& w = *world();
    float* out = obs.data();
    for (int i = 0; i < blocks_; ++i) {
      const sim::Pose pose = w.body_pose(block(i));
      for (double v : pose.pos) *out++ = static_cast<float>(v);
      for (double v : pose.quat) *out++ = static_cast<float>(v);
      for (double v : w.body_linear_velocity(block(i))) *out++ = static_cast<float>(v);
      for (double v : w.body_angular_velocity(block(i))) *out++ = static_cast<float>(v);
    }
  }

  float reward(std::span<const float>) const override {
    double top = 0.0;
    for (int i = 0; i < blocks_; ++i) {
      top = std::max(top, world()->body_pose(block(i)).pos[2] + kBlockHalf[2]);
    }
    return static_cast<float>(top / initial_top());
  }

  int blocks_;
  double offset_;
};

}  // namespace

void register_bullet_tower(Registry& registry, const RegistryConfig&) {
  std::vector<OptionSpec> options = task_options(/*substeps=*/10, /*max_steps=*/150);
  options.push_back({"blocks", "5", "blocks in the tower (1 to 20)"});
  options.push_back({"offset", "1",
                     "largest random offset of a block on the one below, as a "
                     "fraction of its half width"});
  registry.add({"bullet-tower", "a tower of blocks that topples or stands when pushed",
                std::move(options),
                [](const std::string& id, const Options& options) -> std::unique_ptr<Env> {
                  const int blocks = static_cast<int>(options.get_int("blocks", 1, 20));
                  return make_task<Tower>(tower_scene(blocks), id, options);
                }});
}

}  // namespace uw::envs
