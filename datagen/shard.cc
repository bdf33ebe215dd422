#include "datagen/shard.h"

#include <zstd.h>

#include <chrono>
#include <cstring>

#include "core/error.h"
#include "datagen/codec.h"

namespace uw::data {
namespace {

constexpr char kHeaderMagic[8] = {'U', 'W', 'S', 'H', 'A', 'R', 'D', '1'};
constexpr char kFooterMagic[8] = {'U', 'W', 'S', 'H', 'E', 'N', 'D', '1'};
constexpr uint32_t kShardVersion = 1;
constexpr uint64_t kHeaderSize = 16;
constexpr uint64_t kFooterSize = 32;
constexpr uint64_t kEntrySize = 56;
constexpr double kSyncSeconds = 2.0;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<uint8_t> header_bytes() {
  std::vector<uint8_t> bytes(kHeaderSize, 0);
  std::memcpy(bytes.data(), kHeaderMagic, 8);
  std::memcpy(bytes.data() + 8, &kShardVersion, 4);
  return bytes;
}

template <class T>
void put(std::vector<uint8_t>& out, T value) {
  const size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &value, sizeof(T));
}

template <class T>
T get(const uint8_t* at) {
  T value;
  std::memcpy(&value, at, sizeof(T));
  return value;
}

void put_entry(std::vector<uint8_t>& out, const ShardEntry& e) {
  put(out, e.episode);
  put(out, e.offset);
  put(out, e.size);
  put(out, e.xxh64);
  put(out, e.steps);
  put(out, e.total_reward);
  put(out, static_cast<uint8_t>(e.terminated));
  put(out, static_cast<uint8_t>(e.truncated));
  put(out, static_cast<uint8_t>(e.reason));
  put(out, success_code(e.success));
  put(out, uint32_t{0});
}

// Throws naming `where` on values an entry cannot hold.
ShardEntry get_entry(const uint8_t* at, const std::string& where) {
  ShardEntry e;
  e.episode = get<int64_t>(at);
  e.offset = get<uint64_t>(at + 8);
  e.size = get<uint64_t>(at + 16);
  e.xxh64 = get<uint64_t>(at + 24);
  e.steps = get<int64_t>(at + 32);
  e.total_reward = get<double>(at + 40);
  const uint8_t terminated = at[48], truncated = at[49], reason = at[50], success = at[51];
  if (terminated > 1 || truncated > 1 || success > 2 ||
      reason > static_cast<uint8_t>(envs::EndReason::kPhysics)) {
    throw Error(where + ": index entry has invalid flags");
  }
  e.terminated = terminated == 1;
  e.truncated = truncated == 1;
  e.reason = static_cast<envs::EndReason>(reason);
  e.success = success_from_code(success);
  return e;
}

}  // namespace

ShardEntry summarise(const Episode& episode, uint64_t offset, std::span<const uint8_t> frame) {
  ShardEntry e;
  e.episode = episode.index;
  e.offset = offset;
  e.size = frame.size();
  e.xxh64 = xxh64_of(frame);
  e.steps = episode.steps;
  e.total_reward = episode.total_reward();
  e.terminated = episode.terminated;
  e.truncated = episode.truncated;
  e.reason = episode.reason;
  e.success = episode.success;
  return e;
}

ShardWriter::ShardWriter(std::filesystem::path final_path, int64_t first_episode, int64_t count,
                         uint64_t max_payload)
    : final_path_(std::move(final_path)),
      partial_path_(final_path_.string() + ".partial"),
      first_(first_episode),
      count_(count),
      max_payload_(max_payload) {
  UW_CHECK(count_ > 0, "a shard holds at least one episode");
  if (std::filesystem::exists(partial_path_)) {
    resume();
  } else {
    file_.emplace(partial_path_, File::Mode::kCreate);
    write(header_bytes());
    // the new file's name survives a power cut, so its synced frames do too
    sync_directory(partial_path_.parent_path());
  }
  last_sync_ = now_seconds();
}

