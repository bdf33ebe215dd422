#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "envs/mujoco_env.h"
#include "envs/registry.h"
#include "envs/tolerance.h"

namespace uw::envs {
namespace {

// Observation: qpos without the root x position (8), then qvel (9). Reward: forward speed of
// the root over 10 m/s, clipped to [0, 1].
class Cheetah final : public MujocoEnv {
 public:
  static constexpr double kRunSpeed = 10.0;
  // physics steps the cheetah falls and settles on its feet before an episode starts
  static constexpr int kSettleSteps = 200;

  Cheetah(std::shared_ptr<const sim::MujocoModel> model, const std::string& id,
          const Options& options)
      : MujocoEnv(model, task_spec(id, options,
                                   Space::box({model->get()->nq - 1 + model->get()->nv}, -INFINITY,
                                              INFINITY))) {
    const mjModel* m = model->get();
    const int root_x = model->require_id(mjOBJ_JOINT, "rootx");
    if (m->jnt_qposadr[root_x] != 0) {
      throw Error("model '" + model->path().string() + "': joint rootx must come first");
    }
    root_x_dof_ = m->jnt_dofadr[root_x];
    for (int j = 0; j < m->njnt; ++j) {
      if (m->jnt_limited[j]) limited_joints_.push_back(j);
    }
  }

 private:
  void reset_task(Rng& rng) override {
    const mjModel* m = world()->model();
    mjData* d = mutable_world().data();
    for (int j : limited_joints_) {
      d->qpos[m->jnt_qposadr[j]] = rng.uniform(m->jnt_range[2 * j], m->jnt_range[2 * j + 1]);
    }
    mutable_world().step(kSettleSteps);
    d->time = 0;
  }

  void observe(std::span<float> obs) const override {
    const mjModel* m = world()->model();
    const mjData* d = world()->data();
    for (int i = 1; i < m->nq; ++i) obs[i - 1] = static_cast<float>(d->qpos[i]);
    for (int i = 0; i < m->nv; ++i) obs[m->nq - 1 + i] = static_cast<float>(d->qvel[i]);
  }

  // The root's x is not observed: the pose keeps the world's.
  bool pose_task(std::span<const float> obs) override {
    mjData* d = still_data();
    const int nq = world()->model()->nq;
    for (int i = 1; i < nq; ++i) d->qpos[i] = obs[i - 1];
    return true;
  }

  float reward(std::span<const float>) const override {
    const double speed = world()->data()->qvel[root_x_dof_];
    return static_cast<float>(tolerance(speed, kRunSpeed, std::numeric_limits<double>::infinity(),
                                        kRunSpeed, Sigmoid::kLinear, 0.0));
  }

  int root_x_dof_ = 0;
  std::vector<int> limited_joints_;
};

}  // namespace

void register_cheetah(Registry& registry, const RegistryConfig& config) {
  registry.add(mujoco_task_entry<Cheetah>(
      "cheetah-run", "a planar runner rewarded for forward speed",
      task_options(/*substeps=*/1, /*max_steps=*/1000), config.asset_dir / "cheetah.xml"));
}

}  // namespace uw::envs
