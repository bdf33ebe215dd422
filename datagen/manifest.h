#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/options.h"
#include "datagen/episode.h"
#include "envs/env_spec.h"

namespace uw::data {

inline constexpr int kFormatVersion = 1;
// The fastest Zstandard level a dataset may use (levels -7..-1 trade ratio for speed).
inline constexpr int kMinZstdLevel = -7;

// Everything that decides a dataset's content and layout (not how fast it is made: threads and
// progress are not here). A rerun on a directory must match it exactly to resume.
struct GenerationConfig {
  std::string env_id;
  Options options;  // as given on the command line
  std::string policy = "random";
  uint64_t seed = 0;
  int64_t episodes = 0;
  int64_t max_steps = 0;  // 0 = the env's own limit
  // which steps keep the full simulator state (exact replay, the viewer): every K-th, 1 = all,
  // 0 = none. Training needs observations only; states cost generation speed and space.
  int64_t state_every = 1;
  int64_t shard_episodes = 100;
  int shard_index = 0;  // this part is shard_index of shard_count (every shard j = index mod count)
  int shard_count = 1;
  // Fast levels compress the byte-shuffled arrays about twice as fast as -1 for 2-4% larger
  // files (docs/benchmarks.md): generation should keep up with fast simulators.
  int zstd_level = -5;

  // Shards of the whole dataset, and the episodes of shard j.
  int64_t total_shards() const { return (episodes + shard_episodes - 1) / shard_episodes; }
  int64_t first_episode(int64_t shard) const { return shard * shard_episodes; }
  int64_t shard_size(int64_t shard) const;
  bool owns(int64_t shard) const { return shard % shard_count == shard_index; }
  // The number of shards this part owns.
  int64_t owned_shards() const {
    const int64_t total = total_shards();
    return total > shard_index ? (total - shard_index + shard_count - 1) / shard_count : 0;
  }

  friend bool operator==(const GenerationConfig&, const GenerationConfig&) = default;
};

nlohmann::json generation_to_json(const GenerationConfig& config);
GenerationConfig generation_from_json(const nlohmann::json& json, const std::string& where);
// "seed: 1 in this command, 0 in the dataset" lines for each field that differs; the shard split
// is left out when `ignore_split`.
std::vector<std::string> generation_differences(const GenerationConfig& command,
                                                const GenerationConfig& dataset, bool ignore_split);

// generation.json: the config a directory is being generated with, written before any shard so
// that a rerun can tell a resume from a different command.
nlohmann::json generation_record(const GenerationConfig& config, const envs::EnvSpec& spec);

// Throws uw::Error naming the field when the config cannot make a dataset.
void check_generation(const GenerationConfig& config);

struct ShardRecord {
  int64_t index = 0;  // j: episodes [j * shard_episodes, ...)
  std::string file;   // relative to the dataset directory: "shards/shard-000003.uws"
  int64_t episodes = 0;
  int64_t steps = 0;
  uint64_t bytes = 0;
  uint64_t xxh64 = 0;  // of the whole file
};

// "shards/shard-000003.uws"
std::string shard_file_name(int64_t index);

// manifest.json: what a dataset holds and how it was made.
struct Manifest {
  GenerationConfig generation;
  envs::EnvSpec spec;
  EpisodeLayout layout;
  nlohmann::json policy;            // the behaviour policy's parameters, defaults filled in
  nlohmann::json generator;         // umwelt version and git commit, engine and library versions
  std::vector<ShardRecord> shards;  // in shard order

  int64_t episodes() const;
  int64_t steps() const;
  uint64_t bytes() const;
  // The most steps an episode can have: the env's limit, or max_steps when shorter.
  int64_t step_limit() const;
  // The most bytes an episode's payload can take.
  uint64_t max_payload() const { return payload_bound(layout, step_limit()); }
};

nlohmann::json manifest_to_json(const Manifest& manifest);
// Throws uw::Error naming `where` and the field.
Manifest manifest_from_json(const nlohmann::json& json, const std::string& where);
// Reads DIR/manifest.json; throws uw::Error naming the file.
Manifest read_manifest(const std::filesystem::path& dir);
void write_manifest(const std::filesystem::path& dir, const Manifest& manifest);

// How the engine versions a dataset was recorded with differ from this build's, as one phrase
// ("recorded with MuJoCo 2.2.2; this build runs MuJoCo 4.0.0"), or "" when they agree. Replay
// cannot be bit-exact across engine versions. Manifests from before the spec named its engine
// versions are read from their generator versions.
std::string engine_difference(const Manifest& manifest);

// The seed of episode k and of its policy: pure functions of the base seed and k.
uint64_t episode_seed(uint64_t base_seed, int64_t episode);
uint64_t policy_seed(uint64_t episode_seed);
// The scheme above in words, for the manifest.
std::string seed_scheme();

// Versions of what made the data: umwelt (and its git commit), MuJoCo, Bullet, Zstandard, xxHash.
nlohmann::json generator_versions();

}  // namespace uw::data
