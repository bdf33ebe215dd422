#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/options.h"
#include "envs/policy.h"
#include "envs/registry.h"
#include "viewer/scene_view.h"

namespace uw::viewer {

// What the UI shows of a live env, copied out under the session's lock.
struct LiveSnapshot {
  int64_t episode = 0;  // episodes started
  int64_t step = 0;     // steps into the current episode
  double episode_return = 0;
  std::string last_end;             // how the previous episode ended, "" before any
  std::vector<float> rewards;       // this episode's, the latest kPlotSteps
  std::vector<float> observations;  // [n, D], the same steps (the one after each step)
  std::vector<float> actions;       // [n, A]
  std::vector<uint8_t> pixels;      // the pixel observation, for pixel envs
  std::vector<std::string> errors;  // what went wrong, oldest first
  double steps_per_second = 0;      // achieved, over the last second
  bool playing = false;
};

// A live env stepped on its own thread, so that a slow policy never freezes the window: the
// thread computes the action outside the lock, and holds it only to step and record. The UI
// thread copies the world and the history under the lock (snapshot) and draws outside it. An
// episode that ends starts again from the next seed. Errors (a failing reset or step, a bad
// policy spec) go to the snapshot's errors and pause the play; nothing is thrown at the UI.
class LiveSession {
 public:
  static constexpr size_t kPlotSteps = 1000;

  // Makes the env (throws uw::Error on an unknown id or option, naming it) and resets it with
  // `seed`; `policy` is a behaviour policy spec (random, scripted, ou, ...) or "manual" for
  // the sliders.
  LiveSession(const envs::Registry& registry, const std::string& env_id, const Options& options,
              uint64_t seed, const std::string& policy);
  ~LiveSession();
  LiveSession(const LiveSession&) = delete;
  LiveSession& operator=(const LiveSession&) = delete;

  const envs::EnvSpec& spec() const { return spec_; }
  double control_dt() const { return spec_.control_dt(); }

  void set_playing(bool playing);
  void step_once();
  void reset(uint64_t seed);
  // Speed against real time, clamped into [0.1, 10].
  void set_speed(double speed);
  double speed() const;
  // A policy spec, or "manual"; a bad spec becomes an error and keeps the current policy.
  void set_policy(const std::string& spec);
  // A policy of one row made elsewhere (the agent mode's watched agent), under `name`; nullptr
  // for manual.
  void use_policy(std::unique_ptr<envs::Policy> policy, const std::string& name);
  std::string policy() const;
  // The manual action, normalised to [-1, 1] per dimension (the sliders).
  void set_manual_action(std::span<const float> unit);

  // Copies the world into `view` and the history into `out`.
  void snapshot(SceneView& view, LiveSnapshot& out);

 private:
  void run();
  // Binds the policy set from the UI to the env and makes it the acting one (on a bad bind,
  // an error, and the acting one stays).
  void swap_policy_locked();
  void reset_locked(uint64_t seed);
  void record_locked(std::span<const float> action, float reward);
  void fail_locked(const std::string& what);

  const envs::Registry& registry_;
  const envs::EnvEntry& entry_;
  std::unique_ptr<envs::Env> env_;
  envs::EnvSpec spec_;
  // the policy the thread acts with (nullptr: manual), and one set from the UI, swapped in by
  // the thread
  std::unique_ptr<envs::Policy> policy_;
  std::string policy_spec_;
  std::unique_ptr<envs::Policy> pending_policy_;
  std::string pending_policy_spec_;
  bool policy_changed_ = false;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool playing_ = true;
  int pending_steps_ = 0;
  bool reset_pending_ = false;
  uint64_t reset_seed_ = 0;
  uint64_t next_seed_ = 0;
  double speed_ = 1.0;
  std::vector<float> manual_;  // normalised
  LiveSnapshot state_;
  std::vector<double> step_times_;  // seconds, for the rate

  std::thread thread_;
};

}  // namespace uw::viewer
