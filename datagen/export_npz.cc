#include "datagen/export_npz.h"

#include <array>
#include <bit>
#include <functional>
#include <system_error>

#include "core/error.h"
#include "datagen/file_io.h"

namespace uw::data {
namespace {

namespace fs = std::filesystem;

// .npy values and ZIP fields are little-endian; values are copied as they lie in memory
static_assert(std::endian::native == std::endian::little);

constexpr uint32_t kMax32 = 0xFFFFFFFF;
constexpr uint16_t kMax16 = 0xFFFF;
constexpr size_t kBufferBytes = size_t{1} << 20;

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

template <class T>
std::span<const uint8_t> bytes_of(const std::vector<T>& values) {
  return {reinterpret_cast<const uint8_t*>(values.data()), values.size() * sizeof(T)};
}

template <class T>
std::span<const uint8_t> bytes_of(const T& value) {
  return {reinterpret_cast<const uint8_t*>(&value), sizeof(T)};
}

// Little-endian ZIP records.
struct Record {
  std::vector<uint8_t> bytes;
  void u16(uint64_t v) { put(v, 2); }
  void u32(uint64_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void text(std::string_view s) { bytes.insert(bytes.end(), s.begin(), s.end()); }
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bytes.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
};

// Writes one member's bytes in order into its region of the file through a buffer, keeping
// their CRC and count.
class RegionWriter {
 public:
  RegionWriter(File& file, uint64_t start) : file_(&file), start_(start) {}

  void write(std::span<const uint8_t> bytes) {
    crc_ = crc32(bytes, crc_);
    if (buffer_.size() + bytes.size() > kBufferBytes) flush();
    if (bytes.size() >= kBufferBytes) {
      file_->write_at(start_ + flushed_, bytes);
      flushed_ += bytes.size();
    } else {
      buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    }
  }
  void flush() {
    if (buffer_.empty()) return;
    file_->write_at(start_ + flushed_, buffer_);
    flushed_ += buffer_.size();
    buffer_.clear();
  }
  uint32_t crc() const { return crc_; }
  uint64_t written() const { return flushed_ + buffer_.size(); }

 private:
  File* file_;
  uint64_t start_;
  uint64_t flushed_ = 0;
  uint32_t crc_ = 0;
  std::vector<uint8_t> buffer_;
};

// One .npy array of the archive: its type and shape, how an episode adds its rows, and where it
// lies in the file.
struct Member {
  Member(std::string name, std::string descr, std::vector<int64_t> shape, uint64_t item_size,
         std::function<void(const Episode&, RegionWriter&)> add)
      : name(std::move(name)),
        descr(std::move(descr)),
        shape(std::move(shape)),
        item_size(item_size),
        add(std::move(add)) {}

  std::string name;  // without ".npy"
  std::string descr;
  std::vector<int64_t> shape;
  uint64_t item_size = 0;
  std::function<void(const Episode&, RegionWriter&)> add;

