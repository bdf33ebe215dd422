#include "datagen/episode_pools.h"

#include <algorithm>

#include "core/error.h"
#include "core/random.h"
#include "datagen/file_io.h"

namespace uw::data {

EpisodePools::EpisodePools(const Dataset& dataset, std::vector<int64_t> positions,
                           int64_t pool_episodes, int64_t window, uint64_t seed)
    : dataset_(dataset),
      positions_(std::move(positions)),
      pool_episodes_(pool_episodes),
      window_(window),
      seed_(seed) {
  if (pool_episodes < 1) {
    throw Error("a pool of " + std::to_string(pool_episodes) + " episodes: expected at least 1");
  }
  if (positions_.empty()) {
    throw Error("dataset " + quoted(dataset.dir()) + " has no episodes to stream");
  }
}

int64_t EpisodePools::pools_per_pass() const {
  const auto episodes = static_cast<int64_t>(positions_.size());
  return (episodes + pool_episodes_ - 1) / pool_episodes_;
}

std::vector<int64_t> EpisodePools::members(int64_t pool) const {
  const int64_t pass = pool / pools_per_pass(), at = pool % pools_per_pass();
  std::vector<int64_t> order = positions_;
  Rng rng(derive_seed(seed_, static_cast<uint64_t>(pass)));
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.uniform_int(i)]);
  const int64_t first = at * pool_episodes_;
  const int64_t last =
      std::min<int64_t>(first + pool_episodes_, static_cast<int64_t>(order.size()));
  return {order.begin() + first, order.begin() + last};
}

std::shared_ptr<const WindowSampler> EpisodePools::load(int64_t pool) const {
  auto sampler = std::make_shared<WindowSampler>(dataset_.manifest().layout, window_);
  for (const int64_t position : members(pool)) sampler->add(dataset_.read(position));
  return sampler;
}

}  // namespace uw::data
