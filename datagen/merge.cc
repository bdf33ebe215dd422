#include "datagen/merge.h"

#include <map>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "datagen/dataset.h"
#include "datagen/file_io.h"

namespace uw::data {
namespace {

namespace fs = std::filesystem;

struct Source {
  const fs::path* part;
  const Manifest* manifest;
  ShardRecord record;
};

// Copies a shard block by block, checking the copy's xxh64 against the manifest's; the copy is
// written under a temporary name and renamed when whole.
void copy_shard(const fs::path& from, const fs::path& to, uint64_t expected_hash) {
  const File in(from, File::Mode::kRead);
  const fs::path partial = to.string() + ".partial";
  {
    File out(partial, File::Mode::kCreate);
    std::vector<uint8_t> block(uint64_t{4} << 20);
    const uint64_t size = in.size();
    for (uint64_t offset = 0; offset < size; offset += block.size()) {
      const auto n = static_cast<size_t>(std::min<uint64_t>(block.size(), size - offset));
      in.read_at(offset, std::span(block).first(n));
      out.append(std::span(block).first(n));
    }
    out.sync();
  }
  const uint64_t hash = xxh64_of_file(partial);
  if (hash != expected_hash) {
    fs::remove(partial);
    throw Error("shard " + quoted(from) + ": xxh64 " + hex64(hash) + ", its manifest says " +
                hex64(expected_hash));
  }
  rename_file(partial, to);
}

}  // namespace

Manifest merge_datasets(const fs::path& out, const std::vector<fs::path>& parts) {
  if (parts.empty()) throw Error("merge needs at least one dataset");
  std::vector<Manifest> manifests;
  for (const fs::path& part : parts) manifests.push_back(read_manifest(part));
  const Manifest& first = manifests.front();
  const nlohmann::json first_spec = envs::spec_to_json(first.spec);
  std::map<int64_t, Source> shards;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Manifest& m = manifests[i];
    std::vector<std::string> differences =
        generation_differences(m.generation, first.generation, /*ignore_split=*/true);
    if (envs::spec_to_json(m.spec) != first_spec) differences.push_back("env_spec differs");
    if (!differences.empty()) {
      std::string message = "cannot merge " + quoted(parts[i]) + " with " + quoted(parts[0]) +
                            ": they were made by different commands:";
      for (const std::string& line : differences) message += "\n  " + line;
      throw Error(message);
    }
    for (const ShardRecord& record : m.shards) {
      const auto [it, added] = shards.emplace(record.index, Source{&parts[i], &m, record});
      if (!added) {
        throw Error("shard " + std::to_string(record.index) + " is in both " +
                    quoted(*it->second.part) + " and " + quoted(parts[i]));
      }
    }
  }
  GenerationConfig whole = first.generation;
  whole.shard_index = 0;
  whole.shard_count = 1;
  std::string missing;
  int64_t missing_count = 0;
  for (int64_t j = 0; j < whole.total_shards(); ++j) {
    if (shards.count(j) > 0) continue;
    if (++missing_count <= 10) missing += (missing.empty() ? "" : ", ") + std::to_string(j);
  }
  if (missing_count > 0) {
    throw Error("the datasets lack " + std::to_string(missing_count) + " of the " +
                std::to_string(whole.total_shards()) + " shards (" + missing +
                (missing_count > 10 ? ", ..." : "") + "): merge every part");
  }
  // a new directory, or one a killed merge of the same parts left (its generation.json first)
  const nlohmann::json record = generation_record(whole, first.spec);
  const fs::path record_path = out / "generation.json";
  const bool resuming =
      fs::exists(record_path) && !fs::exists(out / "manifest.json") &&
      nlohmann::json::parse(read_text_file(record_path), nullptr, false) == record;
  if (!resuming && fs::exists(out) && !(fs::is_directory(out) && fs::is_empty(out))) {
    throw Error(quoted(out) + " exists and is not an empty directory");
  }
  fs::create_directories(out / "shards");
  if (!resuming) write_file_atomically(record_path, record.dump(2) + "\n");
  Manifest merged = first;
  merged.generation = whole;
  merged.shards.clear();
  for (const auto& [index, source] : shards) {
    open_shard(*source.part, *source.manifest, source.record);  // header, index and counts
    const fs::path target = out / source.record.file;
    const bool copied = fs::exists(target) && fs::file_size(target) == source.record.bytes &&
                        xxh64_of_file(target) == source.record.xxh64;
    if (!copied) copy_shard(*source.part / source.record.file, target, source.record.xxh64);
    merged.shards.push_back(source.record);
  }
  sync_directory(out / "shards");
  // as a single run leaves it: `umwelt gen` with the whole command finds it complete
  write_manifest(out, merged);
  return merged;
}

}  // namespace uw::data
