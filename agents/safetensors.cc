#include "agents/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "datagen/file_io.h"

namespace uw::agents {
namespace {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

constexpr DType kDTypes[] = {DType::kF32, DType::kF64, DType::kI64, DType::kU8};

// The number of elements of a shape, or -1 when a size is negative or the count overflows.
int64_t element_count(std::span<const int64_t> shape) {
  int64_t count = 1;
  for (const int64_t size : shape) {
    if (size < 0) return -1;
    if (size != 0 && count > std::numeric_limits<int64_t>::max() / size) return -1;
    count *= size;
  }
  return count;
}

uint64_t read_le64(const uint8_t* p) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | p[i];
  return value;
}

}  // namespace

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return "F32";
    case DType::kF64:
      return "F64";
    case DType::kI64:
      return "I64";
    case DType::kU8:
      return "U8";
  }
  return "?";
}

int64_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return 4;
    case DType::kF64:
      return 8;
    case DType::kI64:
      return 8;
    case DType::kU8:
      return 1;
  }
  return 0;
}

std::string shape_text(std::span<const int64_t> shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    text += (i > 0 ? ", " : "") + std::to_string(shape[i]);
  }
  return text + "]";
}

std::vector<uint8_t> encode_safetensors(std::span<const TensorBytes> tensors,
                                        const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const TensorBytes& t : tensors) {
    const int64_t count = element_count(t.shape);
    UW_CHECK(count >= 0 && static_cast<uint64_t>(count * dtype_size(t.dtype)) == t.bytes.size(),
             "tensor '" + t.name + "' has " + std::to_string(t.bytes.size()) + " bytes for shape " +
                 shape_text(t.shape));
    UW_CHECK(t.name != "__metadata__" && !header.contains(t.name),
             "tensor name '" + t.name + "' is reserved or repeated");
    header[t.name] = {{"dtype", dtype_name(t.dtype)},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::vector<uint8_t> out(8 + text.size() + offset);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(uint64_t{text.size()} >> (8 * i));
  std::memcpy(out.data() + 8, text.data(), text.size());
  uint8_t* data = out.data() + 8 + text.size();
  for (const TensorBytes& t : tensors) {
    if (!t.bytes.empty()) std::memcpy(data, t.bytes.data(), t.bytes.size());
    data += t.bytes.size();
  }
  return out;
}

void write_safetensors(const std::filesystem::path& path, std::span<const TensorBytes> tensors,
                       const std::map<std::string, std::string>& metadata) {
  const std::vector<uint8_t> bytes = encode_safetensors(tensors, metadata);
  data::write_file_atomically(
      path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Safetensors Safetensors::read(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error("checkpoint file " + data::quoted(path) + " does not exist");
  }
  return parse(data::File(path, data::File::Mode::kRead).read_all(), data::quoted(path));
}

Safetensors Safetensors::parse(std::vector<uint8_t> bytes, const std::string& where) {
  Safetensors s;
  s.where_ = where;
  const auto fail = [&](const std::string& what) -> Error {
    return Error("checkpoint " + where + ": " + what);
  };
  if (bytes.size() < 8) {
    throw fail("is " + std::to_string(bytes.size()) +
               " bytes long, shorter than the 8-byte header length: truncated");
  }
  const uint64_t header_size = read_le64(bytes.data());
  if (header_size > kMaxHeader || header_size > bytes.size() - 8) {
    throw fail("header length " + std::to_string(header_size) + " runs past the end of the " +
               std::to_string(bytes.size()) + "-byte file (at most " +
               std::to_string(std::min<uint64_t>(kMaxHeader, bytes.size() - 8)) +
               " fits): truncated or not a safetensors file");
  }
  const auto* text = reinterpret_cast<const char*>(bytes.data() + 8);
  if (header_size == 0 || text[0] != '{') throw fail("header is not a JSON object");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text, text + header_size);
  } catch (const nlohmann::json::exception& e) {
    throw fail(std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) throw fail("header is not a JSON object");
  s.data_start_ = 8 + header_size;
  const uint64_t data_size = bytes.size() - s.data_start_;

  std::vector<std::pair<uint64_t, std::string>> order;  // (begin, name) to check the tiling
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) throw fail("__metadata__ is not an object of strings");
      for (const auto& [key, text_value] : value.items()) {
        if (!text_value.is_string()) {
          throw fail("__metadata__ value '" + key + "' is not a string");
        }
        s.metadata_[key] = text_value.get<std::string>();
      }
      continue;
    }
    const auto bad = [&](const std::string& what) { return fail("tensor '" + name + "' " + what); };
    if (!value.is_object() || !value.contains("dtype") || !value.contains("shape") ||
        !value.contains("data_offsets")) {
      throw bad("needs dtype, shape and data_offsets");
    }
    Entry entry;
    const nlohmann::json& dtype = value["dtype"];
    const auto known = std::find_if(std::begin(kDTypes), std::end(kDTypes), [&](DType d) {
      return dtype.is_string() && dtype.get<std::string>() == dtype_name(d);
    });
    if (known == std::end(kDTypes)) {
      throw bad("has dtype " + dtype.dump() + "; expected one of F32, F64, I64, U8");
    }
    entry.dtype = *known;
    const nlohmann::json& shape = value["shape"];
    if (!shape.is_array()) throw bad("shape is not an array");
    for (const nlohmann::json& size : shape) {
      if (!size.is_number_unsigned()) throw bad("shape " + shape.dump() + " is not sizes >= 0");
      entry.shape.push_back(size.get<int64_t>());
    }
    const nlohmann::json& offsets = value["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned()) {
      throw bad("data_offsets " + offsets.dump() + " is not [begin, end]");
    }
    entry.begin = offsets[0].get<uint64_t>();
    entry.end = offsets[1].get<uint64_t>();
    if (entry.begin > entry.end || entry.end > data_size) {
      throw bad("data_offsets [" + std::to_string(entry.begin) + ", " + std::to_string(entry.end) +
                "] lie outside the " + std::to_string(data_size) +
                " bytes of data: truncated or damaged");
    }
    const int64_t count = element_count(entry.shape);
    if (count < 0 ||
        static_cast<uint64_t>(count) > (entry.end - entry.begin) / dtype_size(entry.dtype) ||
        static_cast<uint64_t>(count) * dtype_size(entry.dtype) != entry.end - entry.begin) {
      throw bad("holds " + std::to_string(entry.end - entry.begin) + " bytes, but " +
                dtype_name(entry.dtype) + " of shape " + shape_text(entry.shape) + " needs " +
                (count < 0
                     ? std::string("more than fits in memory")
                     : std::to_string(static_cast<uint64_t>(count) * dtype_size(entry.dtype))));
    }
    order.emplace_back(entry.begin, name);
    s.entries_.emplace(name, std::move(entry));
  }
  // the tensors must tile the data exactly, as the reference reader demands
  std::sort(order.begin(), order.end());
  uint64_t covered = 0;
  for (const auto& [begin, name] : order) {
    if (begin != covered) {
      throw fail("tensor '" + name + "' starts at byte " + std::to_string(begin) +
                 " of the data, expected " + std::to_string(covered) +
                 (begin < covered ? " (it overlaps the tensor before)" : " (a gap before it)"));
    }
    covered = s.entries_.at(name).end;
  }
  if (covered != data_size) {
    throw fail("the tensors cover " + std::to_string(covered) + " bytes but the data holds " +
               std::to_string(data_size) + ": trailing bytes");
  }
  s.bytes_ = std::move(bytes);
  return s;
}

