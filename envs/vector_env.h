#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/thread_pool.h"
#include "envs/env.h"

namespace uw::envs {

// What happens when an env of a batch ends its episode (Gymnasium 1.x semantics).
enum class AutoresetMode {
  kNextStep,  // the next step() resets it, ignoring its action, and returns the reset
  kSameStep,  // step() resets it at once; the last observation goes to final_obs
  kDisabled,  // the caller resets it with reset(seed, mask); stepping it before is an error
};

std::string_view autoreset_mode_name(AutoresetMode mode);   // "next-step", "same-step", "disabled"
AutoresetMode parse_autoreset_mode(std::string_view name);  // throws uw::Error

struct VectorEnvConfig {
  int num_envs = 1;
  int threads = 1;
  AutoresetMode autoreset = AutoresetMode::kNextStep;
};

// What a batch is: the spec of each env, how many, and how they reset.
struct VectorSpec {
  EnvSpec env;
  int num_envs = 1;
  AutoresetMode autoreset = AutoresetMode::kNextStep;
};

nlohmann::json vector_spec_to_json(const VectorSpec& spec);

// Views of the batch arrays, owned by the VectorEnv and valid until its next reset or step.
// Row i belongs to env i.
struct BatchStep {
  std::span<const float> obs;  // [num_envs, obs_size]
  // pixel envs: [num_envs, height, width, 3] (see EnvSpec::pixel_space); else empty
  std::span<const uint8_t> pixels;
  std::span<const float> rewards;       // [num_envs]
  std::span<const uint8_t> terminated;  // [num_envs]
  std::span<const uint8_t> truncated;   // [num_envs]
  // reasons and success describe the step taken (with same-step autoreset too, where obs is
  // already the next episode's first observation)
  std::span<const EndReason> reasons;    // [num_envs]
  std::span<const int8_t> success;       // [num_envs]: 1, 0, or -1 for tasks without a goal
  std::span<const std::string> details;  // [num_envs]: what went wrong, for physics faults
  // same-step autoreset: the last observation of each episode that ended in this step
  std::span<const float> final_obs;        // [num_envs, obs_size]
  std::span<const uint8_t> final_pixels;   // [num_envs, height, width, 3] for pixel envs
  std::span<const uint8_t> has_final_obs;  // [num_envs]: final_obs and final_pixels hold it
  // next-step autoreset: envs whose row is a reset, not a step (their action was ignored)
  std::span<const uint8_t> was_reset;  // [num_envs]
  // goal tasks: each env's goal [num_envs, goal_size] and goal observation [num_envs, obs_size]
  // (the next episode's with same-step autoreset); empty for tasks without a goal
  std::span<const float> goals;
  std::span<const float> goal_obs;
};

// N copies of an env stepped together on a thread pool, with batched arrays in and out and no
// allocation per step. Env i is seeded with seed + i. Results do not depend on the thread count.
class VectorEnv {
 public:
  // The batch is `prototype` plus num_envs - 1 clones of it.
  VectorEnv(std::unique_ptr<Env> prototype, VectorEnvConfig config);

  // The spec of each env of the batch.
  const EnvSpec& spec() const { return spec_.env; }
  // The batch's spec: the env spec, the number of envs and the autoreset mode.
  const VectorSpec& vector_spec() const { return spec_; }
  const VectorEnvConfig& config() const { return config_; }
  int num_envs() const { return config_.num_envs; }
  int obs_size() const { return obs_size_; }
  // Bytes of one env's pixel observation (height * width * 3), 0 without pixels.
  int64_t pixel_size() const { return pixel_size_; }
  int threads() const { return pool_.size(); }
  int action_size() const { return action_size_; }

  // Resets every env: env i with seed + i, or continuing its own generator without a seed (the
  // first reset without a seed counts as seed 0, so that the envs differ).
  BatchStep reset(std::optional<uint64_t> seed = std::nullopt);
  // Resets the envs whose mask entry is non-zero (env i with seed + i); the other rows keep
  // their last values.
  BatchStep reset(std::optional<uint64_t> seed, std::span<const uint8_t> mask);
  // Values in one env's saved state (Env::save_state); the same for every env of the batch.
  int64_t state_size() const { return state_size_; }
  // Every env's state into its row of `states` [num_envs, state_size], without allocating.
  void save_states(std::span<double> states) const;
  // Restores the envs whose mask entry is non-zero (every env with an empty mask) from their
  // rows of `states` [num_envs, state_size], and returns the batch with their rows set to the
  // restored observations (reward 0, not terminated or truncated). Allocates nothing.
  // Autoreset: a restored env is exactly in its saved state, whether its episode has ended
  // included. A state saved mid-episode steps on normally, even if the env's episode had ended
  // before the restore. A state saved at the end of an episode is an ended env: with next-step
  // autoreset the next step resets it, with autoreset disabled stepping it is an error until
  // reset(seed, mask), and with same-step autoreset the next step resets it too (its row is then
  // a reset, as with next-step). A state saved before an env's first reset is an ended env too.
  // Throws uw::Error on a wrong size or a state an env refuses, and then every env's state is as
  // it was before the call.
  BatchStep restore_states(std::span<const double> states, std::span<const uint8_t> mask = {});

  // Steps every env with its row of `actions` ([num_envs, action_size]). Throws uw::Error, before
  // any env moves, on a wrong size, a non-finite action, or (autoreset disabled) an ended env.
  BatchStep step(std::span<const float> actions);

  Env& env(int i) { return *envs_[i]; }
  const Env& env(int i) const { return *envs_[i]; }

 private:
  void reset_one(int i, std::optional<uint64_t> seed);
  void step_one(int i, std::span<const float> action);
  void write_row(int i, const TimeStep& step);
  void write_goal(int i);
  void check_states(std::span<const double> states, std::span<const uint8_t> mask) const;
  void write_pixels(std::vector<uint8_t>& batch, int i, const TimeStep& step);
  BatchStep view() const;

  VectorEnvConfig config_;
  std::vector<std::unique_ptr<Env>> envs_;
  VectorSpec spec_;
  mutable ThreadPool pool_;     // mutable: const reads of the batch (save_states) run on it too
  SharingPolicy step_sharing_;  // steps are shared with the pool's workers while that pays
  int obs_size_ = 0;
  int64_t pixel_size_ = 0;
  int action_size_ = 0;
  int64_t state_size_ = 0;
  int64_t goal_size_ = 0;

  std::vector<float> obs_;
  std::vector<uint8_t> pixels_;
  std::vector<uint8_t> final_pixels_;
  std::vector<float> rewards_;
  std::vector<uint8_t> terminated_;
  std::vector<uint8_t> truncated_;
  std::vector<EndReason> reasons_;
  std::vector<int8_t> success_;
  std::vector<std::string> details_;
  std::vector<float> final_obs_;
  std::vector<uint8_t> has_final_obs_;
  std::vector<uint8_t> was_reset_;
  std::vector<float> goals_;
  std::vector<float> goal_obs_;
  std::vector<double> undo_states_;    // restore_states keeps the states it replaces here
  std::vector<uint8_t> episode_over_;  // the env's episode has ended and it awaits a reset
  bool started_ = false;
};

}  // namespace uw::envs
