#include "datagen/generator.h"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/error.h"
#include "core/progress.h"
#include "datagen/codec.h"
#include "datagen/recorder.h"
#include "datagen/shard.h"
#include "datagen/shard_finisher.h"

namespace uw::data {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void claim_directory(const fs::path& dir, const GenerationConfig& config,
                     const envs::EnvSpec& spec) {
  const fs::path record_path = dir / "generation.json";
  const json record = generation_record(config, spec);
  if (fs::exists(record_path)) {
    const std::string where = quoted(record_path);
    json existing;
    try {
      existing = json::parse(read_text_file(record_path));
    } catch (const json::parse_error& e) {
      throw Error(where + ": not valid JSON: " + e.what());
    }
    if (existing.value("format", "") != "umwelt-generation") {
      throw Error(where + ": not an Umwelt generation record");
    }
    const GenerationConfig before =
        generation_from_json(existing.value("generation", json()), where);
    std::vector<std::string> differences = generation_differences(config, before, false);
    if (differences.empty() && existing.value("env_spec", json()) != record.at("env_spec")) {
      differences.push_back(
          "env_spec: the env now has a different spec (options' defaults or "
          "spaces changed since the dataset was started)");
    }
    if (!differences.empty()) {
      std::string message = quoted(dir) + " holds a dataset made by a different command:";
      for (const std::string& line : differences) message += "\n  " + line;
      message += "\nrun the same command to resume it, or choose another --out";
      throw Error(message);
    }
  } else {
    if (fs::exists(dir) && !fs::is_directory(dir)) {
      throw Error(quoted(dir) + " exists and is not a directory");
    }
    // a run killed while writing its first generation.json leaves only the temporary file
    if (fs::exists(dir / "generation.json.tmp")) fs::remove(dir / "generation.json.tmp");
    if (fs::exists(dir) && !fs::is_empty(dir)) {
      throw Error(quoted(dir) +
                  " is not empty and holds no dataset being generated (no generation.json): "
                  "choose a new or empty directory");
    }
    fs::create_directories(dir);
    write_file_atomically(record_path, record.dump(2) + "\n");
  }
  fs::create_directories(dir / "shards");
}

struct Task {
  int64_t shard = 0;
  int64_t episode = 0;
};

// A recorded episode on its way to the disk.
struct Compressed {
  ShardEntry entry;
  std::vector<uint8_t> frame;
};

// Records tasks on several threads and writes them in task order, so the files do not depend
// on the thread count.
class Pipeline {
 public:
  Pipeline(const fs::path& dir, const GenerationConfig& config, std::vector<Task> tasks,
           std::map<int64_t, std::unique_ptr<ShardWriter>> writers, GenerateResult& result,
           std::map<int64_t, uint64_t>& shard_hashes, uint64_t max_payload, Progress* progress,
           int64_t done_before)
      : dir_(dir),
        config_(config),
        tasks_(std::move(tasks)),
        writers_(std::move(writers)),
        result_(result),
        shard_hashes_(shard_hashes),
        max_payload_(max_payload),
        progress_(progress),
        done_before_(done_before) {}

  void run(std::vector<std::unique_ptr<EpisodeRecorder>>& recorders) {
    window_ = 2 * static_cast<int64_t>(recorders.size()) + 2;
    std::vector<std::thread> threads;
    try {
      for (size_t i = 1; i < recorders.size(); ++i) {
        threads.emplace_back([&, i] { work(*recorders[i]); });
      }
    } catch (...) {  // no more threads: stop the ones started, then report it
      {
        std::unique_lock lock(mutex_);
        if (!error_) error_ = std::current_exception();
        failed_ = true;
      }
      ready_cv_.notify_all();
    }
    work(*recorders[0]);
    for (std::thread& t : threads) t.join();
    std::exception_ptr finish_error;
    try {
      finisher_.close();
    } catch (...) {
      finish_error = std::current_exception();
    }
    if (error_) std::rethrow_exception(error_);
    if (finish_error) std::rethrow_exception(finish_error);
    UW_CHECK(writers_.empty(), "every shard was finished");
  }

