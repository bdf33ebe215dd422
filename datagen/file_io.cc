#include "datagen/file_io.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/error.h"

namespace uw::data {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw Error(quoted(path) + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

File::File(const std::filesystem::path& path, Mode mode) : path_(path) {
  const int flags = mode == Mode::kRead        ? O_RDONLY
                    : mode == Mode::kReadWrite ? O_RDWR
                                               : O_RDWR | O_CREAT | O_TRUNC;
  fd_ = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(path, "cannot open");
}

File::~File() {
  if (fd_ >= 0) ::close(fd_);
}

File::File(File&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) {
  other.fd_ = -1;
}

uint64_t File::size() const {
  struct stat info {};
  if (::fstat(fd_, &info) != 0) fail(path_, "cannot stat");
  return static_cast<uint64_t>(info.st_size);
}

void File::read_at(uint64_t offset, std::span<uint8_t> out) const {
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n =
        ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path_, "cannot read");
    }
    if (n == 0) {
      throw Error(quoted(path_) + ": ends at byte " + std::to_string(offset + done) +
                  ", expected " + std::to_string(out.size()) + " bytes from byte " +
                  std::to_string(offset));
    }
    done += static_cast<size_t>(n);
  }
}

std::vector<uint8_t> File::read_all() const {
  std::vector<uint8_t> bytes(size());
  read_at(0, bytes);
  return bytes;
}

void File::append(std::span<const uint8_t> data) { write_at(size(), data); }

void File::write_at(uint64_t offset, std::span<const uint8_t> data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n =
        ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path_, "cannot write");
    }
    done += static_cast<size_t>(n);
  }
}

void File::truncate(uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) fail(path_, "cannot truncate");
}

void File::sync() {
  if (::fdatasync(fd_) != 0) fail(path_, "cannot sync");
}

FileLock::FileLock(const std::filesystem::path& path, const std::string& held_by_other)
    : file_(path, File::Mode::kRead) {
  if (::flock(file_.descriptor(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) throw Error(quoted(path) + ": " + held_by_other);
    fail(path, "cannot lock");
  }
}

void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail(dir, "cannot open the directory");
  const int result = ::fsync(fd);
  ::close(fd);
  if (result != 0) fail(dir, "cannot sync the directory");
}

void rename_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) fail(from, "cannot rename to " + quoted(to));
}

void rename_durably(const std::filesystem::path& from, const std::filesystem::path& to) {
  rename_file(from, to);
  sync_directory(to.has_parent_path() ? to.parent_path() : std::filesystem::path("."));
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    File file(temporary, File::Mode::kCreate);
    file.append({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
    file.sync();
  }
  rename_durably(temporary, path);
}

std::string read_text_file(const std::filesystem::path& path) {
  const std::vector<uint8_t> bytes = File(path, File::Mode::kRead).read_all();
  return {bytes.begin(), bytes.end()};
}

uint64_t xxh64_of(std::span<const uint8_t> bytes) { return XXH64(bytes.data(), bytes.size(), 0); }

Xxh64Stream::Xxh64Stream()
    : state_(XXH64_createState(),
             [](XXH64_state_t* s) { return static_cast<int>(XXH64_freeState(s)); }) {
  UW_CHECK(state_ != nullptr, "XXH64_createState failed");
  XXH64_reset(state_.get(), 0);
}

void Xxh64Stream::update(std::span<const uint8_t> bytes) {
  XXH64_update(state_.get(), bytes.data(), bytes.size());
}

uint64_t Xxh64Stream::digest() const { return XXH64_digest(state_.get()); }

uint64_t xxh64_of_file(const std::filesystem::path& path) {
  const File file(path, File::Mode::kRead);
  Xxh64Stream hash;
  std::vector<uint8_t> block(uint64_t{4} << 20);
  const uint64_t size = file.size();
  for (uint64_t offset = 0; offset < size; offset += block.size()) {
    const auto n = static_cast<size_t>(std::min<uint64_t>(block.size(), size - offset));
    file.read_at(offset, std::span(block).first(n));
    hash.update(std::span(block).first(n));
  }
  return hash.digest();
}

std::string quoted(const std::filesystem::path& path) {
  std::string text = "'";
  text += path.string();
  text += '\'';
  return text;
}

std::string hex64(uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace uw::data
