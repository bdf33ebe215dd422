#include "bench/sim_perf.h"

#include <algorithm>
#include <limits>

#include "bench/env_vs_raw.h"
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

}  // namespace

SimPerfReport run_sim_perf(const envs::Registry& registry, const SimPerfConfig& config) {
  SimPerfReport report;
  for (const std::string& id : config.env_ids) {
    report.env_vs_raw.push_back(measure_env_vs_raw(registry, id, config));
  }

  report.vector_env_id = config.vector_env_id;
  report.vector_envs = config.vector_envs;
  envs::VectorEnv one(registry.make(config.vector_env_id),
                      {config.vector_envs, /*threads=*/1, envs::AutoresetMode::kNextStep});
  envs::VectorEnv two(registry.make(config.vector_env_id),
                      {config.vector_envs, /*threads=*/2, envs::AutoresetMode::kNextStep});
  const size_t batch_actions = size_t(config.vector_envs) * one.action_size();
  std::vector<float> actions = random_actions(
      one.spec().action_space, config.vector_envs * config.vector_steps, config.seed);
  auto time_run = [&](envs::VectorEnv& envs) {
    envs.reset(config.seed);
    return seconds_of([&] {
      for (int t = 0; t < config.vector_steps; ++t) {
        envs.step(std::span(actions).subspan(t * batch_actions, batch_actions));
      }
    });
  };
  double best_one = std::numeric_limits<double>::infinity();
  double best_two = std::numeric_limits<double>::infinity();
  for (int round = 0; round < config.vector_rounds; ++round) {
    best_one = std::min(best_one, time_run(one));
    best_two = std::min(best_two, time_run(two));
  }
  const double total_steps = double(config.vector_envs) * config.vector_steps;
  report.vector_1_thread_steps_per_second = total_steps / best_one;
  report.vector_2_threads_steps_per_second = total_steps / best_two;
  report.vector_2v1_ratio = best_one / best_two;
  return report;
}

}  // namespace uw::bench
