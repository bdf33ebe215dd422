#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "envs/env.h"

namespace uw::data {

// The array sizes of a dataset's episodes: fixed by the env spec and the env's state size.
struct EpisodeLayout {
  int64_t obs_size = 0;      // D
  int64_t action_size = 0;   // A
  int64_t state_size = 0;    // S: Env::save_state() values
  int64_t goal_size = 0;     // G: 0 without a goal
  int64_t pixel_height = 0;  // 0 without pixels
  int64_t pixel_width = 0;
  // which steps keep their state: every K-th (t = 0, K, 2K, ...), 1 = all, 0 = none
  int64_t state_every = 1;

  int64_t pixel_size() const { return pixel_height * pixel_width * 3; }
  friend bool operator==(const EpisodeLayout&, const EpisodeLayout&) = default;
};

// One recorded episode of T steps. Arrays are row-major by time step.
struct Episode {
  int64_t index = 0;                // its number k in the dataset
  uint64_t seed = 0;                // the seed the env was reset with
  std::string policy;               // the behaviour policy that acted (a mixture's component)
  int64_t steps = 0;                // T
  std::vector<float> observations;  // [T+1, D]
  std::vector<float> actions;       // [T, A], as given to step (inside the action space)
  std::vector<float> rewards;       // [T]
  // [R, S]: Env::save_state() at steps 0, K, 2K, ... <= T (K = state_every; all T+1 steps for
  // K = 1, none for K = 0): R = state_rows(T, K)
  std::vector<double> states;
  int64_t state_every = 1;
  std::vector<float> goal;          // [G]
  std::vector<float> goal_observation;  // [D] when G > 0
  std::vector<uint8_t> pixels;          // [T+1, H, W, 3]
  bool terminated = false;
  bool truncated = false;
  envs::EndReason reason = envs::EndReason::kNone;
  std::optional<bool> success;  // goal tasks: whether the last observation reached the goal

  double total_reward() const;
};

// The state rows an episode of `steps` steps keeps when every K-th step's state is stored.
inline int64_t state_rows(int64_t steps, int64_t every) {
  return every == 0 ? 0 : steps / every + 1;
}
// "all", "none", "every=K"; and back (throws uw::Error on anything else, naming it).
std::string states_text(int64_t every);
int64_t parse_states(const std::string& text);

// The most bytes the payload of an episode of at most `steps` steps can take (its arrays, the
// header and the longest policy name), and so also the most its arrays take decoded: readers
// refuse frames that claim more, so a corrupt size cannot make them allocate without bound.
uint64_t payload_bound(const EpisodeLayout& layout, int64_t steps);

// What `episodes` episodes of `steps` steps in all take as plain arrays (float32, states float64,
// pixels uint8): the size compression ratios are measured against.
uint64_t array_bytes(const EpisodeLayout& layout, int64_t episodes, int64_t steps);

// The largest array size a layout may hold (per observation, action, state, goal, picture).
inline constexpr int64_t kMaxLayoutSize = int64_t{1} << 24;

// How payloads and shard indexes store Episode::success in a byte: 0 no, 1 yes, 2 no goal.
inline uint8_t success_code(const std::optional<bool>& success) {
  return success ? (*success ? 1 : 0) : 2;
}
inline std::optional<bool> success_from_code(uint8_t code) {
  return code < 2 ? std::optional<bool>(code == 1) : std::nullopt;
}

// The first way `episode` does not fit `layout` (array sizes, an end without a reason, a
// non-finite value), or an empty string.
std::string episode_problem(const Episode& episode, const EpisodeLayout& layout);

}  // namespace uw::data
