#include "envs/rollout.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "core/progress.h"
#include "core/random.h"

namespace uw::envs {

RolloutPolicy parse_rollout_policy(const std::string& name) {
  if (name == "random") return RolloutPolicy::kRandom;
  if (name == "zero") return RolloutPolicy::kZero;
  throw Error("unknown policy '" + name + "'; expected random or zero");
}

namespace {

// Adds a warning to the list unless it is empty or there already.
void note_warnings(std::string warnings, std::vector<std::string>& seen) {
  if (warnings.empty()) return;
  if (std::find(seen.begin(), seen.end(), warnings) == seen.end()) {
    seen.push_back(std::move(warnings));
  }
}

}  // namespace

RolloutResult run_rollout(const Registry& registry, const RolloutConfig& config) {
  if (config.steps < 0) throw Error("steps must be >= 0, got " + std::to_string(config.steps));
  VectorEnv envs(registry.make(config.env_id, config.options),
                 VectorEnvConfig{config.num_envs, config.threads, AutoresetMode::kNextStep});
  const int n = envs.num_envs();
  const int action_size = envs.action_size();
  const Space& action_space = envs.spec().action_space;
  const size_t fixed_count = action_size > 0 ? config.fixed_actions.size() / action_size : 0;
  if (!config.fixed_actions.empty() &&
      (config.fixed_actions.size() % action_size != 0 || fixed_count < size_t(config.steps))) {
    throw Error("the fixed actions hold " + std::to_string(config.fixed_actions.size()) +
                " values: expected " + std::to_string(config.steps) + " actions of " +
                std::to_string(action_size));
  }
  // the policy's stream is independent of the envs' seeds
  Rng policy_rng(derive_seed(config.seed, 0x706f6c696379ULL));
  std::vector<float> actions(size_t(n) * action_size, 0.0f);
  std::vector<double> episode_return(n, 0.0);
  std::vector<int> episode_length(n, 0);
  double return_sum = 0;
  double length_sum = 0;
  int successes = 0;
  bool has_success = false;

  RolloutResult result;
  const auto start = std::chrono::steady_clock::now();
  BatchStep batch = envs.reset(config.seed);
  std::optional<Progress> progress;
  if (config.progress) progress.emplace("rollout " + config.env_id, config.steps, "steps");
  for (int t = 0; t < config.steps; ++t) {
    if (progress) progress->update(t);
    if (!config.fixed_actions.empty()) {
      const auto fixed =
          std::span(config.fixed_actions).subspan(size_t(t) * action_size, action_size);
      for (int i = 0; i < n; ++i) {
        std::copy(fixed.begin(), fixed.end(), actions.begin() + size_t(i) * action_size);
      }
    } else if (config.policy == RolloutPolicy::kRandom) {
      for (int i = 0; i < n; ++i) {
        action_space.sample(policy_rng,
                            std::span(actions).subspan(size_t(i) * action_size, action_size));
      }
    }
    batch = envs.step(actions);
    for (int i = 0; i < n; ++i) {
      if (batch.was_reset[i]) continue;
      ++result.env_steps;
      episode_return[i] += batch.rewards[i];
      ++episode_length[i];
      if (!batch.terminated[i] && !batch.truncated[i]) continue;
      ++result.episodes;
      return_sum += episode_return[i];
      length_sum += episode_length[i];
      if (batch.success[i] >= 0) {
        has_success = true;
        successes += batch.success[i];
      }
      if (batch.reasons[i] == EndReason::kPhysics) ++result.physics_faults;
      note_warnings(envs.env(i).engine_warnings(), result.engine_warnings);
      episode_return[i] = 0;
      episode_length[i] = 0;
    }
  }
  if (progress) {
    progress->update(config.steps);
    progress->finish();
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.steps_per_second = result.seconds > 0 ? result.env_steps / result.seconds : 0;
  if (result.episodes > 0) {
    result.return_mean = return_sum / result.episodes;
    result.length_mean = length_sum / result.episodes;
    if (has_success) result.success_rate = static_cast<double>(successes) / result.episodes;
  }
  result.final_obs.assign(batch.obs.begin(), batch.obs.begin() + envs.obs_size());
  if (envs.spec().has_pixels()) {
    result.pixel_shape = envs.spec().pixel_space->shape();
    // every env renders once per batch step (a step or an autoreset) and once at the start
    result.frames = int64_t(n) * (config.steps + 1);
    result.frames_per_second = result.seconds > 0 ? result.frames / result.seconds : 0;
  }
  result.threads = envs.threads();
  for (int i = 0; i < n; ++i) note_warnings(envs.env(i).engine_warnings(), result.engine_warnings);
  return result;
}

}  // namespace uw::envs