 private:
  void work(EpisodeRecorder& recorder) {
    // per thread, reused from episode to episode
    Episode episode;
    std::vector<uint8_t> payload;
    FrameCompressor compressor(config_.zstd_level);
    try {
      while (true) {
        int64_t position;
        {
          std::unique_lock lock(mutex_);
          // stay within a window of the next task to write, so memory stays bounded
          ready_cv_.wait(lock, [&] { return failed_ || next_task_ < committed_ + window_; });
          if (failed_ || next_task_ >= static_cast<int64_t>(tasks_.size())) return;
          position = next_task_++;
        }
        recorder.record_into(tasks_[position].episode, episode);
        // never write what a reader would refuse: an env that broke its contract is an error
        const std::string problem = episode_problem(episode, recorder.layout());
        if (!problem.empty()) {
          throw Error("env '" + config_.env_id + "', episode " + std::to_string(episode.index) +
                      ": " + problem);
        }
        encode_episode_into(episode, payload);
        const std::span<const uint8_t> compressed = compressor.compress(payload);
        std::vector<uint8_t> frame(compressed.begin(), compressed.end());
        ShardEntry entry = summarise(episode, 0, frame);
        std::unique_lock lock(mutex_);
        done_[position] = {entry, std::move(frame)};
        commit_ready(lock);
      }
    } catch (...) {
      std::unique_lock lock(mutex_);
      if (!error_) error_ = std::current_exception();
      failed_ = true;
      ready_cv_.notify_all();
    }
  }

  // Writes the tasks that are done, in order. One thread writes at a time, with the mutex
  // released while it writes so that the others go on depositing episodes.
  void commit_ready(std::unique_lock<std::mutex>& lock) {
    if (writing_) return;  // the writing thread will find this episode
    writing_ = true;
    for (auto it = done_.find(committed_); it != done_.end(); it = done_.find(committed_)) {
      Compressed ready = std::move(it->second);
      done_.erase(it);
      const Task& task = tasks_[committed_];
      lock.unlock();
      write(task, ready);
      lock.lock();
      ++committed_;
      ready_cv_.notify_all();
    }
    writing_ = false;
  }

  // Appends one episode to its shard; only the thread holding writing_ calls it.
  void write(const Task& task, const Compressed& ready) {
    std::unique_ptr<ShardWriter>& writer = writers_[task.shard];
    if (!writer) {
      writer = std::make_unique<ShardWriter>(dir_ / shard_file_name(task.shard),
                                             config_.first_episode(task.shard),
                                             config_.shard_size(task.shard), max_payload_);
    }
    writer->append(ready.entry, ready.frame);
    result_.episodes_recorded += 1;
    result_.steps_recorded += ready.entry.steps;
    result_.bytes_written += ready.frame.size();
    if (writer->full()) {
      finisher_.add(task.shard, std::move(writer));
      writers_.erase(task.shard);
    }
    if (progress_ != nullptr) {
      const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
      char detail[96];
      std::snprintf(detail, sizeof(detail), "%.0f steps/s, %.1f MB written",
                    seconds > 0 ? result_.steps_recorded / seconds : 0.0,
                    result_.bytes_written / 1e6);
      progress_->update(done_before_ + result_.episodes_recorded, detail);
    }
  }

  using Clock = std::chrono::steady_clock;
  const fs::path& dir_;
  const GenerationConfig& config_;
  std::vector<Task> tasks_;
  std::map<int64_t, std::unique_ptr<ShardWriter>> writers_;
  GenerateResult& result_;
  std::map<int64_t, uint64_t>& shard_hashes_;
  uint64_t max_payload_;
  Progress* progress_;
  int64_t done_before_;
  Clock::time_point start_ = Clock::now();

