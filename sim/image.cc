#include "sim/image.h"

#include <stb_image_write.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "core/error.h"

namespace uw::sim {
namespace {

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<char>*>(context);
  const char* bytes = static_cast<const char*>(data);
  out->insert(out->end(), bytes, bytes + size);
}

}  // namespace

void write_png(const Image& image, const std::filesystem::path& path) {
  const size_t expected = size_t(image.width) * image.height * 3;
  if (image.width < 1 || image.height < 1 || image.rgb.size() != expected) {
    throw Error("cannot write '" + path.string() + "': the image is " +
                std::to_string(image.width) + "x" + std::to_string(image.height) + " with " +
                std::to_string(image.rgb.size()) + " bytes, expected a positive size and " +
                std::to_string(expected) + " bytes");
  }
  // encode in memory, then write the file ourselves so that a failure can say why
  std::vector<char> png;
  if (stbi_write_png_to_func(append_bytes, &png, image.width, image.height, 3, image.rgb.data(),
                             image.width * 3) == 0) {
    throw Error("cannot write '" + path.string() + "': PNG encoding failed");
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error("cannot write '" + path.string() + "': " + std::strerror(errno));
  out.write(png.data(), static_cast<std::streamsize>(png.size()));
  out.close();
  if (!out) throw Error("cannot write '" + path.string() + "': " + std::strerror(errno));
}

}  // namespace uw::sim
