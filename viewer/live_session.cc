#include "viewer/live_session.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"

namespace uw::viewer {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_now() {
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

// Keeps the latest `keep` rows of a [n, width] history, trimming in blocks so that a step
// costs O(width) on average.
void trim_rows(std::vector<float>& rows, size_t width, size_t keep) {
  if (width == 0 || rows.size() <= 2 * keep * width) return;
  rows.erase(rows.begin(), rows.end() - static_cast<std::ptrdiff_t>(keep * width));
}

}  // namespace

LiveSession::LiveSession(const envs::Registry& registry, const std::string& env_id,
                         const Options& options, uint64_t seed, const std::string& policy)
    : registry_(registry),
      entry_(registry.find(env_id)),
      env_(registry.make(env_id, options)),
      spec_(env_->spec()),
      reset_seed_(seed),
      next_seed_(seed + 1),
      manual_(static_cast<size_t>(spec_.action_space.flat_size()), 0.0f) {
  set_policy(policy);
  if (!state_.errors.empty()) throw Error(state_.errors.back());
  std::lock_guard lock(mutex_);
  swap_policy_locked();
  if (!state_.errors.empty()) throw Error(state_.errors.back());
  reset_locked(seed);
  thread_ = std::thread([this] { run(); });
}

LiveSession::~LiveSession() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void LiveSession::set_playing(bool playing) {
  {
    std::lock_guard lock(mutex_);
    playing_ = playing;
  }
  wake_.notify_all();
}

void LiveSession::step_once() {
  {
    std::lock_guard lock(mutex_);
    playing_ = false;
    ++pending_steps_;
  }
  wake_.notify_all();
}

void LiveSession::reset(uint64_t seed) {
  {
    std::lock_guard lock(mutex_);
    reset_pending_ = true;
    reset_seed_ = seed;
    next_seed_ = seed + 1;
  }
  wake_.notify_all();
}

void LiveSession::set_speed(double speed) {
  std::lock_guard lock(mutex_);
  speed_ = std::clamp(speed, 0.1, 10.0);
}

double LiveSession::speed() const {
  std::lock_guard lock(mutex_);
  return speed_;
}

void LiveSession::set_policy(const std::string& spec) {
  std::unique_ptr<envs::Policy> made;
  if (spec != "manual") {
    try {  // bound to the env by the session's thread, which owns the env once it runs
      made = envs::make_policy(spec, spec_, entry_.scripted, 1, registry_.policy_kinds());
    } catch (const Error& e) {
      std::lock_guard lock(mutex_);
      fail_locked("policy '" + spec + "': " + e.what());
      return;
    }
  }
  use_policy(std::move(made), spec);
}

void LiveSession::use_policy(std::unique_ptr<envs::Policy> policy, const std::string& name) {
  std::lock_guard lock(mutex_);
  pending_policy_ = std::move(policy);
  pending_policy_spec_ = name;
  policy_changed_ = true;
}

std::string LiveSession::policy() const {
  std::lock_guard lock(mutex_);
  return policy_changed_ ? pending_policy_spec_ : policy_spec_;
}

void LiveSession::set_manual_action(std::span<const float> unit) {
  std::lock_guard lock(mutex_);
  const size_t n = std::min(unit.size(), manual_.size());
  std::copy_n(unit.begin(), n, manual_.begin());
}

void LiveSession::snapshot(SceneView& view, LiveSnapshot& out) {
  std::lock_guard lock(mutex_);
  if (const sim::World* world = env_->world()) view.sync(world->draw());
  out = state_;
  out.playing = playing_;
  const std::span<const uint8_t> pixels = env_->pixels();
  out.pixels.assign(pixels.begin(), pixels.end());
  const double now = seconds_now();
  out.steps_per_second = static_cast<double>(
      std::count_if(step_times_.begin(), step_times_.end(), [&](double t) { return t > now - 1; }));
}

void LiveSession::swap_policy_locked() {
  policy_changed_ = false;
  if (pending_policy_ != nullptr) {
    try {
      pending_policy_->bind(0, *env_);
    } catch (const Error& e) {
      fail_locked("policy '" + pending_policy_spec_ + "': " + e.what());
      pending_policy_.reset();
      return;
    }
  }
  policy_ = std::move(pending_policy_);
  policy_spec_ = pending_policy_spec_;
}

void LiveSession::reset_locked(uint64_t seed) {
  try {
    env_->reset(seed);
    if (policy_ != nullptr) policy_->reset(0, seed);
  } catch (const Error& e) {
    fail_locked(std::string("reset: ") + e.what());
    return;
  }
  ++state_.episode;
  state_.step = 0;
  state_.episode_return = 0;
  state_.rewards.clear();
  state_.actions.clear();
  const std::span<const float> obs = env_->observation();
  state_.observations.assign(obs.begin(), obs.end());
}

void LiveSession::record_locked(std::span<const float> action, float reward) {
  const size_t d = static_cast<size_t>(spec_.observation_space.flat_size());
  ++state_.step;
  state_.episode_return += reward;
  state_.rewards.push_back(reward);
  state_.actions.insert(state_.actions.end(), action.begin(), action.end());
  const std::span<const float> obs = env_->observation();
  state_.observations.insert(state_.observations.end(), obs.begin(), obs.end());
  trim_rows(state_.rewards, 1, kPlotSteps);
  trim_rows(state_.actions, action.size(), kPlotSteps);
  trim_rows(state_.observations, d, kPlotSteps);
  const double now = seconds_now();
  step_times_.push_back(now);
  if (step_times_.size() > 4096) step_times_.erase(step_times_.begin(), step_times_.begin() + 2048);
}

void LiveSession::fail_locked(const std::string& what) {
  state_.errors.push_back(what);
  if (state_.errors.size() > 20) state_.errors.erase(state_.errors.begin());
  playing_ = false;
}

void LiveSession::run() {
  const size_t a = static_cast<size_t>(spec_.action_space.flat_size());
  std::vector<float> unit(a), action(a), obs, goal;
  auto due = Clock::now();
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || reset_pending_ || playing_ || pending_steps_ > 0; });
    if (stop_) return;
    if (policy_changed_) {  // the thread owns the policy it acts with: swap it in here
      swap_policy_locked();
      if (policy_ != nullptr) policy_->reset(0, next_seed_);
    }
    if (reset_pending_) {
      reset_pending_ = false;
      reset_locked(reset_seed_);
      continue;
    }
    if (pending_steps_ == 0) {  // playing: wait until the step is due, or a command comes
      if (wake_.wait_until(lock, due, [&] {
            return stop_ || reset_pending_ || policy_changed_ || !playing_ || pending_steps_ > 0;
          })) {
        continue;
      }
    } else {
      --pending_steps_;
    }
    const auto period = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(spec_.control_dt() / speed_));
    due = std::max(due + period, Clock::now() - period);
    if (env_->episode_ended()) {  // the ended episode stayed on screen for one step's time
      reset_locked(next_seed_++);
      continue;
    }
    // the action is computed outside the lock: only this thread changes the env
    const std::span<const float> now_obs = env_->observation();
    obs.assign(now_obs.begin(), now_obs.end());
    goal.clear();
    if (const envs::Goal* g = env_->goal()) goal.assign(g->values().begin(), g->values().end());
    envs::Policy* policy = policy_.get();
    if (policy == nullptr) unit = manual_;
    lock.unlock();
    if (policy != nullptr) policy->act(obs, goal, unit);
    envs::to_action_space(spec_.action_space, unit, action);
    lock.lock();
    try {
      const envs::TimeStep step = env_->step(action);
      record_locked(action, step.reward);
      if (step.done()) {
        state_.last_end = "episode " + std::to_string(state_.episode) + " " +
                          std::string(envs::end_reason_name(step.info.reason)) + " after " +
                          std::to_string(state_.step) + " steps, return " +
                          std::to_string(state_.episode_return);
      }
    } catch (const Error& e) {
      fail_locked(std::string("step: ") + e.what());
    }
  }
}

}  // namespace uw::viewer
