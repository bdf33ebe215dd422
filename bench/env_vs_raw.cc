#include "bench/env_vs_raw.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "core/error.h"
#include "core/random.h"

namespace uw::bench {

double seconds_of(FunctionRef<void()> work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int steps_within_episode(const envs::Env& env, int wanted, const std::string& who) {
  const int steps = std::min(wanted, env.spec().max_episode_steps - 1);
  if (steps < 1) throw Error(who + ": env '" + env.spec().id + "' has episodes of one step");
  return steps;
}

std::vector<float> random_actions(const envs::Space& space, int steps, uint64_t seed) {
  Rng rng(seed);
  const size_t size = space.flat_size();
  std::vector<float> actions(steps * size);
  for (int t = 0; t < steps; ++t) space.sample(rng, std::span(actions).subspan(t * size, size));
  return actions;
}

EnvVsRawTiming time_env_vs_raw(envs::Env& env, std::span<const double> start,
                               std::span<const float> actions, int steps_per_sample, int rounds,
                               FunctionRef<void()> prepare_raw, FunctionRef<void()> run_raw) {
  const size_t action_size = env.spec().action_space.flat_size();
  const int steps = static_cast<int>(actions.size() / action_size);
  const int repeats = std::max(1, steps_per_sample / steps);
  EnvVsRawTiming timing;
  timing.steps = steps * repeats;
  timing.env_seconds = std::numeric_limits<double>::infinity();
  timing.raw_seconds = std::numeric_limits<double>::infinity();
  for (int round = 0; round < rounds; ++round) {
    double env_seconds = 0;
    double raw_seconds = 0;
    for (int r = 0; r < repeats; ++r) {
      env.restore_state(start);
      env_seconds += seconds_of([&] {
        for (int t = 0; t < steps; ++t) env.step(actions.subspan(t * action_size, action_size));
      });
      prepare_raw();
      raw_seconds += seconds_of(run_raw);
    }
    timing.env_seconds = std::min(timing.env_seconds, env_seconds);
    timing.raw_seconds = std::min(timing.raw_seconds, raw_seconds);
  }
  return timing;
}

}  // namespace uw::bench
