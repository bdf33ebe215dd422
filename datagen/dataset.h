#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/function_ref.h"
#include "datagen/episode.h"
#include "datagen/manifest.h"
#include "datagen/shard.h"

namespace uw::data {

struct ReadOptions {
  // Leave out what is damaged (whole shards whose file or index is, single episodes whose frame
  // is) instead of throwing; problems() says what was left out.
  bool skip_bad = false;
};

// A finished dataset opened for reading. Opening reads the manifest and every shard's index and
// checks them against each other; episodes are read on demand, each frame checked against its
// xxh64, its Zstandard checksum and the index. Messages name the shard file and the episode,
// and are the ones `umwelt dataset verify` prints. Reading is const and safe from several
// threads at once.
class Dataset {
 public:
  // Throws uw::Error on a missing manifest or shard, a truncated or damaged shard, or counts
  // that differ from the manifest (unless options.skip_bad).
  static Dataset open(const std::filesystem::path& dir, ReadOptions options = {});

  const std::filesystem::path& dir() const { return dir_; }
  const Manifest& manifest() const { return manifest_; }
  // Episodes that can be read, in episode order.
  int64_t size() const { return static_cast<int64_t>(entries_.size()); }
  const ShardEntry& entry(int64_t i) const { return entries_[i].entry; }
  // The steps of the episodes that can be read (the manifest's total unless skip_bad left some
  // out).
  int64_t steps() const;
  const std::filesystem::path& shard_path(int64_t i) const {
    return shard_paths_[entries_[i].shard];
  }
  // Episode i (of size()); throws uw::Error naming its shard and episode when it is damaged.
  Episode read(int64_t i) const;
  // Its decompressed payload (what content hashes cover).
  std::vector<uint8_t> read_payload(int64_t i) const;
  // Every readable episode in order; damaged ones throw, or with skip_bad are left out and
  // added to problems().
  void for_each(FunctionRef<void(const Episode&)> visit);
  // The position of episode number k, or -1 when the dataset does not hold it.
  int64_t find(int64_t k) const;

  const std::vector<std::string>& problems() const { return problems_; }

 private:
  struct Located {
    size_t shard = 0;  // into shard_paths_
    ShardEntry entry;
  };

  std::filesystem::path dir_;
  Manifest manifest_;
  ReadOptions options_;
  std::vector<std::filesystem::path> shard_paths_;
  std::vector<Located> entries_;
  std::vector<std::string> problems_;
};

// Checks a shard file against its manifest record and the generation; returns its index.
// Throws uw::Error naming the file: missing, a size other than the manifest's, a damaged
// index, episodes or steps other than the manifest's.
std::vector<ShardEntry> open_shard(const std::filesystem::path& dir, const Manifest& manifest,
                                   const ShardRecord& record);

}  // namespace uw::data
