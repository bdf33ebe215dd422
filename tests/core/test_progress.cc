#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <thread>

#include "core/progress.h"

namespace {

// What a progress bar wrote to a temporary file.
std::string written(std::FILE* file) {
  std::rewind(file);
  std::string text;
  for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) text += static_cast<char>(c);
  return text;
}

}  // namespace

TEST_CASE("progress: quiet within a second, then a line with a rate under 1/s that is not 0") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  {
    uw::Progress progress("eval", 4, "episodes", file);
    progress.update(0);
    CHECK(written(file).empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));
    progress.update(1);  // 1 episode in 1.3 s
  }
  const std::string text = written(file);
  INFO(text);
  CHECK(text.find("eval: 1/4 episodes (25%), 0.") != std::string::npos);
  CHECK(text.find(" 0 episodes/s") == std::string::npos);
  CHECK(text.find("took 1s") != std::string::npos);
  std::fclose(file);
}
