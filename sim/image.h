#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace uw::sim {

// An 8-bit RGB picture, row-major [height, width, 3], top row first.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;
};

// Writes an image as a PNG file. Throws uw::Error naming the path and the reason when the image
// is malformed or the file cannot be written.
void write_png(const Image& image, const std::filesystem::path& path);

}  // namespace uw::sim
