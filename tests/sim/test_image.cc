#include <stb_image.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "sim/image.h"
#include "tests/test_util.h"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

TEST_CASE("write_png writes a PNG that decodes to the same pixels") {
  uw::sim::Image image{5, 3, {}};
  for (int i = 0; i < 5 * 3 * 3; ++i) image.rgb.push_back(static_cast<uint8_t>(i * 17));
  const fs::path path = fs::temp_directory_path() / ("umwelt_png_" + std::to_string(getpid()));
  uw::sim::write_png(image, path);
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  fs::remove(path);
  CHECK(uw::test::png_size(bytes) == std::pair{5, 3});
  int w = 0, h = 0, channels = 0;
  unsigned char* decoded =
      stbi_load_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()), &w, &h, &channels, 3);
  REQUIRE(decoded != nullptr);
  CHECK(std::vector<uint8_t>(decoded, decoded + 5 * 3 * 3) == image.rgb);
  stbi_image_free(decoded);
}

TEST_CASE("write_png names the path and the reason when it cannot write") {
  uw::sim::Image image{2, 2, std::vector<uint8_t>(12, 200)};
  CHECK_THROWS_WITH(uw::sim::write_png(image, "/no/such/folder/frame.png"),
                    Contains("/no/such/folder/frame.png") && Contains("No such file"));
  uw::sim::Image broken{2, 2, std::vector<uint8_t>(11)};
  CHECK_THROWS_WITH(uw::sim::write_png(broken, "/tmp/never.png"),
                    Contains("expected") && Contains("12 bytes"));
  CHECK_FALSE(fs::exists("/tmp/never.png"));
}