void ShardWriter::resume() {
  file_.emplace(partial_path_, File::Mode::kReadWrite);
  const std::vector<uint8_t> bytes = file_->read_all();
  const std::vector<uint8_t> header = header_bytes();
  if (bytes.size() < kHeaderSize || !std::equal(header.begin(), header.end(), bytes.begin())) {
    // not even the header made it to disk: start the file again
    file_->truncate(0);
    write(header);
    return;
  }
  uint64_t at = kHeaderSize;
  while (at < bytes.size() && !full()) {
    const std::span<const uint8_t> rest = std::span(bytes).subspan(at);
    const size_t frame_size = ZSTD_findFrameCompressedSize(rest.data(), rest.size());
    if (ZSTD_isError(frame_size)) break;  // cut by a kill
    const std::span<const uint8_t> frame = rest.first(frame_size);
    try {
      const Episode episode =
          decode_episode(decompress_frame(frame, partial_path_.string(), max_payload_),
                         partial_path_.string(), max_payload_);
      if (episode.index != next_episode()) break;
      entries_.push_back(summarise(episode, at, frame));
    } catch (const Error&) {
      break;  // a damaged frame: it and everything after it are written again
    }
    at += frame_size;
  }
  file_->truncate(at);
  hash_.update(std::span(bytes).first(at));
  resumed_ = static_cast<int64_t>(entries_.size());
}

void ShardWriter::append(ShardEntry entry, std::span<const uint8_t> frame) {
  UW_CHECK(!full(), "append to a full shard");
  UW_CHECK(entry.episode == next_episode(), "episodes must be appended in order");
  UW_CHECK(entry.size == frame.size(), "the entry is not this frame's");
  entry.offset = file_->size();
  write(frame);
  entries_.push_back(entry);
  if (now_seconds() - last_sync_ > kSyncSeconds) {
    file_->sync();
    last_sync_ = now_seconds();
  }
}

void ShardWriter::write(std::span<const uint8_t> bytes) {
  file_->append(bytes);
  hash_.update(bytes);
}

uint64_t ShardWriter::finish() {
  UW_CHECK(full(), "finish a shard before all its episodes are written");
  std::vector<uint8_t> index;
  for (const ShardEntry& entry : entries_) put_entry(index, entry);
  const uint64_t index_offset = file_->size();
  std::vector<uint8_t> footer;
  put(footer, index_offset);
  put(footer, static_cast<uint64_t>(entries_.size()));
  put(footer, xxh64_of(index));
  footer.insert(footer.end(), kFooterMagic, kFooterMagic + 8);
  write(index);
  write(footer);
  file_->sync();
  file_.reset();
  // the rename is made durable by syncing the directory once, before the manifest: a rename
  // lost to a power cut leaves a whole .partial file, which a rerun finishes again
  rename_file(partial_path_, final_path_);
  return hash_.digest();
}

