#include "bench/bullet_perf.h"

#include "bench/env_vs_raw.h"
#include "core/error.h"
#include "envs/bullet_env.h"

namespace uw::bench {
namespace {

BulletEnvVsRaw measure(const envs::Registry& registry, const std::string& id,
                       const BulletPerfConfig& config) {
  std::unique_ptr<envs::Env> env = registry.make(id);
  const sim::BulletWorld* world = envs::bullet_world_of(*env);
  if (world == nullptr) throw Error("perf bullet: env '" + id + "' is not a Bullet env");
  const int steps = steps_within_episode(*env, config.steps, "perf bullet");
  const int substeps = env->spec().substeps;
  const std::vector<float> actions = random_actions(env->spec().action_space, steps, config.seed);
  env->reset(config.seed);
  const std::vector<double> start = env->save_state();
  // the reference: a second world of the same scene, stepped by Bullet alone
  sim::BulletWorld raw(world->shared_scene());
  const std::vector<double> start_world = world->save_state();
  const EnvVsRawTiming timing = time_env_vs_raw(
      *env, start, actions, config.steps_per_sample, config.rounds,
      [&] { raw.restore_state(start_world); },
      [&] {
        for (int t = 0; t < steps * substeps; ++t) raw.raw_step();
      });
  BulletEnvVsRaw result;
  result.env_id = id;
  result.substeps = substeps;
  result.bodies = static_cast<int>(world->scene().bodies.size());
  result.env_steps_per_second = timing.env_steps_per_second();
  result.raw_steps_per_second = timing.raw_steps_per_second();
  result.ratio = timing.ratio();
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
