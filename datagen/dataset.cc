#include "datagen/dataset.h"

#include <memory>

#include "core/error.h"
#include "datagen/file_io.h"

namespace uw::data {

namespace fs = std::filesystem;

std::vector<ShardEntry> open_shard(const fs::path& dir, const Manifest& manifest,
                                   const ShardRecord& record) {
  const fs::path path = dir / record.file;
  const std::string where = "shard " + quoted(path);
  if (!fs::exists(path)) {
    throw Error(
        where + ": missing (the manifest lists it" +
        (fs::exists(path.string() + ".partial") ? "; only a .partial file is there)" : ")"));
  }
  const File file(path, File::Mode::kRead);
  if (file.size() != record.bytes) {
    throw Error(where + ": " + (file.size() < record.bytes ? "truncated: " : "") +
                std::to_string(file.size()) + " bytes, the manifest says " +
                std::to_string(record.bytes));
  }
  std::vector<ShardEntry> entries = read_shard_index(file);
  const GenerationConfig& g = manifest.generation;
  const auto count = static_cast<int64_t>(entries.size());
  if (count == 0) throw Error(where + ": holds no episodes");
  if (count != record.episodes) {
    throw Error(where + ": holds " + std::to_string(count) + " episodes, the manifest says " +
                std::to_string(record.episodes));
  }
  if (count != g.shard_size(record.index) ||
      entries.front().episode != g.first_episode(record.index)) {
    throw Error(where + ": holds episodes " + std::to_string(entries.front().episode) + ".." +
                std::to_string(entries.back().episode) + ", shard " + std::to_string(record.index) +
                " holds " + std::to_string(g.first_episode(record.index)) + ".." +
                std::to_string(g.first_episode(record.index) + g.shard_size(record.index) - 1));
  }
  int64_t steps = 0;
  for (const ShardEntry& e : entries) {
    if (e.steps < 1 || e.steps > manifest.step_limit()) {
      throw Error(episode_where(path, e.episode) + ": the index says " + std::to_string(e.steps) +
                  " steps, expected 1.." + std::to_string(manifest.step_limit()));
    }
    steps += e.steps;
  }
  if (steps != record.steps) {
    throw Error(where + ": holds " + std::to_string(steps) + " steps, the manifest says " +
                std::to_string(record.steps));
  }
  return entries;
}

Dataset Dataset::open(const fs::path& dir, ReadOptions options) {
  Dataset d;
  d.dir_ = dir;
  d.options_ = options;
  d.manifest_ = read_manifest(dir);
  for (const ShardRecord& record : d.manifest_.shards) {
    std::vector<ShardEntry> entries;
    try {
      entries = open_shard(dir, d.manifest_, record);
    } catch (const Error& e) {
      if (!options.skip_bad) throw;
      d.problems_.push_back(e.what());
      continue;
    }
    d.shard_paths_.push_back(dir / record.file);
    for (const ShardEntry& entry : entries) {
      d.entries_.push_back({d.shard_paths_.size() - 1, entry});
    }
  }
  return d;
}

int64_t Dataset::steps() const {
  int64_t steps = 0;
  for (const Located& at : entries_) steps += at.entry.steps;
  return steps;
}

std::vector<uint8_t> Dataset::read_payload(int64_t i) const {
  UW_CHECK(i >= 0 && i < size(), "episode position out of range");
  const File file(shard_paths_[entries_[i].shard], File::Mode::kRead);
  return data::read_payload(file, entries_[i].entry, manifest_.max_payload());
}

Episode Dataset::read(int64_t i) const {
  const Located& at = entries_[i];
  const std::string where = episode_where(shard_paths_[at.shard], at.entry.episode);
  Episode episode = decode_payload(read_payload(i), at.entry, where, manifest_.max_payload());
  const std::string problem = episode_problem(episode, manifest_.layout);
  if (!problem.empty()) throw Error(where + ": " + problem);
  return episode;
}

void Dataset::for_each(FunctionRef<void(const Episode&)> visit) {
  for (int64_t i = 0; i < size(); ++i) {
    Episode episode;
    try {
      episode = read(i);
    } catch (const Error& e) {
      if (!options_.skip_bad) throw;
      problems_.push_back(e.what());
      continue;
    }
    visit(episode);
  }
}

int64_t Dataset::find(int64_t k) const {
  // entries are in episode order, possibly with gaps where shards were skipped
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), k,
                                   [](const Located& a, int64_t b) { return a.entry.episode < b; });
  return it != entries_.end() && it->entry.episode == k ? it - entries_.begin() : -1;
}

}  // namespace uw::data
