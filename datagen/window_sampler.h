#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/random.h"
#include "datagen/dataset.h"
#include "datagen/episode.h"

namespace uw::data {

// A batch of B windows of L transitions each.
struct WindowBatch {
  int64_t size = 0;                 // B
  int64_t window = 0;               // L
  std::vector<float> observations;  // [B, L+1, D]: the observations around the L steps
  std::vector<float> actions;       // [B, L, A]
  std::vector<float> rewards;       // [B, L]
  std::vector<uint8_t> terminated;  // [B, L]: 1 where the episode terminated with that step
  std::vector<uint8_t> pixels;      // [B, L+1, H, W, 3] when the episodes have pictures
  std::vector<float> goals;         // [B, G] for goal tasks: each window's episode goal
  std::vector<float> goal_observations;  // [B, D] for goal tasks
  std::vector<int64_t> episode;          // [B]: the episode number of each window
  std::vector<int64_t> start;            // [B]: its first step
};

// Uniformly random windows of L consecutive steps from episodes held in memory, as training
// wants them. Every window lies inside one episode; episodes shorter than L give none.
class WindowSampler {
 public:
  // Episodes of `layout` (pictures and goals are kept when it has them; states never are).
  WindowSampler(const EpisodeLayout& layout, int64_t window);
  // Observations and actions only.
  WindowSampler(int64_t obs_size, int64_t action_size, int64_t window);

  // Copies the episode's observations, actions, rewards, pictures and goal in.
  void add(const Episode& episode);
  void clear();

  // The number of distinct windows: a sample picks each with equal probability.
  int64_t windows() const { return cumulative_.empty() ? 0 : cumulative_.back(); }
  int64_t episodes() const { return static_cast<int64_t>(episodes_.size()); }
  int64_t window() const { return window_; }
  const EpisodeLayout& layout() const { return layout_; }
  // The held episodes' observations [rows, D]: T+1 rows per episode, in the order added.
  std::span<const float> observations() const { return observations_; }
  std::span<const float> actions() const { return actions_; }

  // Fills `out` with `batch` windows (reusing its buffers: no allocation once sized). Throws
  // uw::Error when there is no window to sample.
  void sample(Rng& rng, int64_t batch, WindowBatch& out) const;

 private:
  struct Held {
    int64_t number = 0;
    int64_t steps = 0;
    int64_t first_row = 0;   // into observations_ (T+1 rows per episode)
    int64_t first_step = 0;  // into actions_ and rewards_ (T rows)
    bool terminated = false;
  };

  EpisodeLayout layout_;
  int64_t obs_size_, action_size_, window_;
  std::vector<float> observations_;
  std::vector<float> actions_;
  std::vector<float> rewards_;
  std::vector<uint8_t> pixels_;  // [rows, H, W, 3]
  std::vector<float> goals_;     // [episodes, G]
  std::vector<float> goal_observations_;  // [episodes, D]
  std::vector<Held> episodes_;
  std::vector<int64_t> cumulative_;  // windows in episodes [0, i]
};

// Every readable episode of a dataset in one sampler.
WindowSampler load_window_sampler(Dataset& dataset, int64_t window);
// Every readable episode into one of two samplers: the held-out episodes (episode numbers k
// with k mod every = every - 1) and the others, for training, each with its window length.
struct SplitSamplers {
  WindowSampler train;
  WindowSampler heldout;
};
SplitSamplers load_split_samplers(Dataset& dataset, int64_t train_window, int64_t heldout_window,
                                  int64_t heldout_every);

}  // namespace uw::data
