#include "datagen/stats.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "datagen/file_io.h"

namespace uw::data {

DatasetStats dataset_stats(const Dataset& dataset, bool with_content_hash) {
  DatasetStats s;
  s.bytes = dataset.manifest().bytes();
  s.episodes = dataset.size();
  double sum = 0, squares = 0;
  int64_t successes = 0, with_success = 0;
  uint64_t frame_bytes = 0;
  for (int64_t i = 0; i < dataset.size(); ++i) {
    const ShardEntry& e = dataset.entry(i);
    s.steps += e.steps;
    frame_bytes += e.size;
    sum += e.total_reward;
    squares += e.total_reward * e.total_reward;
    s.return_min = i == 0 ? e.total_reward : std::min(s.return_min, e.total_reward);
    s.return_max = i == 0 ? e.total_reward : std::max(s.return_max, e.total_reward);
    s.length_min = i == 0 ? e.steps : std::min(s.length_min, e.steps);
    s.length_max = i == 0 ? e.steps : std::max(s.length_max, e.steps);
    s.terminated += e.terminated;
    s.truncated += e.truncated;
    s.end_reasons[std::string(envs::end_reason_name(e.reason))] += 1;
    if (e.success) {
      ++with_success;
      successes += *e.success;
    }
  }
  if (s.episodes > 0) {
    s.return_mean = sum / s.episodes;
    s.return_std = std::sqrt(std::max(0.0, squares / s.episodes - s.return_mean * s.return_mean));
    s.length_mean = static_cast<double>(s.steps) / s.episodes;
  }
  s.array_bytes = array_bytes(dataset.manifest().layout, s.episodes, s.steps);
  s.compression_ratio = frame_bytes > 0 ? static_cast<double>(s.array_bytes) / frame_bytes : 0;
  if (with_success > 0) s.success_rate = static_cast<double>(successes) / with_success;
  if (with_content_hash) {
    std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(),
                                                                   XXH3_freeState);
    XXH3_128bits_reset(state.get());
    for (int64_t i = 0; i < dataset.size(); ++i) {
      const std::vector<uint8_t> payload = dataset.read_payload(i);
      const uint64_t size = payload.size();
      XXH3_128bits_update(state.get(), &size, sizeof(size));
      XXH3_128bits_update(state.get(), payload.data(), payload.size());
      s.payload_bytes += size;
    }
    const XXH128_hash_t hash = XXH3_128bits_digest(state.get());
    s.content_hash = hex64(hash.high64) + hex64(hash.low64);
  }
  return s;
}

}  // namespace uw::data
