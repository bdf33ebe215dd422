#include "envs/reacher.h"

#include <cmath>
#include <numbers>

#include "envs/mujoco_env.h"

namespace uw::envs {
namespace {

// Observation: cos and sin of both joint angles, both joint velocities, fingertip (x, y).
// Goal: the target position. Reward: minus the fingertip's distance to the target.
class Reacher final : public MujocoGoalEnv {
 public:
  static constexpr int kObsSize = 8;
  static constexpr int kFingertipOffset = 6;
  static constexpr float kSuccessRadius = 0.02f;
  // link lengths in reacher.xml, for the inverse kinematics of the goal observation
  static constexpr double kUpperArm = 0.12;
  static constexpr double kForearm = 0.12;
  static constexpr double kMinTargetRadius = 0.05;
  static constexpr double kMaxTargetRadius = 0.22;

  Reacher(std::shared_ptr<const sim::MujocoModel> model, const std::string& id,
          const Options& options)
      : MujocoGoalEnv(model,
                      task_spec(id, options, Space::box({kObsSize}, -INFINITY, INFINITY),
                                Space::box({2}, -kMaxTargetRadius, kMaxTargetRadius)),
                      kFingertipOffset, kSuccessRadius),
        shoulder_(model->require_id(mjOBJ_JOINT, "shoulder")),
        elbow_(model->require_id(mjOBJ_JOINT, "elbow")),
        fingertip_(model->require_id(mjOBJ_SITE, "fingertip")),
        target_mocap_(model->get()->body_mocapid[model->require_id(mjOBJ_BODY, "target")]) {
    observe_positions();
  }

  std::unique_ptr<Env> clone() const override {
    return clone_into(std::make_unique<Reacher>(world().shared_model(), spec().id, spec().options));
  }

 private:
  int qpos(int joint) const { return world().model()->jnt_qposadr[joint]; }
  int dof(int joint) const { return world().model()->jnt_dofadr[joint]; }

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
    const mjData* d = world().data();
    const double q1 = d->qpos[qpos(shoulder_)];
    const double q2 = d->qpos[qpos(elbow_)];
    obs[0] = static_cast<float>(std::cos(q1));
    obs[1] = static_cast<float>(std::sin(q1));
    obs[2] = static_cast<float>(std::cos(q2));
    obs[3] = static_cast<float>(std::sin(q2));
    obs[4] = static_cast<float>(d->qvel[dof(shoulder_)]);
    obs[5] = static_cast<float>(d->qvel[dof(elbow_)]);
    obs[6] = static_cast<float>(d->site_xpos[3 * fingertip_ + 0]);
    obs[7] = static_cast<float>(d->site_xpos[3 * fingertip_ + 1]);
  }

  float reward(std::span<const float>) const override { return -goal_distance(); }

  int shoulder_;
  int elbow_;
  int fingertip_;
  int target_mocap_;
};

}  // namespace

void register_reacher_tasks(Registry& registry, const std::filesystem::path& asset_dir) {
  registry.add(mujoco_task_entry<Reacher>(
      "reacher-reach", "a two-link planar arm reaches a random target with its fingertip",
      goal_task_options(/*substeps=*/2, /*max_steps=*/200), asset_dir / "reacher.xml"));
}

}  // namespace uw::envs
