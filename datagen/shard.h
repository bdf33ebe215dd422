#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "datagen/episode.h"
#include "datagen/file_io.h"

namespace uw::data {

// A shard file (docs/dataset-format.md): a 16-byte header, one Zstandard frame per episode, the
// index (one entry per frame), and a 32-byte footer that locates and checksums the index.
// Episodes are written to `<name>.partial` and the finished file renamed to `<name>`, so a file
// under a final name is always whole.

// What the index keeps of each episode: where its frame is, its checksum, and a summary for
// statistics that need no decompression.
struct ShardEntry {
  int64_t episode = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t xxh64 = 0;  // of the frame's bytes
  int64_t steps = 0;
  double total_reward = 0.0;
  bool terminated = false;
  bool truncated = false;
  envs::EndReason reason = envs::EndReason::kNone;
  std::optional<bool> success;
};

ShardEntry summarise(const Episode& episode, uint64_t offset, std::span<const uint8_t> frame);

// Appends the frames of episodes [first, first + count) in order. Opening resumes an existing
// `.partial` file: frames that are whole, decompress, and hold the expected episodes are kept,
// and anything after them (a frame cut by a kill) is cut off.
class ShardWriter {
 public:
  // max_payload bounds what resuming decompresses (payload_bound of the dataset's layout).
  ShardWriter(std::filesystem::path final_path, int64_t first_episode, int64_t count,
              uint64_t max_payload);

  // The episode the next append must hold (first + episodes already in the file).
  int64_t next_episode() const { return first_ + static_cast<int64_t>(entries_.size()); }
  bool full() const { return static_cast<int64_t>(entries_.size()) == count_; }
  int64_t resumed_episodes() const { return resumed_; }

  // Appends one episode's frame, with its summary (made by summarise; the offset is set here);
  // syncs to disk every few seconds (a killed process loses
  // nothing written; a power loss at most the last seconds, which a rerun regenerates).
  void append(ShardEntry entry, std::span<const uint8_t> frame);
  // Writes the index and footer, syncs, and renames the file to its final name (the caller
  // syncs the directory before it relies on the name). Returns the xxh64 of the whole file,
  // hashed as it was written.
  uint64_t finish();

 private:
  void resume();
  void write(std::span<const uint8_t> bytes);

  std::filesystem::path final_path_;
  std::filesystem::path partial_path_;
  int64_t first_;
  int64_t count_;
  uint64_t max_payload_;
  std::optional<File> file_;
  Xxh64Stream hash_;  // of the bytes written so far
  std::vector<ShardEntry> entries_;
  int64_t resumed_ = 0;
  double last_sync_ = 0.0;
};

// The index of a finished shard. Throws uw::Error naming the file when the header, footer or
// index is damaged (a truncated file, a flipped byte, entries that do not tile the file).
std::vector<ShardEntry> read_shard_index(const File& file);

// "shard '<path>', episode <k>": how messages name an episode.
std::string episode_where(const std::filesystem::path& shard, int64_t episode);

// The decompressed payload of one entry. Throws uw::Error naming the shard and episode when the
// frame's xxh64 differs from the index's, the frame does not decompress, or it claims more than
// max_payload bytes.
std::vector<uint8_t> read_payload(const File& file, const ShardEntry& entry, uint64_t max_payload);
// read_payload in two steps, for readers that also hash the file as they go: the entry's frame
// as stored (unchecked), then its payload (checked as read_payload does, naming `where`).
std::vector<uint8_t> read_frame(const File& file, const ShardEntry& entry);
std::vector<uint8_t> payload_of_frame(std::span<const uint8_t> frame, const ShardEntry& entry,
                                      const std::string& where, uint64_t max_payload);
// Decodes a payload (arrays of at most max_payload bytes) and checks it holds the entry's
// episode and step count.
Episode decode_payload(std::span<const uint8_t> payload, const ShardEntry& entry,
                       const std::string& where, uint64_t max_payload);
}  // namespace uw::data
