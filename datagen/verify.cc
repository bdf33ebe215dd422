#include "datagen/verify.h"

#include "core/error.h"
#include "core/progress.h"
#include "datagen/dataset.h"
#include "datagen/file_io.h"

namespace uw::data {
namespace {

// Whether a decoded episode agrees with its index entry; the first difference, or "".
std::string summary_difference(const Episode& e, const ShardEntry& entry) {
  if (e.total_reward() != entry.total_reward) return "its rewards do not add up to the index's";
  if (e.terminated != entry.terminated || e.truncated != entry.truncated ||
      e.reason != entry.reason || e.success != entry.success) {
    return "its end (terminated, truncated, reason, success) differs from the index's";
  }
  return {};
}

}  // namespace

VerifyReport verify_dataset(const std::filesystem::path& dir, bool progress) {
  VerifyReport report;
  Manifest manifest;
  try {
    manifest = read_manifest(dir);
  } catch (const Error& e) {
    report.faults.push_back(e.what());
    return report;
  }
  if (const std::string engines = engine_difference(manifest); !engines.empty()) {
    report.notes.push_back(engines +
                           ": the data is checked, but `umwelt dataset replay` cannot "
                           "be bit-exact across engine versions");
  }
  std::optional<Progress> bar;
  if (progress) bar.emplace("verify", manifest.episodes(), "episodes");
  int64_t seen = 0;
  for (const ShardRecord& record : manifest.shards) {
    ++report.shards;
    const std::filesystem::path path = dir / record.file;
    std::vector<ShardEntry> entries;
    try {
      entries = open_shard(dir, manifest, record);
    } catch (const Error& e) {
      report.faults.push_back(e.what());
      seen += record.episodes;
      continue;
    }
    report.bytes += record.bytes;
    const size_t first_fault = report.faults.size();
    // the file's xxh64 is taken over the bytes as the frames are read (they tile the file between
    // header and index), so every byte is read once
    const File file(path, File::Mode::kRead);
    Xxh64Stream file_hash;
    uint64_t hashed_to = 0;
    const auto hash_up_to = [&](uint64_t end) {
      UW_CHECK(end >= hashed_to, "open_shard checked that the frames tile the file in order");
      std::vector<uint8_t> bytes(end - hashed_to);
      file.read_at(hashed_to, bytes);
      file_hash.update(bytes);
      hashed_to = end;
    };
    for (const ShardEntry& entry : entries) {
      const std::string where = episode_where(path, entry.episode);
      hash_up_to(entry.offset);
      const std::vector<uint8_t> frame = read_frame(file, entry);
      file_hash.update(frame);
      hashed_to = entry.offset + entry.size;
      try {
        const Episode e =
            decode_payload(payload_of_frame(frame, entry, where, manifest.max_payload()), entry,
                           where, manifest.max_payload());
        std::string problem = episode_problem(e, manifest.layout);
        if (problem.empty()) problem = summary_difference(e, entry);
        if (!problem.empty()) throw Error(where + ": " + problem);
        ++report.episodes;
        report.steps += e.steps;
      } catch (const Error& e) {
        report.faults.push_back(e.what());
      } catch (const std::bad_alloc&) {
        report.faults.push_back(where + ": out of memory decoding it");
      }
      if (bar) bar->update(++seen);
    }
    hash_up_to(file.size());
    const uint64_t hash = file_hash.digest();
    if (hash != record.xxh64) {  // reported before the shard's episodes, as the coarser fault
      report.faults.insert(report.faults.begin() + static_cast<std::ptrdiff_t>(first_fault),
                           "shard " + quoted(path) + ": xxh64 " + hex64(hash) +
                               ", the manifest says " + hex64(record.xxh64));
    }
  }
  return report;
}

}  // namespace uw::data
