#include "envs/vector_env.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace uw::envs {

std::string_view autoreset_mode_name(AutoresetMode mode) {
  switch (mode) {
    case AutoresetMode::kNextStep:
      return "next-step";
    case AutoresetMode::kSameStep:
      return "same-step";
    case AutoresetMode::kDisabled:
      return "disabled";
  }
  return "?";
}

AutoresetMode parse_autoreset_mode(std::string_view name) {
  for (AutoresetMode mode :
       {AutoresetMode::kNextStep, AutoresetMode::kSameStep, AutoresetMode::kDisabled}) {
    if (autoreset_mode_name(mode) == name) return mode;
  }
  throw Error("unknown autoreset mode '" + std::string(name) +
              "'; expected next-step, same-step or disabled");
}

nlohmann::json vector_spec_to_json(const VectorSpec& spec) {
  return {{"env", spec_to_json(spec.env)},
          {"num_envs", spec.num_envs},
          {"autoreset_mode", autoreset_mode_name(spec.autoreset)}};
}

VectorEnv::VectorEnv(std::unique_ptr<Env> prototype, VectorEnvConfig config)
    : config_(config), pool_(std::clamp(config.threads, 1, std::max(1, config.num_envs))) {
  UW_CHECK(prototype != nullptr, "VectorEnv needs an env");
  if (config_.num_envs < 1) {
    throw Error("number of envs must be at least 1, got " + std::to_string(config_.num_envs));
  }
  if (config_.threads < 1) {
    throw Error("number of threads must be at least 1, got " + std::to_string(config_.threads));
  }
  envs_.reserve(config_.num_envs);
  envs_.push_back(std::move(prototype));
  for (int i = 1; i < config_.num_envs; ++i) envs_.push_back(envs_.front()->clone());
  spec_ = VectorSpec{envs_.front()->spec(), config_.num_envs, config_.autoreset};

  const int n = config_.num_envs;
  obs_size_ = static_cast<int>(spec().observation_space.flat_size());
  action_size_ = static_cast<int>(spec().action_space.flat_size());
  obs_.assign(size_t(n) * obs_size_, 0.0f);
  pixel_size_ = spec().pixel_space ? spec().pixel_space->flat_size() : 0;
  pixels_.assign(size_t(n) * pixel_size_, 0);
  final_pixels_.assign(size_t(n) * pixel_size_, 0);
  rewards_.assign(n, 0.0f);
  terminated_.assign(n, 0);
  truncated_.assign(n, 0);
  reasons_.assign(n, EndReason::kNone);
  success_.assign(n, -1);
  details_.assign(n, std::string());
  final_obs_.assign(size_t(n) * obs_size_, 0.0f);
  has_final_obs_.assign(n, 0);
  was_reset_.assign(n, 0);
  episode_over_.assign(n, 0);
  state_size_ = envs_.front()->state_size();
  undo_states_.assign(size_t(n) * state_size_, 0.0);
  goal_size_ = spec().goal_space ? spec().goal_space->flat_size() : 0;
  goals_.assign(size_t(n) * goal_size_, 0.0f);
  goal_obs_.assign(goal_size_ > 0 ? size_t(n) * obs_size_ : 0, 0.0f);
}

void VectorEnv::write_goal(int i) {
  const Goal* goal = envs_[i]->goal();
  if (goal == nullptr) return;
  std::copy(goal->values().begin(), goal->values().end(), goals_.begin() + size_t(i) * goal_size_);
  std::copy(goal->observation().begin(), goal->observation().end(),
            goal_obs_.begin() + size_t(i) * obs_size_);
}

void VectorEnv::write_row(int i, const TimeStep& step) {
  std::copy(step.obs.begin(), step.obs.end(), obs_.begin() + size_t(i) * obs_size_);
  write_pixels(pixels_, i, step);
  rewards_[i] = step.reward;
  terminated_[i] = step.terminated;
  truncated_[i] = step.truncated;
  reasons_[i] = step.info.reason;
  success_[i] = step.info.success ? static_cast<int8_t>(*step.info.success) : int8_t{-1};
  if (!step.info.detail.empty() || !details_[i].empty()) details_[i] = step.info.detail;
}

