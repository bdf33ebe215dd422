#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/options.h"
#include "envs/registry.h"
#include "envs/vector_env.h"

namespace uw::envs {

struct RolloutConfig {
  std::string env_id;
  Options options;
  int steps = 1000;   // steps per env
  uint64_t seed = 0;  // env i gets seed + i; the policy its own streams
  // "zero" (every action 0, in action units), or a policy spec of make_policy (random, ou,
  // scripted, mix:...)
  std::string policy = "random";
  // When not empty, replaces the policy: action t (of action_size values) goes to every env at
  // step t; it must hold at least `steps` actions.
  std::vector<float> fixed_actions;
  int num_envs = 1;
  int threads = 1;
  bool progress = false;  // progress lines on stderr for long runs
};

struct RolloutResult {
  int64_t env_steps = 0;              // steps over all envs
  int episodes = 0;                   // episodes that ended
  std::optional<double> return_mean;  // over ended episodes
  std::optional<double> length_mean;
  std::optional<double> success_rate;  // goal tasks: ended episodes that were at the goal
  int physics_faults = 0;
  double seconds = 0;
  double steps_per_second = 0;
  std::vector<float> final_obs;      // the last observation of env 0
  std::vector<int64_t> pixel_shape;  // pixel envs: [height, width, 3]; else empty
  int64_t frames = 0;                // pixel observations rendered, resets included
  double frames_per_second = 0;
  int threads = 1;                           // threads used (no more than envs)
  std::vector<std::string> engine_warnings;  // distinct warnings seen at episode ends
};

// Runs a policy in a VectorEnv (next-step autoreset) and measures it. Throws uw::Error on a bad
// env, option or policy spec.
RolloutResult run_rollout(const Registry& registry, const RolloutConfig& config);

}  // namespace uw::envs
