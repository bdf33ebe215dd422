#include <algorithm>
#include <cmath>

#include "envs/mujoco_env.h"
#include "envs/push_layout.h"
#include "envs/registry.h"
#include "envs/tasks/controllers.h"

namespace uw::envs {
namespace {

// Observation: disc (x, y, vx, vy), block (x, y, cos yaw, sin yaw, vx, vy, angular velocity
// about its own z axis, which is the yaw rate while the block lies flat).
// Goal: a block position. Reward: minus the block's distance to the goal, minus a tenth of the
// disc's distance to the block (so that approaching the block pays).
class Pusher final : public MujocoEnv {
 public:
  // the observation's fields
  static constexpr int kDisc = 0;
  static constexpr int kDiscVelocity = 2;
  static constexpr int kBlock = 4;
  static constexpr int kBlockHeading = 6;  // cos, sin of the yaw
  static constexpr int kBlockVelocity = 8;
  static constexpr int kBlockSpin = 10;
  static constexpr int kObsSize = 11;
  static constexpr float kSuccessRadius = 0.05f;
  static constexpr double kBlockHalfSize = 0.05;  // pusher.xml
  static constexpr double kDiscRadius = 0.04;
  // the disc's centre behind the block's centre when they touch, at the block's widest
  static constexpr double kReach = kBlockHalfSize * 1.4142 + kDiscRadius + 0.01;

  Pusher(std::shared_ptr<const sim::MujocoModel> model, const std::string& id,
         const Options& options)
      : MujocoEnv(model, task_spec(id, options, Space::box({kObsSize}, -INFINITY, INFINITY),
                                   Space::box({2}, -0.55f, 0.55f))) {
    use_goal_slice(kBlock, kSuccessRadius);
    const mjModel* m = model->get();
    const int px = model->require_id(mjOBJ_JOINT, "pusher_x");
    const int py = model->require_id(mjOBJ_JOINT, "pusher_y");
    const int block = model->require_id(mjOBJ_JOINT, "block");
    disc_qpos_ = {m->jnt_qposadr[px], m->jnt_qposadr[py]};
    disc_dof_ = {m->jnt_dofadr[px], m->jnt_dofadr[py]};
    block_qpos_ = m->jnt_qposadr[block];
    block_dof_ = m->jnt_dofadr[block];
    goal_mocap_ = m->body_mocapid[model->require_id(mjOBJ_BODY, "goal")];
  }

 private:
  void place(mjData* d, double disc_x, double disc_y, double block_x, double block_y,
             double yaw) const {
    d->qpos[disc_qpos_[0]] = disc_x;
    d->qpos[disc_qpos_[1]] = disc_y;
    double* block = d->qpos + block_qpos_;
    block[0] = block_x;
    block[1] = block_y;
    block[2] = kBlockHalfSize;
    block[3] = std::cos(yaw / 2);
    block[4] = 0;
    block[5] = 0;
    block[6] = std::sin(yaw / 2);
  }

  void reset_task(Rng& rng) override {
    const PushLayout l = sample_push_layout(rng);
    const double bx = l.object_x, by = l.object_y, yaw = l.object_yaw;
    const double px = l.pusher_x, py = l.pusher_y, gx = l.goal_x, gy = l.goal_y;

    mjData* d = mutable_world().data();
    place(d, px, py, bx, by, yaw);
    d->mocap_pos[3 * goal_mocap_ + 0] = gx;
    d->mocap_pos[3 * goal_mocap_ + 1] = gy;

    // goal state: the block at rest on the goal, the disc just behind it along the push
    const double length = std::hypot(gx - bx, gy - by);
    // the block's extent along the push, which depends on its yaw relative to the push
    const double relative_yaw = yaw - std::atan2(gy - by, gx - bx);
    const double extent =
        kBlockHalfSize * (std::abs(std::cos(relative_yaw)) + std::abs(std::sin(relative_yaw)));
    const double reach = extent + kDiscRadius + 0.01;
    const double goal_px = std::clamp(gx - reach * (gx - bx) / length, -0.5, 0.5);
    const double goal_py = std::clamp(gy - reach * (gy - by) / length, -0.5, 0.5);
    const float goal[] = {static_cast<float>(gx), static_cast<float>(gy)};
    set_goal(goal, [&](mjData* posed) {
      place(posed, goal_px, goal_py, gx, gy, yaw);
      std::fill(posed->qvel, posed->qvel + world()->model()->nv, 0.0);
    });
  }

