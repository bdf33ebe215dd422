#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "datagen/dataset.h"
#include "datagen/generator.h"
#include "datagen/stats.h"
#include "envs/registry.h"
#include "tests/test_util.h"

namespace uw::test {

namespace fs = std::filesystem;

// The registry of every task, made once per test binary.
inline const envs::Registry& registry() {
  static const envs::Registry instance = envs::make_default_registry();
  return instance;
}

// A small, fast dataset config: pointmass, short episodes, small shards.
inline data::GenerationConfig small_config(int64_t episodes = 10) {
  data::GenerationConfig config;
  config.env_id = "pointmass-reach";
  config.episodes = episodes;
  config.max_steps = 25;
  config.shard_episodes = 3;
  config.seed = 7;
  return config;
}

// The parts of a split generation, generated into dir/part0, dir/part1, ...
inline std::vector<fs::path> generate_parts(const data::GenerationConfig& config, int count,
                                            const TempDir& dir) {
  std::vector<fs::path> parts;
  for (int i = 0; i < count; ++i) {
    auto part = config;
    part.shard_index = i;
    part.shard_count = count;
    parts.push_back(dir / ("part" + std::to_string(i)));
    data::generate(registry(), part, parts.back(), {});
  }
  return parts;
}

inline std::string content_hash_of(const fs::path& dir) {
  return data::dataset_stats(data::Dataset::open(dir), true).content_hash;
}

// Flips the bits of one byte of a file in place.
inline void flip_byte(const fs::path& file, uint64_t offset) {
  std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
  stream.seekg(static_cast<std::streamoff>(offset));
  const char byte = static_cast<char>(stream.get());
  stream.seekp(static_cast<std::streamoff>(offset));
  stream.put(static_cast<char>(~byte));
}

}  // namespace uw::test
