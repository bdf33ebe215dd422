#include "bench/bullet_perf.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "core/error.h"
#include "core/random.h"
#include "envs/bullet_env.h"

namespace uw::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

BulletEnvVsRaw measure(const envs::Registry& registry, const std::string& id,
                       const BulletPerfConfig& config) {
  std::unique_ptr<envs::Env> env = registry.make(id);
  const sim::BulletWorld* world = envs::bullet_world_of(*env);
  if (world == nullptr) throw Error("perf bullet: env '" + id + "' is not a Bullet env");
  const int steps = std::min(config.steps, env->spec().max_episode_steps - 1);
  if (steps < 1) throw Error("perf bullet: env '" + id + "' has episodes of one step");
  const int substeps = env->spec().substeps;
  const envs::Space& space = env->spec().action_space;
  const size_t action_size = space.flat_size();
  Rng rng(config.seed);
  std::vector<float> actions(steps * action_size);
  for (int t = 0; t < steps; ++t) {
    space.sample(rng, std::span(actions).subspan(t * action_size, action_size));
  }

  env->reset(config.seed);
  const std::vector<double> start = env->save_state();
  // the reference: a second world of the same scene, stepped by Bullet alone
  sim::BulletWorld raw(world->shared_scene());
  const std::vector<double> start_world = world->save_state();
  double best_env = std::numeric_limits<double>::infinity();
  double best_raw = std::numeric_limits<double>::infinity();
  const int repeats = std::max(1, config.steps_per_sample / steps);
  for (int round = 0; round < config.rounds; ++round) {
    double env_seconds = 0;
    double raw_seconds = 0;
    for (int r = 0; r < repeats; ++r) {
      env->restore_state(start);
      auto t0 = Clock::now();
      for (int t = 0; t < steps; ++t) {
        env->step(std::span(actions).subspan(t * action_size, action_size));
      }
      env_seconds += seconds_since(t0);

      raw.restore_state(start_world);
      t0 = Clock::now();
      for (int t = 0; t < steps * substeps; ++t) raw.raw_step();
      raw_seconds += seconds_since(t0);
    }
    best_env = std::min(best_env, env_seconds);
    best_raw = std::min(best_raw, raw_seconds);
  }
  BulletEnvVsRaw result;
  result.env_id = id;
  result.substeps = substeps;
  result.bodies = static_cast<int>(world->scene().bodies.size());
  result.env_steps_per_second = double(steps) * repeats / best_env;
  result.raw_steps_per_second = double(steps) * repeats / best_raw;
  result.ratio = best_raw / best_env;
  return result;
}

}  // namespace

std::vector<BulletEnvVsRaw> run_bullet_perf(const envs::Registry& registry,
                                            const BulletPerfConfig& config) {
  std::vector<BulletEnvVsRaw> results;
  for (const std::string& id : config.env_ids) results.push_back(measure(registry, id, config));
  return results;
}

}  // namespace uw::bench
