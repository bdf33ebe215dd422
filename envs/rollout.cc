#include "envs/rollout.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "core/progress.h"
#include "core/random.h"
#include "envs/policy.h"

namespace uw::envs {
namespace {

// Adds a warning to the list unless it is empty or there already.
void note_warnings(std::string warnings, std::vector<std::string>& seen) {
  if (warnings.empty()) return;
  if (std::find(seen.begin(), seen.end(), warnings) == seen.end()) {
    seen.push_back(std::move(warnings));
  }
}

// Where the batch's actions come from: a file's fixed actions, zeros, or a policy whose rows
// are reset at each env's episode start.
class ActionSource {
 public:
  ActionSource(const Registry& registry, const RolloutConfig& config, const VectorEnv& envs)
      : config_(config), space_(envs.spec().action_space), action_size_(envs.action_size()) {
    const size_t fixed_count = action_size_ > 0 ? config.fixed_actions.size() / action_size_ : 0;
    if (!config.fixed_actions.empty() &&
        (config.fixed_actions.size() % action_size_ != 0 || fixed_count < size_t(config.steps))) {
      throw Error("the fixed actions hold " + std::to_string(config.fixed_actions.size()) +
                  " values: expected " + std::to_string(config.steps) + " actions of " +
                  std::to_string(action_size_));
    }
    if (config.fixed_actions.empty() && config.policy != "zero") {
      policy_ = make_policy(config.policy, envs.spec(), registry.find(config.env_id).scripted,
                            envs.num_envs(), registry.policy_kinds());
      for (int i = 0; i < envs.num_envs(); ++i) policy_->bind(i, envs.env(i));
      unit_.assign(size_t(envs.num_envs()) * action_size_, 0.0f);
      episodes_.assign(envs.num_envs(), 0);
    }
    actions_.assign(size_t(envs.num_envs()) * action_size_, 0.0f);
  }

  // Starts the policy's episode of every env that was reset in `batch` (all at the first).
  void start_episodes(const BatchStep& batch, bool all) {
    if (!policy_) return;
    // the policy's streams are independent of the envs' seeds
    const uint64_t base = derive_seed(config_.seed, 0x706f6c696379ULL);
    for (size_t i = 0; i < episodes_.size(); ++i) {
      if (!all && !batch.was_reset[i]) continue;
      policy_->reset(int(i), derive_seed(base, (uint64_t(i) << 32) | episodes_[i]++));
    }
  }

  // The actions of batch step t for the batch's current observations and goals.
  std::span<const float> actions(int t, const BatchStep& batch) {
    if (!config_.fixed_actions.empty()) {
      const auto fixed =
          std::span(config_.fixed_actions).subspan(size_t(t) * action_size_, action_size_);
      for (size_t i = 0; i < actions_.size(); i += action_size_) {
        std::copy(fixed.begin(), fixed.end(), actions_.begin() + i);
      }
    } else if (policy_) {
      policy_->act(batch.obs, batch.goals, unit_);
      for (size_t i = 0; i < actions_.size(); i += action_size_) {
        to_action_space(space_, std::span(unit_).subspan(i, action_size_),
                        std::span(actions_).subspan(i, action_size_));
      }
    }
    return actions_;
  }

 private:
  const RolloutConfig& config_;
  const Space& space_;
  size_t action_size_;
  std::unique_ptr<Policy> policy_;  // none for zeros and fixed actions
  std::vector<float> unit_;         // the policy's, in [-1, 1]
  std::vector<float> actions_;
  std::vector<uint32_t> episodes_;  // per env: episodes started
};

// The per-episode sums of a rollout.
class EpisodeTally {
 public:
  explicit EpisodeTally(int num_envs) : returns_(num_envs, 0.0), lengths_(num_envs, 0) {}

  void add(const BatchStep& batch, const VectorEnv& envs, RolloutResult& result) {
    for (size_t i = 0; i < returns_.size(); ++i) {
      if (batch.was_reset[i]) continue;
      ++result.env_steps;
      returns_[i] += batch.rewards[i];
      ++lengths_[i];
      if (!batch.terminated[i] && !batch.truncated[i]) continue;
      ++result.episodes;
      return_sum_ += returns_[i];
      length_sum_ += lengths_[i];
      if (batch.success[i] >= 0) {
        has_success_ = true;
        successes_ += batch.success[i];
      }
      if (batch.reasons[i] == EndReason::kPhysics) ++result.physics_faults;
      note_warnings(envs.env(int(i)).engine_warnings(), result.engine_warnings);
      returns_[i] = 0;
      lengths_[i] = 0;
    }
  }

  void finish(RolloutResult& result) const {
    if (result.episodes == 0) return;
    result.return_mean = return_sum_ / result.episodes;
    result.length_mean = length_sum_ / result.episodes;
    if (has_success_) result.success_rate = static_cast<double>(successes_) / result.episodes;
  }

 private:
  std::vector<double> returns_;
  std::vector<int> lengths_;
  double return_sum_ = 0;
  double length_sum_ = 0;
  int successes_ = 0;
  bool has_success_ = false;
};

}  // namespace

RolloutResult run_rollout(const Registry& registry, const RolloutConfig& config) {
  if (config.steps < 0) throw Error("steps must be >= 0, got " + std::to_string(config.steps));
  VectorEnv envs(registry.make(config.env_id, config.options),
                 VectorEnvConfig{config.num_envs, config.threads, AutoresetMode::kNextStep});
  const int n = envs.num_envs();
  ActionSource source(registry, config, envs);
  EpisodeTally tally(n);

  RolloutResult result;
  const auto start = std::chrono::steady_clock::now();
  BatchStep batch = envs.reset(config.seed);
  source.start_episodes(batch, /*all=*/true);
  std::optional<Progress> progress;
  if (config.progress) progress.emplace("rollout " + config.env_id, config.steps, "steps");
  for (int t = 0; t < config.steps; ++t) {
    if (progress) progress->update(t);
    batch = envs.step(source.actions(t, batch));
    tally.add(batch, envs, result);
    source.start_episodes(batch, /*all=*/false);
  }
  if (progress) {
    progress->update(config.steps);
    progress->finish();
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.steps_per_second = result.seconds > 0 ? result.env_steps / result.seconds : 0;
  tally.finish(result);
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
