#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/function_ref.h"
#include "envs/env.h"

namespace uw::bench {

// The wall-clock seconds `work` takes.
double seconds_of(FunctionRef<void()> work);

// The steps of a run from one saved state: at most `wanted`, and within one episode (the env
// must not reach its time limit while timed). Throws uw::Error, naming `who`, on one-step
// episodes.
int steps_within_episode(const envs::Env& env, int wanted, const std::string& who);

// `steps` random actions of a space, flat, from a seed.
std::vector<float> random_actions(const envs::Space& space, int steps, uint64_t seed);

// Best times of the two sides of an env-against-engine comparison.
struct EnvVsRawTiming {
  int steps = 0;       // env steps per sample (a run, repeated)
  double env_seconds;  // the best sample of each side
  double raw_seconds;
  double env_steps_per_second() const { return steps / env_seconds; }
  double raw_steps_per_second() const { return steps / raw_seconds; }
  double ratio() const { return raw_seconds / env_seconds; }  // env / raw speed
};

// Times env.step over `actions` (one run from `start`, a saved env state) against `run_raw`
// doing the same work with the raw engine after `prepare_raw` has put it in the same state
// (untimed). Each side's run is repeated to fill `steps_per_sample` env steps per sample; the
// samples are interleaved over `rounds`, and the best of each side counts (a noisy machine
// only ever slows a sample down).
EnvVsRawTiming time_env_vs_raw(envs::Env& env, std::span<const double> start,
                               std::span<const float> actions, int steps_per_sample, int rounds,
                               FunctionRef<void()> prepare_raw, FunctionRef<void()> run_raw);

}  // namespace uw::bench
