#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "datagen/manifest.h"
#include "envs/registry.h"

namespace uw::bench {

struct DataPerfConfig {
  std::vector<std::string> env_ids;  // empty: every registered task
  int64_t episodes = 100;            // at least; more for fast envs, to fill min_seconds
  double min_seconds = 1.0;          // the reference rollouts take at least this long
  int64_t max_steps = 0;             // 0: the env's time limit, as umwelt gen
  int64_t shard_episodes = 100;      // as umwelt gen
  int threads = 2;
  int rounds = 5;  // interleaved samples of each side: median ratios, best rates
  std::string policy = "random";
  int zstd_level = data::GenerationConfig{}.zstd_level;  // as umwelt gen
  int64_t window = 16;                                   // sampling: windows of this many steps
  int64_t batch = 256;
  double sample_seconds = 0.5;
  std::filesystem::path scratch;  // where datasets are written (and removed); default: temp
};

struct DataPerf {
  std::string env_id;
  int64_t episodes = 0;  // per generation
  int64_t steps = 0;
  double rollout_steps_per_second = 0;   // the same episodes, nothing kept or written
  double record_steps_per_second = 0;    // the same episodes recorded in memory, not written
  double generate_steps_per_second = 0;  // umwelt gen: recorded, compressed, written, synced
  double generate_vs_rollout = 0;        // medians over rounds of the ratio
  double generate_vs_record = 0;         // what compressing and writing cost
  uint64_t array_bytes = 0;              // the episodes as plain arrays (float32; states float64)
  uint64_t shard_bytes = 0;
  double compression_ratio = 0;              // array / frame bytes
  double sample_transitions_per_second = 0;  // window sampling from memory
};

// Measures, in one run per env: generation against the same rollouts without writing (same
// threads), compression, and window sampling from memory.
std::vector<DataPerf> run_data_perf(const envs::Registry& registry, const DataPerfConfig& config);

}  // namespace uw::bench
