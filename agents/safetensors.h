#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace uw::agents {

// The element types a checkpoint holds, by their safetensors names.
enum class DType { kF32, kF64, kI64, kU8 };

// "F32", "F64", "I64", "U8".
const char* dtype_name(DType dtype);
int64_t dtype_size(DType dtype);

// One tensor to write: row-major (C order) bytes of `dtype`, little-endian.
struct TensorBytes {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  std::span<const uint8_t> bytes;
};

// The safetensors layout (the format Hugging Face's `safetensors` reads): an 8-byte
// little-endian header length N, N bytes of JSON naming each tensor's dtype, shape and byte
// range in the data that follows (plus a "__metadata__" map of strings), then the data. The
// header is padded with spaces to a multiple of 8 bytes so that the data is aligned.
std::vector<uint8_t> encode_safetensors(std::span<const TensorBytes> tensors,
                                        const std::map<std::string, std::string>& metadata);
// encode_safetensors written so that a reader sees the old file or the whole new one (a
// temporary file beside it, fsync, rename).
void write_safetensors(const std::filesystem::path& path, std::span<const TensorBytes> tensors,
                       const std::map<std::string, std::string>& metadata);

// A safetensors file read whole and checked: the header length within the file and a bound, a
// JSON object whose entries each have a known dtype, a shape of non-negative sizes and byte
// offsets inside the data whose length is the shape's, the tensors tiling the data with no gap
// or overlap, metadata of strings only. Nothing in it is executed. Every error names the file
// and, where there is one, the tensor.
class Safetensors {
 public:
  struct Entry {
    DType dtype = DType::kF32;
    std::vector<int64_t> shape;
    uint64_t begin = 0;  // into the data
    uint64_t end = 0;
  };

  // The longest header accepted (the reference reader's bound).
  static constexpr uint64_t kMaxHeader = 100'000'000;

  static Safetensors read(const std::filesystem::path& path);
  // Parses bytes held in memory; `where` names them in errors.
  static Safetensors parse(std::vector<uint8_t> bytes, const std::string& where);

  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::map<std::string, Entry>& entries() const { return entries_; }
  bool contains(const std::string& name) const { return entries_.count(name) > 0; }

  // The tensor's values, checked to be `dtype` of exactly `shape`: throws uw::Error naming the
  // file, the tensor, and what was expected, when it is missing or differs.
  std::vector<float> floats(const std::string& name, std::span<const int64_t> shape) const;
  std::vector<double> doubles(const std::string& name, std::span<const int64_t> shape) const;
  std::vector<int64_t> int64s(const std::string& name, std::span<const int64_t> shape) const;
  // Its raw bytes after the same checks.
  std::span<const uint8_t> bytes(const std::string& name, DType dtype,
                                 std::span<const int64_t> shape) const;
  // A metadata value; throws naming the file and key when it is missing.
  const std::string& meta(const std::string& key) const;

  const std::string& where() const { return where_; }
  // The data after the header: every tensor's bytes.
  std::span<const uint8_t> data() const { return std::span(bytes_).subspan(data_start_); }

 private:
  std::string where_;
  std::vector<uint8_t> bytes_;
  uint64_t data_start_ = 0;
  std::map<std::string, Entry> entries_;
  std::map<std::string, std::string> metadata_;
};

// "[2, 3]"
std::string shape_text(std::span<const int64_t> shape);

}  // namespace uw::agents
