#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct XXH64_state_s;

namespace uw::data {

// A file descriptor that closes itself. Every error throws uw::Error naming the path.
class File {
 public:
  enum class Mode { kRead, kReadWrite, kCreate };  // kCreate truncates an existing file

  File(const std::filesystem::path& path, Mode mode);
  ~File();
  File(File&& other) noexcept;
  File& operator=(File&&) = delete;
  File(const File&) = delete;

  const std::filesystem::path& path() const { return path_; }
  uint64_t size() const;
  // Reads exactly out.size() bytes at offset; throws when the file ends first.
  void read_at(uint64_t offset, std::span<uint8_t> out) const;
  std::vector<uint8_t> read_all() const;
  // Writes all of `data` at the end of the file.
  void append(std::span<const uint8_t> data);
  // Writes all of `data` at offset (growing the file when it ends before).
  void write_at(uint64_t offset, std::span<const uint8_t> data);
  void truncate(uint64_t size);
  // fdatasync: the data written so far survives a power loss.
  void sync();
  int descriptor() const { return fd_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

// An exclusive advisory lock (flock) on a file, held while the object lives. Throws uw::Error
// naming the file when another process holds it.
class FileLock {
 public:
  FileLock(const std::filesystem::path& path, const std::string& held_by_other);

 private:
  File file_;
};

// Writes `text` to `path` so that a reader sees the old file or the whole new one, never a part:
// a temporary file beside it, fsync, rename over `path`, fsync of the directory.
void write_file_atomically(const std::filesystem::path& path, std::string_view text);
// Renames and makes the rename durable (fsync of the directory).
void rename_durably(const std::filesystem::path& from, const std::filesystem::path& to);
// Renames; durable once the directory is synced.
void rename_file(const std::filesystem::path& from, const std::filesystem::path& to);
void sync_directory(const std::filesystem::path& dir);
std::string read_text_file(const std::filesystem::path& path);

// XXH64 (seed 0) of bytes given in pieces.
class Xxh64Stream {
 public:
  Xxh64Stream();
  void update(std::span<const uint8_t> bytes);
  uint64_t digest() const;

 private:
  std::unique_ptr<XXH64_state_s, int (*)(XXH64_state_s*)> state_;
};

// XXH64 (seed 0) of a file's bytes, read in blocks.
uint64_t xxh64_of_file(const std::filesystem::path& path);
uint64_t xxh64_of(std::span<const uint8_t> bytes);
// 'path', in quotes, as messages name files.
std::string quoted(const std::filesystem::path& path);

// 16 lowercase hex digits.
std::string hex64(uint64_t value);

}  // namespace uw::data