std::vector<ShardEntry> read_shard_index(const File& file) {
  const std::string where = "shard " + quoted(file.path());
  const uint64_t size = file.size();
  if (size < kHeaderSize + kFooterSize) {
    throw Error(where + ": truncated: " + std::to_string(size) + " bytes, too short for a shard");
  }
  std::vector<uint8_t> header(kHeaderSize);
  file.read_at(0, header);
  const std::vector<uint8_t> expected_header = header_bytes();
  if (std::memcmp(header.data(), kHeaderMagic, 8) != 0) {
    throw Error(where + ": does not start with 'UWSHARD1'");
  }
  if (get<uint32_t>(&header[8]) != kShardVersion) {
    throw Error(where + ": shard format version " + std::to_string(get<uint32_t>(&header[8])) +
                ", this reader knows version " + std::to_string(kShardVersion));
  }
  if (header != expected_header) throw Error(where + ": damaged header: reserved bytes are not 0");
  std::vector<uint8_t> footer(kFooterSize);
  file.read_at(size - kFooterSize, footer);
  if (std::memcmp(footer.data() + 24, kFooterMagic, 8) != 0) {
    throw Error(where + ": truncated or damaged: no footer at its end (" + std::to_string(size) +
                " bytes)");
  }
  const uint64_t index_offset = get<uint64_t>(&footer[0]);
  const uint64_t count = get<uint64_t>(&footer[8]);
  const uint64_t index_hash = get<uint64_t>(&footer[16]);
  if (index_offset < kHeaderSize || index_offset > size - kFooterSize ||
      count != (size - kFooterSize - index_offset) / kEntrySize ||
      (size - kFooterSize - index_offset) % kEntrySize != 0) {
    throw Error(where + ": damaged footer: index at byte " + std::to_string(index_offset) +
                " with " + std::to_string(count) + " entries does not fit a file of " +
                std::to_string(size) + " bytes");
  }
  std::vector<uint8_t> index(count * kEntrySize);
  file.read_at(index_offset, index);
  if (xxh64_of(index) != index_hash) {
    throw Error(where + ": damaged index: its xxh64 is " + hex64(xxh64_of(index)) +
                ", the footer says " + hex64(index_hash));
  }
  std::vector<ShardEntry> entries;
  entries.reserve(count);
  uint64_t at = kHeaderSize;
  for (uint64_t i = 0; i < count; ++i) {
    ShardEntry entry = get_entry(&index[i * kEntrySize], where);
    // frames tile the space between the header and the index, in episode order
    if (entry.offset != at || entry.size == 0 || entry.size > index_offset - at) {
      throw Error(where + ": damaged index: episode " + std::to_string(entry.episode) +
                  " at byte " + std::to_string(entry.offset) + " (" + std::to_string(entry.size) +
                  " bytes), expected a frame from byte " + std::to_string(at));
    }
    if (i > 0 && entry.episode != entries.back().episode + 1) {
      throw Error(where + ": episodes not consecutive: " + std::to_string(entry.episode) +
                  " follows " + std::to_string(entries.back().episode));
    }
    at += entry.size;
    entries.push_back(entry);
  }
  if (at != index_offset) {
    throw Error(where + ": damaged index: frames end at byte " + std::to_string(at) +
                ", the index starts at byte " + std::to_string(index_offset));
  }
  return entries;
}

std::string episode_where(const std::filesystem::path& shard, int64_t episode) {
  return "shard " + quoted(shard) + ", episode " + std::to_string(episode);
}

std::vector<uint8_t> read_frame(const File& file, const ShardEntry& entry) {
  std::vector<uint8_t> frame(entry.size);
  file.read_at(entry.offset, frame);
  return frame;
}

std::vector<uint8_t> read_payload(const File& file, const ShardEntry& entry, uint64_t max_payload) {
  return payload_of_frame(read_frame(file, entry), entry, episode_where(file.path(), entry.episode),
                          max_payload);
}

std::vector<uint8_t> payload_of_frame(std::span<const uint8_t> frame, const ShardEntry& entry,
                                      const std::string& where, uint64_t max_payload) {
  const uint64_t hash = xxh64_of(frame);
  if (hash != entry.xxh64) {
    throw Error(where + ": frame checksum mismatch: xxh64 " + hex64(hash) + ", the index says " +
                hex64(entry.xxh64));
  }
  return decompress_frame(frame, where, max_payload);
}

Episode decode_payload(std::span<const uint8_t> payload, const ShardEntry& entry,
                       const std::string& where, uint64_t max_payload) {
  Episode episode = decode_episode(payload, where, max_payload);
  if (episode.index != entry.episode) {
    throw Error(where + ": the frame holds episode " + std::to_string(episode.index));
  }
  if (episode.steps != entry.steps) {
    throw Error(where + ": the frame holds " + std::to_string(episode.steps) +
                " steps, the index says " + std::to_string(entry.steps));
  }
  return episode;
}

}  // namespace uw::data