  void observe(std::span<float> obs) const override {
    const mjData* d = world()->data();
    const double* block = d->qpos + block_qpos_;
    const double* block_velocity = d->qvel + block_dof_;
    // yaw of the block's quaternion (w, x, y, z)
    const double yaw = std::atan2(2 * (block[3] * block[6] + block[4] * block[5]),
                                  1 - 2 * (block[5] * block[5] + block[6] * block[6]));
    obs[kDisc + 0] = static_cast<float>(d->qpos[disc_qpos_[0]]);
    obs[kDisc + 1] = static_cast<float>(d->qpos[disc_qpos_[1]]);
    obs[kDiscVelocity + 0] = static_cast<float>(d->qvel[disc_dof_[0]]);
    obs[kDiscVelocity + 1] = static_cast<float>(d->qvel[disc_dof_[1]]);
    obs[kBlock + 0] = static_cast<float>(block[0]);
    obs[kBlock + 1] = static_cast<float>(block[1]);
    obs[kBlockHeading + 0] = static_cast<float>(std::cos(yaw));
    obs[kBlockHeading + 1] = static_cast<float>(std::sin(yaw));
    obs[kBlockVelocity + 0] = static_cast<float>(block_velocity[0]);
    obs[kBlockVelocity + 1] = static_cast<float>(block_velocity[1]);
    obs[kBlockSpin] = static_cast<float>(block_velocity[5]);
  }

  bool pose_task(std::span<const float> obs) override {
    place(still_data(), obs[kDisc + 0], obs[kDisc + 1], obs[kBlock + 0], obs[kBlock + 1],
          std::atan2(obs[kBlockHeading + 1], obs[kBlockHeading + 0]));
    return true;
  }

  float reward(std::span<const float>) const override {
    const std::span<const float> obs = observation();
    const float disc_to_block =
        std::hypot(obs[kDisc] - obs[kBlock], obs[kDisc + 1] - obs[kBlock + 1]);
    return -goal_distance() - 0.1f * disc_to_block;
  }

  // Goal::cost: the push's progress (push_cost), the push starting just behind the block.
  double planning_cost(std::span<const float> obs, std::span<const float> goal) const override {
    return push_cost(obs[kDisc], obs[kDisc + 1], obs[kBlock], obs[kBlock + 1], goal[0], goal[1],
                     kReach);
  }

  std::array<int, 2> disc_qpos_{};
  std::array<int, 2> disc_dof_{};
  int block_qpos_ = 0;
  int block_dof_ = 0;
  int goal_mocap_ = 0;
};

// Goes round the block to behind it, then pushes it through to the goal.
void push(std::span<const float> obs, std::span<const float> goal, std::span<float> action) {
  const PointState disc = PointState::of(obs, Pusher::kDisc, Pusher::kDiscVelocity);
  const Point2 block{obs[Pusher::kBlock], obs[Pusher::kBlock + 1]};
  const Point2 target = push_target(disc.position(), block, {goal[0], goal[1]}, {});
  steer_point(disc, target, 8.0, 1.0, action);
}

}  // namespace

void register_pusher(Registry& registry, const RegistryConfig& config) {
  EnvEntry entry = mujoco_task_entry<Pusher>(
      "pusher-push", "an actuated disc pushes a free block to a goal position",
      goal_task_options(/*substeps=*/10, /*max_steps=*/200), config.asset_dir / "pusher.xml");
  entry.scripted = push;
  registry.add(std::move(entry));
}

}  // namespace uw::envs