  std::string file_name() const { return name + ".npy"; }
  uint64_t size = 0;         // npy header + values
  uint64_t offset = 0;       // of the local file header
  uint64_t data_offset = 0;  // of the npy header
  bool zip64_sizes = false;
  uint32_t crc = 0;
};

std::vector<Member> plan_members(const EpisodeLayout& layout, int64_t steps, int64_t episodes) {
  const int64_t N = steps, E = episodes, rows = steps + episodes;
  auto values = [](auto member) {
    return [member](const Episode& e, RegionWriter& w) { w.write(bytes_of(e.*member)); };
  };
  // true only on the last step
  auto last_step_flag = [](bool Episode::*flag) {
    return [flag](const Episode& e, RegionWriter& w) {
      std::vector<uint8_t> flags(static_cast<size_t>(e.steps), 0);
      flags.back() = e.*flag ? 1 : 0;
      w.write(flags);
    };
  };
  std::vector<Member> members = {
      {"observations", "<f4", {rows, layout.obs_size}, 4, values(&Episode::observations)},
      {"actions", "<f4", {N, layout.action_size}, 4, values(&Episode::actions)},
      {"rewards", "<f4", {N}, 4, values(&Episode::rewards)},
      {"terminations", "|b1", {N}, 1, last_step_flag(&Episode::terminated)},
      {"truncations", "|b1", {N}, 1, last_step_flag(&Episode::truncated)},
      {"episode_lengths",
       "<i8",
       {E},
       8,
       [](const Episode& e, RegionWriter& w) { w.write(bytes_of(e.steps)); }},
      {"episode_index",
       "<i8",
       {E},
       8,
       [](const Episode& e, RegionWriter& w) { w.write(bytes_of(e.index)); }},
      {"episode_seeds",
       "<u8",
       {E},
       8,
       [](const Episode& e, RegionWriter& w) { w.write(bytes_of(e.seed)); }},
  };
  // one state per observation row; a dataset that kept only some has none to export
  if (layout.state_every == 1) {
    members.push_back({"states", "<f8", {rows, layout.state_size}, 8, values(&Episode::states)});
  }
  if (layout.goal_size > 0) {
    members.push_back({"goals", "<f4", {E, layout.goal_size}, 4, values(&Episode::goal)});
    members.push_back(
        {"goal_observations", "<f4", {E, layout.obs_size}, 4, values(&Episode::goal_observation)});
  }
  if (layout.pixel_height > 0) {
    members.push_back({"pixels",
                       "|u1",
                       {rows, layout.pixel_height, layout.pixel_width, 3},
                       1,
                       values(&Episode::pixels)});
  }
  return members;
}

// DOS date 1980-01-01, time 00:00: fixed, so equal datasets give equal files
constexpr uint16_t kDosTime = 0;
constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;
// made by: Unix (for the permission bits), spec 4.5 (ZIP64)
constexpr uint16_t kMadeBy = (3 << 8) | 45;
constexpr uint32_t kRegularFile0644 = 0100644u << 16;

uint64_t local_header_size(const Member& m) {
  return 30 + m.file_name().size() + (m.zip64_sizes ? 20 : 0);
}

// The fields the local header and the central directory entry share, from "version needed"
// to the name's length.
void append_shared_fields(Record& r, const Member& m, bool zip64) {
  r.u16(zip64 ? 45 : 20);
  r.u16(0);  // flags
  r.u16(0);  // stored
  r.u16(kDosTime);
  r.u16(kDosDate);
  r.u32(m.crc);
  r.u32(m.zip64_sizes ? kMax32 : m.size);
  r.u32(m.zip64_sizes ? kMax32 : m.size);
  r.u16(m.file_name().size());
}

std::vector<uint8_t> local_header(const Member& m) {
  Record r;
  r.u32(0x04034b50);
  append_shared_fields(r, m, m.zip64_sizes);
  r.u16(m.zip64_sizes ? 20 : 0);
  r.text(m.file_name());
  if (m.zip64_sizes) {
    r.u16(0x0001);
    r.u16(16);
    r.u64(m.size);
    r.u64(m.size);
  }
  return r.bytes;
}

void append_central_entry(Record& r, const Member& m, uint64_t zip64_threshold) {
  const bool zip64_offset = m.offset >= zip64_threshold;
  // the ZIP64 extra holds, in this order, only the fields whose 32-bit slot says 0xFFFFFFFF
  Record extra;
  if (m.zip64_sizes) {
    extra.u64(m.size);
    extra.u64(m.size);
  }
  if (zip64_offset) extra.u64(m.offset);
  const bool zip64 = !extra.bytes.empty();
  r.u32(0x02014b50);
  r.u16(kMadeBy);
  append_shared_fields(r, m, zip64);
  r.u16(zip64 ? 4 + extra.bytes.size() : 0);
  r.u16(0);  // comment
  r.u16(0);  // disk
  r.u16(0);  // internal attributes
  r.u32(kRegularFile0644);
  r.u32(zip64_offset ? kMax32 : m.offset);
  r.text(m.file_name());
  if (zip64) {
    r.u16(0x0001);
    r.u16(extra.bytes.size());
    r.bytes.insert(r.bytes.end(), extra.bytes.begin(), extra.bytes.end());
  }
}

// The end records after the central directory at `cd_offset` of `cd_size` bytes: the ZIP64
// end record and its locator when a count, size or offset needs them, then the classic one.
std::vector<uint8_t> end_records(uint64_t entries, uint64_t cd_offset, uint64_t cd_size,
                                 uint64_t zip64_threshold) {
  const bool many = entries >= kMax16;
  const bool far = cd_offset >= zip64_threshold;
  const bool big = cd_size >= zip64_threshold;
  Record r;
  if (many || far || big) {
    const uint64_t record_offset = cd_offset + cd_size;
    r.u32(0x06064b50);
    r.u64(44);  // what follows this field
    r.u16(kMadeBy);
    r.u16(45);
    r.u32(0);  // this disk
    r.u32(0);  // the disk with the central directory
    r.u64(entries);
    r.u64(entries);
    r.u64(cd_size);
    r.u64(cd_offset);
    r.u32(0x07064b50);
    r.u32(0);  // the disk with the ZIP64 end record
    r.u64(record_offset);
    r.u32(1);  // disks in all
  }
  r.u32(0x06054b50);
  r.u16(0);
  r.u16(0);
  r.u16(many ? kMax16 : entries);
  r.u16(many ? kMax16 : entries);
  r.u32(big ? kMax32 : cd_size);
  r.u32(far ? kMax32 : cd_offset);
  r.u16(0);  // comment
  return r.bytes;
}

ExportResult write_npz(const Dataset& dataset, const fs::path& path, const NpzOptions& options) {
  const int64_t steps = dataset.steps();
  const int64_t episodes = dataset.size();
  std::vector<Member> members = plan_members(dataset.manifest().layout, steps, episodes);

  // every size is known before any episode is read, so each member gets its region now and one
  // pass over the episodes fills them all
  uint64_t offset = 0;
  for (Member& m : members) {
    uint64_t count = 1;
    for (int64_t d : m.shape) count *= static_cast<uint64_t>(d);
    m.size = npy_header(m.descr, m.shape).size() + count * m.item_size;
    m.zip64_sizes = m.size >= options.zip64_threshold;
    m.offset = offset;
    m.data_offset = offset + local_header_size(m);
    offset = m.data_offset + m.size;
  }
  const uint64_t cd_offset = offset;

  File file(path, File::Mode::kCreate);
  std::vector<RegionWriter> writers;
  writers.reserve(members.size());
  for (const Member& m : members) {
    writers.emplace_back(file, m.data_offset);
    const std::string header = npy_header(m.descr, m.shape);
    writers.back().write({reinterpret_cast<const uint8_t*>(header.data()), header.size()});
  }
  for (int64_t i = 0; i < episodes; ++i) {
    const Episode episode = dataset.read(i);
    for (size_t k = 0; k < members.size(); ++k) members[k].add(episode, writers[k]);
  }
  for (size_t k = 0; k < members.size(); ++k) {
    writers[k].flush();
    // episodes are checked against the layout and the index when read
    UW_CHECK(writers[k].written() == members[k].size, "npz member size differs from its plan");
    members[k].crc = writers[k].crc();
    file.write_at(members[k].offset, local_header(members[k]));
  }

  Record central;
  for (const Member& m : members) append_central_entry(central, m, options.zip64_threshold);
  file.write_at(cd_offset, central.bytes);
  file.write_at(
      cd_offset + central.bytes.size(),
      end_records(members.size(), cd_offset, central.bytes.size(), options.zip64_threshold));
  file.sync();
  return {episodes, steps, file.size(), path};
}

}  // namespace

uint32_t crc32(std::span<const uint8_t> bytes, uint32_t crc) {
  static constexpr std::array<uint32_t, 256> kTable = make_crc_table();
  crc = ~crc;
  for (uint8_t b : bytes) crc = kTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

std::string npy_header(std::string_view descr, const std::vector<int64_t>& shape) {
  std::string dict = "{'descr': '";
  dict += descr;
  dict += "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) dict += ", ";
    dict += std::to_string(shape[i]);
  }
  if (shape.size() == 1) dict += ",";
  dict += "), }";
  // magic (6) + version (2) + length (2) + dict + newline, padded to NumPy's 64-byte alignment
  const size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  UW_CHECK(dict.size() <= kMax16, "npy header needs format 2.0");
  std::string header = "\x93NUMPY";
  header += '\x01';
  header += '\x00';
  header += static_cast<char>(dict.size() & 0xFF);
  header += static_cast<char>(dict.size() >> 8);
  return header + dict;
}

ExportResult export_npz(const Dataset& dataset, const fs::path& out, const NpzOptions& options) {
  if (out.has_parent_path()) {
    std::error_code error;
    fs::create_directories(out.parent_path(), error);
    if (error) {
      throw Error(quoted(out.parent_path()) + ": cannot create the directory: " + error.message());
    }
  }
  const fs::path temporary = out.string() + ".tmp";
  ExportResult result;
  try {
    result = write_npz(dataset, temporary, options);
    rename_durably(temporary, out);
  } catch (...) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw;
  }
  result.path = out;
  return result;
}

}  // namespace uw::data