void VectorEnv::write_pixels(std::vector<uint8_t>& batch, int i, const TimeStep& step) {
  UW_CHECK(static_cast<int64_t>(step.pixels.size()) == pixel_size_,
           "env " + spec().id + " returned pixels of another size than its pixel space");
  std::copy(step.pixels.begin(), step.pixels.end(), batch.begin() + size_t(i) * pixel_size_);
}

void VectorEnv::reset_one(int i, std::optional<uint64_t> seed) {
  write_row(i, envs_[i]->reset(seed ? std::optional<uint64_t>(*seed + i) : std::nullopt));
  write_goal(i);
  episode_over_[i] = 0;
}

BatchStep VectorEnv::reset(std::optional<uint64_t> seed) {
  const std::vector<uint8_t> all(config_.num_envs, 1);
  return reset(seed, all);
}

BatchStep VectorEnv::reset(std::optional<uint64_t> seed, std::span<const uint8_t> mask) {
  if (static_cast<int>(mask.size()) != config_.num_envs) {
    throw Error("reset mask has " + std::to_string(mask.size()) + " entries, expected " +
                std::to_string(config_.num_envs));
  }
  if (!started_ && !std::all_of(mask.begin(), mask.end(), [](uint8_t m) { return m != 0; })) {
    throw Error("the first reset of a vector env must reset every env");
  }
  // the envs are clones with one generator state: an unseeded first reset would start them all
  // alike, so it counts as seed 0 (env i gets seed i)
  if (!started_ && !seed) seed = 0;
  pool_.parallel_for(config_.num_envs, [&](int begin, int end) {
    for (int i = begin; i < end; ++i) {
      has_final_obs_[i] = 0;
      was_reset_[i] = mask[i] != 0;
      if (mask[i]) reset_one(i, seed);
    }
  });
  started_ = true;
  return view();
}

void VectorEnv::step_one(int i, std::span<const float> action) {
  has_final_obs_[i] = 0;
  was_reset_[i] = 0;
  // an ended env: after next-step autoreset's end of an episode, or restored to an ended state
  if (config_.autoreset != AutoresetMode::kDisabled && episode_over_[i]) {
    reset_one(i, std::nullopt);
    was_reset_[i] = 1;
    return;
  }
  const TimeStep step = envs_[i]->step(action);
  write_row(i, step);
  if (!step.done()) return;
  episode_over_[i] = 1;
  if (config_.autoreset == AutoresetMode::kSameStep) {
    std::copy(step.obs.begin(), step.obs.end(), final_obs_.begin() + size_t(i) * obs_size_);
    write_pixels(final_pixels_, i, step);
    has_final_obs_[i] = 1;
    // the step's reward and flags stay; the observation becomes the new episode's first
    const TimeStep first = envs_[i]->reset(std::nullopt);
    std::copy(first.obs.begin(), first.obs.end(), obs_.begin() + size_t(i) * obs_size_);
    write_pixels(pixels_, i, first);
    write_goal(i);
    episode_over_[i] = 0;
  }
}

BatchStep VectorEnv::step(std::span<const float> actions) {
  if (!started_) throw Error("vector env " + spec().id + ": step() before reset()");
  const size_t expected = size_t(config_.num_envs) * action_size_;
  if (actions.size() != expected) {
    throw Error("vector env " + spec().id + ": actions have " + std::to_string(actions.size()) +
                " values, expected " + std::to_string(expected) + " (" +
                std::to_string(config_.num_envs) + " envs x " + std::to_string(action_size_) + ")");
  }
  // check everything before any env moves, so a bad batch changes nothing
  for (int i = 0; i < config_.num_envs; ++i) {
    if (config_.autoreset == AutoresetMode::kDisabled && episode_over_[i]) {
      throw Error("vector env " + spec().id + ": env " + std::to_string(i) +
                  " has ended its episode; reset it (autoreset is disabled)");
    }
    for (int k = 0; k < action_size_; ++k) {
      const float a = actions[size_t(i) * action_size_ + k];
      if (!std::isfinite(a)) {
        throw Error("vector env " + spec().id + ": action[" + std::to_string(k) + "] of env " +
                    std::to_string(i) + " is " + (std::isnan(a) ? "NaN" : "infinite"));
      }
    }
  }
  pool_.parallel_for(
      config_.num_envs,
      [&](int begin, int end) {
        for (int i = begin; i < end; ++i) {
          step_one(i, actions.subspan(size_t(i) * action_size_, action_size_));
        }
      },
      &step_sharing_);
  return view();
}

