#include "envs/mjcf_env.h"

#include <climits>
#include <cmath>

#include "core/error.h"
#include "envs/mujoco_env.h"

namespace uw::envs {
namespace {

constexpr std::string_view kPrefix = "mjcf:";

class MjcfEnv final : public MujocoEnv {
 public:
  MjcfEnv(std::shared_ptr<const sim::MujocoModel> model, const std::string& id,
          const Options& options)
      : MujocoEnv(model, spec_for(*model, id, options)),
        keyframe_(static_cast<int>(options.get_int("keyframe", -1, INT_MAX))),
        reset_noise_(options.get_double("reset_noise")) {
    if (keyframe_ >= 0) world()->check_keyframe(keyframe_);
    if (reset_noise_ < 0) {
      throw Error("option 'reset_noise' of env '" + id + "' = " + std::to_string(reset_noise_) +
                  ": expected a number >= 0");
    }
  }

 private:
  static EnvSpec spec_for(const sim::MujocoModel& model, const std::string& id,
                          const Options& options) {
    const int size = model.get()->nq + model.get()->nv;
    // a scene file meant to be included by other models, say: qpos and qvel would be empty
    if (size == 0) {
      throw Error("model '" + model.path().string() +
                  "' has no joints: an mjcf: env would observe nothing (a scene included by "
                  "other models?)");
    }
    const bool noisy = options.get_double("reset_noise") > 0;  // checked in the constructor
    return task_spec(id, options, Space::box({size}, -INFINITY, INFINITY), std::nullopt,
                     /*stochastic_reset=*/noisy);
  }

  void reset_task(Rng& rng) override {
    if (keyframe_ >= 0) mutable_world().reset(keyframe_);
    if (reset_noise_ == 0) return;
    const mjModel* m = world()->model();
    mjData* d = mutable_world().data();
    for (int i = 0; i < m->nq; ++i) d->qpos[i] += rng.uniform(-reset_noise_, reset_noise_);
    for (int i = 0; i < m->nv; ++i) d->qvel[i] += rng.uniform(-reset_noise_, reset_noise_);
  }

  void observe(std::span<float> obs) const override {
    const mjModel* m = world()->model();
    const mjData* d = world()->data();
    for (int i = 0; i < m->nq; ++i) obs[i] = static_cast<float>(d->qpos[i]);
    for (int i = 0; i < m->nv; ++i) obs[m->nq + i] = static_cast<float>(d->qvel[i]);
  }

  float reward(std::span<const float>) const override { return 0.0f; }

  int keyframe_;
  double reset_noise_;
};

}  // namespace

void register_mjcf_family(Registry& registry) {
  std::vector<OptionSpec> options = task_options(/*substeps=*/1, /*max_steps=*/1000);
  options.push_back({"keyframe", "-1", "start from this keyframe (-1: the model's default)"});
  options.push_back({"reset_noise", "0", "uniform noise added to qpos and qvel at reset"});
  registry.add({std::string(kPrefix), "any MJCF file: actuators in, qpos and qvel out",
                std::move(options), [](const std::string& id, const Options& options) {
                  return make_task<MjcfEnv>(sim::MujocoModel::load(id.substr(kPrefix.size())), id,
                                            options);
                }});
}

}  // namespace uw::envs