std::span<const uint8_t> Safetensors::bytes(const std::string& name, DType dtype,
                                            std::span<const int64_t> shape) const {
  const auto found = entries_.find(name);
  if (found == entries_.end()) {
    throw Error("checkpoint " + where_ + " has no tensor '" + name + "'");
  }
  const Entry& e = found->second;
  if (e.dtype != dtype) {
    throw Error("checkpoint " + where_ + ": tensor '" + name + "' is " + dtype_name(e.dtype) +
                ", expected " + dtype_name(dtype));
  }
  if (!std::equal(e.shape.begin(), e.shape.end(), shape.begin(), shape.end())) {
    throw Error("checkpoint " + where_ + ": tensor '" + name + "' has shape " +
                shape_text(e.shape) + ", expected " + shape_text(shape));
  }
  return std::span(bytes_).subspan(data_start_ + e.begin, e.end - e.begin);
}

namespace {
template <class T>
std::vector<T> copy_values(std::span<const uint8_t> bytes) {
  std::vector<T> values(bytes.size() / sizeof(T));
  if (!bytes.empty()) std::memcpy(values.data(), bytes.data(), bytes.size());  // may be unaligned
  return values;
}
}  // namespace

std::vector<float> Safetensors::floats(const std::string& name,
                                       std::span<const int64_t> shape) const {
  return copy_values<float>(bytes(name, DType::kF32, shape));
}

std::vector<double> Safetensors::doubles(const std::string& name,
                                         std::span<const int64_t> shape) const {
  return copy_values<double>(bytes(name, DType::kF64, shape));
}

std::vector<int64_t> Safetensors::int64s(const std::string& name,
                                         std::span<const int64_t> shape) const {
  return copy_values<int64_t>(bytes(name, DType::kI64, shape));
}

const std::string& Safetensors::meta(const std::string& key) const {
  const auto found = metadata_.find(key);
  if (found == metadata_.end()) {
    throw Error("checkpoint " + where_ + " has no metadata '" + key + "'");
  }
  return found->second;
}

}  // namespace uw::agents
