#pragma once

#include <cstdint>
#include <filesystem>

namespace uw::data {

// What an export wrote (`umwelt dataset export` prints it).
struct ExportResult {
  int64_t episodes = 0;
  int64_t steps = 0;
  uint64_t bytes = 0;  // of everything written under `path`
  std::filesystem::path path;
};

}  // namespace uw::data
