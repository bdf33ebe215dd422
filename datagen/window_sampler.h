#pragma once

#include <cstdint>
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
  std::vector<int64_t> episode;     // [B]: the episode number of each window
  std::vector<int64_t> start;       // [B]: its first step
};

// Uniformly random windows of L consecutive steps from episodes held in memory, as training
// wants them. Every window lies inside one episode; episodes shorter than L give none.
class WindowSampler {
 public:
  WindowSampler(int64_t obs_size, int64_t action_size, int64_t window);

  // Copies the episode's observations, actions and rewards in.
  void add(const Episode& episode);
  void clear();

  // The number of distinct windows: a sample picks each with equal probability.
  int64_t windows() const { return cumulative_.empty() ? 0 : cumulative_.back(); }
  int64_t episodes() const { return static_cast<int64_t>(episodes_.size()); }

  // Fills `out` with `batch` windows (reusing its buffers: no allocation once sized). Throws
  // uw::Error when there is no window to sample.
  void sample(Rng& rng, int64_t batch, WindowBatch& out) const;

 private:
  struct Held {
    int64_t number = 0;
    int64_t steps = 0;
    int64_t first_row = 0;   // into observations_ (T+1 rows per episode)
    int64_t first_step = 0;  // into actions_ and rewards_ (T rows)
  };

  int64_t obs_size_, action_size_, window_;
  std::vector<float> observations_;
  std::vector<float> actions_;
  std::vector<float> rewards_;
  std::vector<Held> episodes_;
  std::vector<int64_t> cumulative_;  // windows in episodes [0, i]
};

// Every readable episode of a dataset in one sampler.
WindowSampler load_window_sampler(Dataset& dataset, int64_t window);

// Streams a dataset shard by shard in a seeded random order, for datasets larger than memory:
// next() hands out the episodes of one shard at a time; after the last shard a new pass starts
// in a new order.
class ShardStream {
 public:
  ShardStream(const Dataset& dataset, uint64_t seed);
  // Replaces `out` with the next shard's episodes.
  void next(std::vector<Episode>& out);

 private:
  void shuffle();

  const Dataset& dataset_;
  Rng rng_;
  std::vector<std::pair<int64_t, int64_t>> shards_;  // [first, last) positions per shard
  std::vector<size_t> order_;
  size_t at_ = 0;
};

}  // namespace uw::data
