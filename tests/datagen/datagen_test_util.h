#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "datagen/dataset.h"
#include "datagen/generator.h"
#include "datagen/stats.h"
#include "envs/registry.h"

namespace uw::test {

namespace fs = std::filesystem;

// The registry of every task, made once per test binary.
inline const envs::Registry& registry() {
  static const envs::Registry instance = envs::make_default_registry();
  return instance;
}

// A fresh folder under the system's temporary folder, unique to this process, removed at the
// end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() /
             ("umwelt_test_data_" + std::to_string(getpid()) + "_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path operator/(const std::string& child) const { return path / child; }
};

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
