#include "datagen/recorder.h"

#include "core/error.h"

namespace uw::data {
namespace {

template <class T>
void append(std::vector<T>& to, std::span<const T> values) {
  to.insert(to.end(), values.begin(), values.end());
}

}  // namespace

EpisodeRecorder::EpisodeRecorder(const envs::Registry& registry, const GenerationConfig& config)
    : config_(config), env_(registry.make(config.env_id, config.options)) {
  const envs::EnvSpec& spec = env_->spec();
  scripted_ = registry.find(config.env_id).scripted;
  policy_ = envs::make_policy(config.policy, spec, scripted_, 1, registry.policy_kinds());
  policy_description_ =
      envs::describe_policy(config.policy, spec, scripted_, registry.policy_kinds());
  policy_->bind(0, *env_);
  goal_ = env_->goal();
  layout_.obs_size = spec.observation_space.flat_size();
  layout_.action_size = spec.action_space.flat_size();
  layout_.state_size = static_cast<int64_t>(env_->save_state().size());
  layout_.state_every = config.state_every;
  layout_.goal_size = spec.goal_space ? spec.goal_space->flat_size() : 0;
  if (spec.pixel_space) {
    layout_.pixel_height = spec.pixel_space->shape()[0];
    layout_.pixel_width = spec.pixel_space->shape()[1];
  }
  step_limit_ = spec.max_episode_steps;
  if (config.max_steps > 0 && (step_limit_ <= 0 || config.max_steps < step_limit_)) {
    step_limit_ = config.max_steps;
  }
  if (step_limit_ <= 0) {
    throw Error("env '" + config.env_id + "' has no time limit: give --max-steps");
  }
  action_.resize(layout_.action_size);
  unit_action_.resize(layout_.action_size);
}

Episode EpisodeRecorder::record(int64_t k) {
  Episode e;
  run(k, true, e);
  return e;
}

void EpisodeRecorder::record_into(int64_t k, Episode& e) { run(k, true, e); }

int64_t EpisodeRecorder::run_only(int64_t k) {
  Episode e;
  run(k, false, e);
  return e.steps;
}

void EpisodeRecorder::run(int64_t k, bool keep, Episode& e) {
  // clear everything, keeping the arrays' memory
  for (auto* values : {&e.observations, &e.actions, &e.rewards, &e.goal, &e.goal_observation}) {
    values->clear();
  }
  e.states.clear();
  e.pixels.clear();
  e.steps = 0;
  e.terminated = e.truncated = false;
  e.reason = envs::EndReason::kNone;
  e.index = k;
  e.state_every = config_.state_every;
  e.seed = episode_seed(config_.seed, k);
  envs::TimeStep step = env_->reset(e.seed);
  policy_->reset(0, policy_seed(e.seed));
  e.policy = policy_->name(0);
  if (goal_ != nullptr && keep) {
    append(e.goal, goal_->values());
    append(e.goal_observation, goal_->observation());
  }
  // reserve for the whole time limit: most episodes run to it
  const auto rows = keep ? static_cast<size_t>(step_limit_ + 1) : 0;
  e.observations.reserve(rows * layout_.obs_size);
  e.states.reserve(static_cast<size_t>(keep ? state_rows(step_limit_, config_.state_every) : 0) *
                   layout_.state_size);
  e.actions.reserve(rows * layout_.action_size);
  e.rewards.reserve(rows);
  e.pixels.reserve(rows * layout_.pixel_size());
  const auto observe = [&](const envs::TimeStep& s) {
    if (!keep) return;
    append(e.observations, s.obs);
    append(e.pixels, s.pixels);
    if (config_.state_every > 0 && e.steps % config_.state_every == 0) env_->append_state(e.states);
  };
  observe(step);
  while (true) {
    policy_->act(step.obs, goal_ != nullptr ? goal_->values() : std::span<const float>(),
                 unit_action_);
    envs::to_action_space(env_->spec().action_space, unit_action_, action_);
    step = env_->step(action_);
    if (keep) {
      append(e.actions, std::span<const float>(action_));
      e.rewards.push_back(step.reward);
    }
    ++e.steps;
    observe(step);
    if (step.done()) {
      e.terminated = step.terminated;
      e.truncated = step.truncated;
      e.reason = step.info.reason;
      break;
    }
    if (e.steps >= step_limit_) {  // the generator's own limit, shorter than the env's
      e.truncated = true;
      e.reason = envs::EndReason::kTimeLimit;
      break;
    }
  }
  e.success = step.info.success;
}

}  // namespace uw::data