  std::mutex mutex_;
  std::condition_variable ready_cv_;
  int64_t window_ = 4;
  int64_t next_task_ = 0;
  int64_t committed_ = 0;
  std::map<int64_t, Compressed> done_;
  bool writing_ = false;  // a thread is writing; the others leave their episodes in done_
  bool failed_ = false;
  std::exception_ptr error_;
  ShardFinisher finisher_{shard_hashes_};  // last: its thread starts once the rest exists
};

// `hashes` holds the xxh64 of the shards written by this run; the others are read back.
Manifest make_manifest(const fs::path& dir, const GenerationConfig& config,
                       const EpisodeRecorder& recorder, const std::map<int64_t, uint64_t>& hashes) {
  Manifest manifest;
  manifest.generation = config;
  manifest.spec = recorder.spec();
  manifest.layout = recorder.layout();
  manifest.policy = recorder.policy_description();
  manifest.generator = generator_versions();
  for (int64_t j = 0; j < config.total_shards(); ++j) {
    if (!config.owns(j)) continue;
    ShardRecord record;
    record.index = j;
    record.file = shard_file_name(j);
    const File file(dir / record.file, File::Mode::kRead);
    for (const ShardEntry& entry : read_shard_index(file)) {
      record.episodes += 1;
      record.steps += entry.steps;
    }
    record.bytes = file.size();
    const auto hash = hashes.find(j);
    record.xxh64 = hash != hashes.end() ? hash->second : xxh64_of_file(file.path());
    manifest.shards.push_back(record);
  }
  return manifest;
}

}  // namespace

GenerateResult generate(const envs::Registry& registry, const GenerationConfig& config,
                        const fs::path& dir, const GenerateOptions& options) {
  check_generation(config);
  if (options.threads < 1) throw Error("threads must be at least 1");
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<EpisodeRecorder>> recorders;
  recorders.push_back(std::make_unique<EpisodeRecorder>(registry, config));
  claim_directory(dir, config, recorders[0]->spec());
  // one generation per directory at a time (a requeued cluster task while the old one still runs)
  const FileLock lock(dir / "generation.json",
                      "another `umwelt gen` is generating this dataset now; wait for it to end");

  GenerateResult result;
  if (fs::exists(dir / "manifest.json")) {
    result.manifest = read_manifest(dir);
    result.already_complete = true;
    return result;
  }

  // what is on disk already: whole shards, and the whole frames of partial ones
  std::vector<Task> tasks;
  std::map<int64_t, std::unique_ptr<ShardWriter>> writers;
  std::map<int64_t, uint64_t> shard_hashes;
  const uint64_t max_payload = payload_bound(recorders[0]->layout(), recorders[0]->step_limit());
  int64_t owned_episodes = 0;
  for (int64_t j = 0; j < config.total_shards(); ++j) {
    if (!config.owns(j)) continue;
    const int64_t size = config.shard_size(j);
    owned_episodes += size;
    const fs::path path = dir / shard_file_name(j);
    if (fs::exists(path)) {
      // a .partial beside a finished shard is a leftover of a crash around its rename
      if (fs::exists(path.string() + ".partial")) fs::remove(path.string() + ".partial");
      const size_t held = read_shard_index(File(path, File::Mode::kRead)).size();
      if (static_cast<int64_t>(held) != size) {
        throw Error("shard " + quoted(path) + " holds " + std::to_string(held) +
                    " episodes, this command puts " + std::to_string(size) + " in it");
      }
      result.episodes_resumed += size;
      continue;
    }
    int64_t next = config.first_episode(j);
    if (fs::exists(path.string() + ".partial")) {
      auto writer = std::make_unique<ShardWriter>(path, next, size, max_payload);
      result.episodes_resumed += writer->resumed_episodes();
      next = writer->next_episode();
      if (writer->full()) {
        shard_hashes[j] = writer->finish();
        continue;
      }
      writers[j] = std::move(writer);
    }
    for (int64_t k = next; k < config.first_episode(j) + size; ++k) tasks.push_back({j, k});
  }

  if (!tasks.empty()) {
    const int threads = static_cast<int>(std::min<size_t>(options.threads, tasks.size()));
    while (static_cast<int>(recorders.size()) < threads) {
      recorders.push_back(std::make_unique<EpisodeRecorder>(registry, config));
    }
    std::optional<Progress> progress;
    if (options.progress) progress.emplace("gen " + config.env_id, owned_episodes, "episodes");
    Pipeline pipeline(dir, config, std::move(tasks), std::move(writers), result, shard_hashes,
                      max_payload, progress ? &*progress : nullptr, result.episodes_resumed);
    pipeline.run(recorders);
  }

  sync_directory(dir / "shards");  // every shard's rename, before the manifest relies on them
  result.manifest = make_manifest(dir, config, *recorders[0], shard_hashes);
  write_manifest(dir, result.manifest);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace uw::data
