#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/same_bits.h"

namespace uw::test {

using uw::same_bits;

// Whether every pixel of an RGB image ([H, W, 3]) has the same colour: a blank render.
inline bool one_colour(std::span<const uint8_t> rgb) {
  for (size_t i = 3; i < rgb.size(); ++i) {
    if (rgb[i] != rgb[i % 3]) return false;
  }
  return true;
}

}  // namespace uw::test

namespace uw::test {

// The width and height in a PNG file's header, or {0, 0} when the bytes do not start with a
// PNG signature and an IHDR chunk.
inline std::pair<int, int> png_size(std::string_view bytes) {
  constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() < 24 || std::memcmp(bytes.data(), kSignature, 8) != 0 ||
      bytes.substr(12, 4) != "IHDR") {
    return {0, 0};
  }
  auto big_endian = [&](size_t at) {
    int value = 0;
    for (size_t i = at; i < at + 4; ++i)
      value = (value << 8) | static_cast<unsigned char>(bytes[i]);
    return value;
  };
  return {big_endian(16), big_endian(20)};
}

}  // namespace uw::test

namespace uw::test {

// A fresh folder under the system's temporary folder, named after the test binary's process so
// that tests running at once never share one; removed with the object.
// A whole file's bytes ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// How often `needle` occurs in `text` (overlaps counted).
inline size_t count_occurrences(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             ("umwelt_test_" + std::to_string(getpid()) + "_" + name)) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path operator/(const std::string& child) const { return path / child; }
  // The child's path as text, for command lines.
  std::string str(const std::string& child) const { return (path / child).string(); }
};

}  // namespace uw::test
