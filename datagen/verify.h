#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace uw::data {

struct VerifyReport {
  int64_t shards = 0;    // checked
  int64_t episodes = 0;  // that decoded and passed every check
  int64_t steps = 0;
  uint64_t bytes = 0;               // read
  std::vector<std::string> faults;  // one line per fault, naming the shard and episode
  std::vector<std::string> notes;   // not faults: recorded with other engine versions, say

  bool ok() const { return faults.empty(); }
};

// Reads everything: the manifest; every shard's size, xxh64, header, index and footer against the
// manifest; every frame's xxh64 and Zstandard checksum; every episode's shapes, finiteness,
// number, and summary against its index entry. Goes on after a fault to find the others. A
// manifest that does not parse is a single fault. Data recorded with other engine versions than
// this build's gets a note.
VerifyReport verify_dataset(const std::filesystem::path& dir, bool progress = false);

}  // namespace uw::data
