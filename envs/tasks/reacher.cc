#include <algorithm>
#include <cmath>
#include <numbers>

#include "envs/mujoco_env.h"
#include "envs/registry.h"

namespace uw::envs {
namespace {

// Observation: cos and sin of both joint angles, both joint velocities, fingertip (x, y).
// Goal: the target position. Reward: minus the fingertip's distance to the target.
class Reacher final : public MujocoEnv {
 public:
  // the observation's fields
  static constexpr int kShoulder = 0;  // cos, sin of the joint angle
  static constexpr int kElbow = 2;     // cos, sin of the joint angle
  static constexpr int kJointVelocity = 4;
  static constexpr int kFingertip = 6;
  static constexpr int kObsSize = 8;
  static constexpr float kSuccessRadius = 0.02f;
  // link lengths in reacher.xml, for the inverse kinematics of the goal observation
  static constexpr double kUpperArm = 0.12;
  static constexpr double kForearm = 0.12;
  static constexpr double kMinTargetRadius = 0.05;
  static constexpr double kMaxTargetRadius = 0.22;

  Reacher(std::shared_ptr<const sim::MujocoModel> model, const std::string& id,
          const Options& options)
      : MujocoEnv(model, task_spec(id, options, Space::box({kObsSize}, -INFINITY, INFINITY),
                                   Space::box({2}, -kMaxTargetRadius, kMaxTargetRadius))),
        shoulder_(model->require_id(mjOBJ_JOINT, "shoulder")),
        elbow_(model->require_id(mjOBJ_JOINT, "elbow")),
        fingertip_(model->require_id(mjOBJ_SITE, "fingertip")),
        target_mocap_(model->get()->body_mocapid[model->require_id(mjOBJ_BODY, "target")]) {
    observe_positions();
    use_goal_slice(kFingertip, kSuccessRadius);
  }

 private:
  int qpos(int joint) const { return world()->model()->jnt_qposadr[joint]; }
  int dof(int joint) const { return world()->model()->jnt_dofadr[joint]; }

  void reset_task(Rng& rng) override {
    mjData* d = mutable_world().data();
    d->qpos[qpos(shoulder_)] = rng.uniform(-std::numbers::pi, std::numbers::pi);
    d->qpos[qpos(elbow_)] = rng.uniform(-2.5, 2.5);
    d->qvel[dof(shoulder_)] = rng.uniform(-0.05, 0.05);
    d->qvel[dof(elbow_)] = rng.uniform(-0.05, 0.05);
    // uniform over the annulus of reachable targets
    const double r = std::sqrt(
        rng.uniform(kMinTargetRadius * kMinTargetRadius, kMaxTargetRadius * kMaxTargetRadius));
    const double angle = rng.uniform(-std::numbers::pi, std::numbers::pi);
    const double tx = r * std::cos(angle);
    const double ty = r * std::sin(angle);
    d->mocap_pos[3 * target_mocap_ + 0] = tx;
    d->mocap_pos[3 * target_mocap_ + 1] = ty;

    // goal state: the arm at rest with its fingertip on the target (elbow angle positive)
    const double cos_elbow = std::clamp(
        (r * r - kUpperArm * kUpperArm - kForearm * kForearm) / (2 * kUpperArm * kForearm), -1.0,
        1.0);
    const double elbow = std::acos(cos_elbow);
    const double shoulder = std::atan2(ty, tx) - std::atan2(kForearm * std::sin(elbow),
                                                            kUpperArm + kForearm * cos_elbow);
    const float goal[] = {static_cast<float>(tx), static_cast<float>(ty)};
    set_goal(goal, [&](mjData* posed) {
      posed->qpos[qpos(shoulder_)] = shoulder;
      posed->qpos[qpos(elbow_)] = elbow;
      posed->qvel[dof(shoulder_)] = 0;
      posed->qvel[dof(elbow_)] = 0;
    });
  }

  void observe(std::span<float> obs) const override {
    const mjData* d = world()->data();
    const double q1 = d->qpos[qpos(shoulder_)];
    const double q2 = d->qpos[qpos(elbow_)];
    obs[kShoulder + 0] = static_cast<float>(std::cos(q1));
    obs[kShoulder + 1] = static_cast<float>(std::sin(q1));
    obs[kElbow + 0] = static_cast<float>(std::cos(q2));
    obs[kElbow + 1] = static_cast<float>(std::sin(q2));
    obs[kJointVelocity + 0] = static_cast<float>(d->qvel[dof(shoulder_)]);
    obs[kJointVelocity + 1] = static_cast<float>(d->qvel[dof(elbow_)]);
    obs[kFingertip + 0] = static_cast<float>(d->site_xpos[3 * fingertip_ + 0]);
    obs[kFingertip + 1] = static_cast<float>(d->site_xpos[3 * fingertip_ + 1]);
  }

  bool pose_task(std::span<const float> obs) override {
    mjData* d = still_data();
    d->qpos[qpos(shoulder_)] = std::atan2(obs[kShoulder + 1], obs[kShoulder + 0]);
    d->qpos[qpos(elbow_)] = std::atan2(obs[kElbow + 1], obs[kElbow + 0]);
    return true;
  }

  float reward(std::span<const float>) const override { return -goal_distance(); }

  int shoulder_;
  int elbow_;
  int fingertip_;
  int target_mocap_;
};

// Joint torques from the Jacobian transpose of the fingertip's error, with joint damping.
void reach(std::span<const float> obs, std::span<const float> goal, std::span<float> action) {
  const double tip_x = obs[Reacher::kFingertip], tip_y = obs[Reacher::kFingertip + 1];
  const double ex = goal[0] - tip_x, ey = goal[1] - tip_y;
  const double elbow_x = Reacher::kUpperArm * obs[Reacher::kShoulder];
  const double elbow_y = Reacher::kUpperArm * obs[Reacher::kShoulder + 1];
  // torque of a force (ex, ey) at the fingertip about each joint
  const double shoulder = tip_x * ey - tip_y * ex;
  const double elbow = (tip_x - elbow_x) * ey - (tip_y - elbow_y) * ex;
  action[0] = static_cast<float>(
      std::clamp(400.0 * shoulder - 0.4 * obs[Reacher::kJointVelocity], -1.0, 1.0));
  action[1] = static_cast<float>(
      std::clamp(400.0 * elbow - 0.4 * obs[Reacher::kJointVelocity + 1], -1.0, 1.0));
}

}  // namespace

void register_reacher(Registry& registry, const RegistryConfig& config) {
  EnvEntry entry = mujoco_task_entry<Reacher>(
      "reacher-reach", "a two-link planar arm reaches a random target with its fingertip",
      goal_task_options(/*substeps=*/2, /*max_steps=*/200), config.asset_dir / "reacher.xml");
  entry.scripted = reach;
  registry.add(std::move(entry));
}

}  // namespace uw::envs
