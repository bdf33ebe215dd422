#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "datagen/dataset.h"

namespace uw::data {

// What `umwelt dataset info` reports.
struct DatasetStats {
  int64_t episodes = 0;
  int64_t steps = 0;
  uint64_t bytes = 0;              // shard files
  uint64_t array_bytes = 0;        // the episodes as plain arrays (see data::array_bytes)
  uint64_t payload_bytes = 0;      // episode payloads, decompressed (with the content hash)
  double compression_ratio = 0.0;  // array bytes / frame bytes
  double return_mean = 0, return_std = 0, return_min = 0, return_max = 0;
  double length_mean = 0;
  int64_t length_min = 0, length_max = 0;
  int64_t terminated = 0, truncated = 0;
  std::optional<double> success_rate;          // goal tasks: episodes ending at the goal
  std::map<std::string, int64_t> end_reasons;  // "time_limit" -> count
  // XXH3-128 (32 hex digits) over every episode's payload size and payload in episode order:
  // equal content gives an equal hash whatever the shard layout. Empty unless asked for.
  std::string content_hash;
};

// Statistics from the shard indexes; with_content_hash decompresses every episode too.
DatasetStats dataset_stats(const Dataset& dataset, bool with_content_hash);

}  // namespace uw::data
