#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "datagen/dataset.h"
#include "datagen/window_sampler.h"

namespace uw::data {

// Training episodes streamed through memory a pool at a time, for datasets larger than memory.
// Each pass over the episodes shuffles them (seeded by the pass) and cuts the order into pools
// of `pool_episodes`; pool p is pool p mod P of pass p / P (P pools per pass). A pool is a pure
// function of (seed, p), so what training draws from it is the same at any thread count and
// after a resume.
class EpisodePools {
 public:
  // `positions`: the dataset positions of the episodes to stream (the training split).
  EpisodePools(const Dataset& dataset, std::vector<int64_t> positions, int64_t pool_episodes,
               int64_t window, uint64_t seed);

  int64_t pools_per_pass() const;
  // The dataset positions in pool p, in the pass's shuffled order.
  std::vector<int64_t> members(int64_t pool) const;
  // Reads pool p's episodes into a sampler of the stream's window length. Thread-safe.
  std::shared_ptr<const WindowSampler> load(int64_t pool) const;

 private:
  const Dataset& dataset_;
  std::vector<int64_t> positions_;
  int64_t pool_episodes_;
  int64_t window_;
  uint64_t seed_;
};

}  // namespace uw::data
