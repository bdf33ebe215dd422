#include "bench/sim_perf.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>

#include "bench/background_load.h"
#include "bench/env_vs_raw.h"
#include "bench/native_batch.h"
#include "core/error.h"
#include "core/random.h"
#include "envs/mujoco_env.h"
#include "envs/vector_env.h"

namespace uw::bench {
namespace {

EnvVsRaw measure_env_vs_raw(const envs::Registry& registry, const std::string& id,
                            const SimPerfConfig& config) {
  std::unique_ptr<envs::Env> env = registry.make(id);
  const sim::MujocoWorld* world = envs::mujoco_world_of(*env);
  if (world == nullptr) throw Error("perf sim: env '" + id + "' is not a MuJoCo env");
  const int steps = steps_within_episode(*env, config.steps, "perf sim");
  const int substeps = env->spec().substeps;
  const mjModel* m = world->model();
  std::unique_ptr<mjData, void (*)(mjData*)> raw(mj_makeData(m), mj_deleteData);
  const size_t action_size = env->spec().action_space.flat_size();
  const std::vector<float> actions = random_actions(env->spec().action_space, steps, config.seed);
  env->reset(config.seed);
  const std::vector<double> start = env->save_state();
  const EnvVsRawTiming timing = time_env_vs_raw(
      *env, start, actions, config.steps_per_sample, config.rounds,
      [&] {
        env->restore_state(start);
        mj_copyData(raw.get(), m, world->data());
      },
      [&] {
        for (int t = 0; t < steps; ++t) {
          for (size_t k = 0; k < action_size; ++k) raw->ctrl[k] = actions[t * action_size + k];
          for (int s = 0; s < substeps; ++s) mj_step(m, raw.get());
        }
      });
  EnvVsRaw result;
  result.env_id = id;
  result.substeps = substeps;
  result.dofs = m->nv;
  result.env_steps_per_second = timing.env_steps_per_second();
  result.raw_steps_per_second = timing.raw_steps_per_second();
  result.ratio = timing.ratio();
  return result;
}

// A VectorEnv and MuJoCo's batch of as many simulations on as many threads, set up to step the
// same model from the same states with the same controls.
class VectorBench {
 public:
  VectorBench(const envs::Registry& registry, const SimPerfConfig& config, int threads)
      : threads_(threads),
        n_(config.vector_envs),
        vector_(registry.make(config.vector_env_id), {n_, threads, envs::AutoresetMode::kNextStep}),
        seed_(config.seed) {
    const sim::MujocoWorld* world = envs::mujoco_world_of(vector_.env(0));
    if (world == nullptr) {
      throw Error("perf sim: env '" + config.vector_env_id + "' is not a MuJoCo env");
    }
    steps_ = steps_within_episode(vector_.env(0), config.vector_steps, "perf sim");
    substeps_ = vector_.spec().substeps;
    if (NativeBatch::available()) batch_.emplace(*world->shared_model(), n_, threads);  // 4.0+
    batch_actions_ = size_t(n_) * vector_.action_size();
    actions_ = random_actions(vector_.spec().action_space, n_ * steps_, config.seed);
    // the batch starts from the states the vector env resets to
    vector_.reset(seed_);
    const int state_size = world->state_size();
    start_.resize(size_t(n_) * state_size);
    for (int i = 0; i < n_; ++i) {
      envs::mujoco_world_of(vector_.env(i))
          ->save_state_to(std::span(start_).subspan(size_t(i) * state_size, state_size));
    }
  }

  bool has_batch() const { return batch_.has_value(); }
  double total_steps() const { return double(n_) * steps_; }
  int threads() const { return threads_; }

  double run_vector() {
    vector_.reset(seed_);
    return seconds_of([&] {
      for (int t = 0; t < steps_; ++t) {
        vector_.step(std::span(actions_).subspan(t * batch_actions_, batch_actions_));
      }
    });
  }
  double run_batch() {
    batch_->set_states(start_);
    return seconds_of([&] {
      for (int t = 0; t < steps_; ++t) {
        batch_->step(std::span(actions_).subspan(t * batch_actions_, batch_actions_), substeps_);
      }
    });
  }

 private:
  int threads_, n_;
  envs::VectorEnv vector_;
  uint64_t seed_;
  int steps_ = 0, substeps_ = 1;
  std::optional<NativeBatch> batch_;
  size_t batch_actions_ = 0;
  std::vector<float> actions_;
  std::vector<double> start_;
};

// VectorEnv against mjb_step at 1 and 2 threads, all four interleaved sample by sample, so that
// a machine whose speed drifts (a virtual machine's second core) biases no ratio.
std::vector<VectorVsBatch> measure_vector_vs_batch(const envs::Registry& registry,
                                                   const SimPerfConfig& config) {
  std::vector<std::unique_ptr<VectorBench>> benches;
  for (int threads : {1, 2}) {
    benches.push_back(std::make_unique<VectorBench>(registry, config, threads));
  }
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> best_vector(benches.size(), inf), best_batch(benches.size(), inf);
  for (int round = 0; round < config.vector_rounds; ++round) {
    for (size_t b = 0; b < benches.size(); ++b) {
      best_vector[b] = std::min(best_vector[b], benches[b]->run_vector());
      if (benches[b]->has_batch()) best_batch[b] = std::min(best_batch[b], benches[b]->run_batch());
    }
  }
  std::vector<VectorVsBatch> results;
  for (size_t b = 0; b < benches.size(); ++b) {
    VectorVsBatch result;
    result.threads = benches[b]->threads();
    result.vector_steps_per_second = benches[b]->total_steps() / best_vector[b];
    if (benches[b]->has_batch()) {
      result.batch_steps_per_second = benches[b]->total_steps() / best_batch[b];
      result.ratio = best_batch[b] / best_vector[b];
    }
    results.push_back(result);
  }
  return results;
}

}  // namespace

SimPerfReport run_sim_perf(const envs::Registry& registry, const SimPerfConfig& config) {
  const BackgroundLoad load(config.background_load);
  SimPerfReport report;
  report.background_load = load.threads();
  for (const std::string& id : config.env_ids) {
    report.env_vs_raw.push_back(measure_env_vs_raw(registry, id, config));
  }
  report.vector_env_id = config.vector_env_id;
  report.vector_envs = config.vector_envs;
  report.vector_vs_batch = measure_vector_vs_batch(registry, config);
  report.vector_2v1_ratio = report.vector_vs_batch[1].vector_steps_per_second /
                            report.vector_vs_batch[0].vector_steps_per_second;
  return report;
}

}  // namespace uw::bench