void VectorEnv::save_states(std::span<double> states) const {
  if (static_cast<int64_t>(states.size()) != config_.num_envs * state_size_) {
    throw Error("vector env " + spec().id + ": a states buffer needs " +
                std::to_string(config_.num_envs) + " x " + std::to_string(state_size_) +
                " values, got " + std::to_string(states.size()));
  }
  pool_.parallel_for(config_.num_envs, [&](int begin, int end) {
    for (int i = begin; i < end; ++i) {
      envs_[i]->save_state_to(states.subspan(size_t(i) * state_size_, state_size_));
    }
  });
}

void VectorEnv::check_states(std::span<const double> states, std::span<const uint8_t> mask) const {
  if (static_cast<int64_t>(states.size()) != config_.num_envs * state_size_) {
    throw Error("vector env " + spec().id + ": states to restore need " +
                std::to_string(config_.num_envs) + " x " + std::to_string(state_size_) +
                " values, got " + std::to_string(states.size()));
  }
  if (!mask.empty() && static_cast<int>(mask.size()) != config_.num_envs) {
    throw Error("vector env " + spec().id + ": restore mask has " + std::to_string(mask.size()) +
                " entries, expected " + std::to_string(config_.num_envs));
  }
  if (!started_ && !mask.empty() &&
      !std::all_of(mask.begin(), mask.end(), [](uint8_t m) { return m != 0; })) {
    throw Error("vector env " + spec().id +
                ": before the first reset, a restore must set every env");
  }
}

BatchStep VectorEnv::restore_states(std::span<const double> states, std::span<const uint8_t> mask) {
  check_states(states, mask);
  auto chosen = [&](int i) { return mask.empty() || mask[i] != 0; };
  auto row = [&](auto all, int i) { return all.subspan(size_t(i) * state_size_, state_size_); };
  // the chosen envs' states before the call, to go back to on an error
  for (int i = 0; i < config_.num_envs; ++i) {
    if (chosen(i)) envs_[i]->save_state_to(row(std::span(undo_states_), i));
  }
  try {
    pool_.parallel_for(config_.num_envs, [&](int begin, int end) {
      for (int i = begin; i < end; ++i) {
        if (!chosen(i)) continue;
        try {
          envs_[i]->restore_state(row(states, i));
        } catch (const Error& e) {
          throw Error("vector env " + spec().id + ": env " + std::to_string(i) + ": " + e.what());
        }
      }
    });
  } catch (...) {
    // the states saved just now restore exactly: every env is as it was before the call
    for (int i = 0; i < config_.num_envs; ++i) {
      if (chosen(i)) envs_[i]->restore_state(row(std::span<const double>(undo_states_), i));
    }
    throw;
  }
  for (int i = 0; i < config_.num_envs; ++i) {
    if (!chosen(i)) continue;
    has_final_obs_[i] = 0;
    was_reset_[i] = 0;
    TimeStep restored;
    restored.obs = envs_[i]->observation();
    restored.pixels = envs_[i]->pixels();
    if (const Goal* goal = envs_[i]->goal()) restored.info.success = goal->reached();
    write_row(i, restored);
    write_goal(i);
    episode_over_[i] = envs_[i]->episode_ended();
  }
  started_ = true;
  return view();
}

BatchStep VectorEnv::view() const {
  BatchStep batch;
  batch.obs = obs_;
  batch.pixels = pixels_;
  batch.rewards = rewards_;
  batch.terminated = terminated_;
  batch.truncated = truncated_;
  batch.reasons = reasons_;
  batch.success = success_;
  batch.details = details_;
  batch.final_obs = final_obs_;
  batch.final_pixels = final_pixels_;
  batch.has_final_obs = has_final_obs_;
  batch.was_reset = was_reset_;
  batch.goals = goals_;
  batch.goal_obs = goal_obs_;
  return batch;
}

}  // namespace uw::envs
