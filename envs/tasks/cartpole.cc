#include <cmath>
#include <numbers>

#include "envs/mujoco_env.h"
#include "envs/registry.h"
#include "envs/tolerance.h"

namespace uw::envs {
namespace {

// Observation: cart position, cos and sin of the pole angle (0 = upright), cart velocity,
// pole angular velocity. Reward: upright x centered x small control x small velocity.
class Cartpole final : public MujocoEnv {
 public:
  static constexpr int kObsSize = 5;

  Cartpole(std::shared_ptr<const sim::MujocoModel> model, const std::string& id,
           const Options& options)
      : MujocoEnv(model, task_spec(id, options, Space::box({kObsSize}, -INFINITY, INFINITY))) {
    const mjModel* m = model->get();
    const int slider = model->require_id(mjOBJ_JOINT, "slider");
    const int hinge = model->require_id(mjOBJ_JOINT, "hinge");
    slider_qpos_ = m->jnt_qposadr[slider];
    hinge_qpos_ = m->jnt_qposadr[hinge];
    slider_dof_ = m->jnt_dofadr[slider];
    hinge_dof_ = m->jnt_dofadr[hinge];
  }

 private:
  void reset_task(Rng& rng) override {
    mjData* d = mutable_world().data();
    d->qpos[slider_qpos_] = 0.01 * rng.normal();
    d->qpos[hinge_qpos_] = std::numbers::pi + 0.01 * rng.normal();
    d->qvel[slider_dof_] = 0.01 * rng.normal();
    d->qvel[hinge_dof_] = 0.01 * rng.normal();
  }

  void observe(std::span<float> obs) const override {
    const mjData* d = world()->data();
    obs[0] = static_cast<float>(d->qpos[slider_qpos_]);
    obs[1] = static_cast<float>(std::cos(d->qpos[hinge_qpos_]));
    obs[2] = static_cast<float>(std::sin(d->qpos[hinge_qpos_]));
    obs[3] = static_cast<float>(d->qvel[slider_dof_]);
    obs[4] = static_cast<float>(d->qvel[hinge_dof_]);
  }

  bool pose_task(std::span<const float> obs) override {
    mjData* d = still_data();
    d->qpos[slider_qpos_] = obs[0];
    d->qpos[hinge_qpos_] = std::atan2(obs[2], obs[1]);
    return true;
  }

  float reward(std::span<const float> action) const override {
    const mjData* d = world()->data();
    const double upright = (std::cos(d->qpos[hinge_qpos_]) + 1.0) / 2.0;
    const double centered = (1.0 + tolerance(d->qpos[slider_qpos_], 0, 0, /*margin=*/2)) / 2.0;
    const double small_control =
        (4.0 + tolerance(action[0], 0, 0, /*margin=*/1, Sigmoid::kQuadratic, 0.0)) / 5.0;
    const double small_velocity = (1.0 + tolerance(d->qvel[hinge_dof_], 0, 0, /*margin=*/5)) / 2.0;
    return static_cast<float>(upright * centered * small_control * small_velocity);
  }

  int slider_qpos_ = 0;
  int hinge_qpos_ = 0;
  int slider_dof_ = 0;
  int hinge_dof_ = 0;
};

}  // namespace

void register_cartpole(Registry& registry, const RegistryConfig& config) {
  registry.add(mujoco_task_entry<Cartpole>(
      "cartpole-swingup", "swing up a hanging pole on a cart and balance it",
      task_options(/*substeps=*/1, /*max_steps=*/1000), config.asset_dir / "cartpole.xml"));
}

}  // namespace uw::envs
