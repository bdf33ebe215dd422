#include "bench/sim_perf.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "bench/env_vs_raw.h"
#include "bench/native_batch.h"
#include "core/error.h"
#include "core/random.h"
#include "envs/mujoco_env.h"
#include "envs/vector_env.h"
#include "bench/background_load.h"

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

VectorVsBatch measure_vector_vs_batch(const envs::Registry& registry, const SimPerfConfig& config,
                                      int threads) {
  const int n = config.vector_envs;
  envs::VectorEnv vector(registry.make(config.vector_env_id),
                         {n, threads, envs::AutoresetMode::kNextStep});
  const sim::MujocoWorld* world = envs::mujoco_world_of(vector.env(0));
  if (world == nullptr) {
    throw Error("perf sim: env '" + config.vector_env_id + "' is not a MuJoCo env");
  }
  const int steps = steps_within_episode(vector.env(0), config.vector_steps, "perf sim");
  const int substeps = vector.spec().substeps;
  std::optional<NativeBatch> batch;  // MuJoCo 4.0 and newer
  if (NativeBatch::available()) batch.emplace(*world->shared_model(), n, threads);
  const size_t batch_actions = size_t(n) * vector.action_size();
  const std::vector<float> actions =
      random_actions(vector.spec().action_space, n * steps, config.seed);
  // the batch starts from the states the vector env resets to
  vector.reset(config.seed);
  const int state_size = world->state_size();
  std::vector<double> start(size_t(n) * state_size);
  for (int i = 0; i < n; ++i) {
    envs::mujoco_world_of(vector.env(i))
        ->save_state_to(std::span(start).subspan(size_t(i) * state_size, state_size));
  }
  auto run_vector = [&] {
    vector.reset(config.seed);
    return seconds_of([&] {
      for (int t = 0; t < steps; ++t) {
        vector.step(std::span(actions).subspan(t * batch_actions, batch_actions));
      }
    });
  };
  auto run_batch = [&] {
    batch->set_states(start);
    return seconds_of([&] {
      for (int t = 0; t < steps; ++t) {
        batch->step(std::span(actions).subspan(t * batch_actions, batch_actions), substeps);
      }
    });
  };
  double best_vector = std::numeric_limits<double>::infinity();
  double best_batch = std::numeric_limits<double>::infinity();
  for (int round = 0; round < config.vector_rounds; ++round) {
    best_vector = std::min(best_vector, run_vector());
    if (batch) best_batch = std::min(best_batch, run_batch());
  }
  const double total_steps = double(n) * steps;
  VectorVsBatch result;
  result.threads = threads;
  result.vector_steps_per_second = total_steps / best_vector;
  if (batch) {
    result.batch_steps_per_second = total_steps / best_batch;
    result.ratio = best_batch / best_vector;
  }
  return result;
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
  for (int threads : {1, 2}) {
    report.vector_vs_batch.push_back(measure_vector_vs_batch(registry, config, threads));
  }
  report.vector_2v1_ratio = report.vector_vs_batch[1].vector_steps_per_second /
                            report.vector_vs_batch[0].vector_steps_per_second;
  return report;
}

}  // namespace uw::bench
