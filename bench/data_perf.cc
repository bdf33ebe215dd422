#include "bench/data_perf.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "datagen/generator.h"
#include "datagen/recorder.h"
#include "datagen/stats.h"
#include "datagen/window_sampler.h"

namespace uw::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The episodes of `config` on `threads` threads, made like generate makes them (envs made
// inside the timing) but not written: with `keep` recorded into memory (observations, states,
// ...) and dropped, else not even recorded.
double time_rollouts(const envs::Registry& registry, const data::GenerationConfig& config,
                     int threads_wanted, bool keep, int64_t& steps) {
  const auto start = Clock::now();
  std::vector<std::unique_ptr<data::EpisodeRecorder>> recorders;
  for (int i = 0; i < threads_wanted; ++i) {
    recorders.push_back(std::make_unique<data::EpisodeRecorder>(registry, config));
  }
  std::atomic<int64_t> next{0}, total{0};
  const auto work = [&](data::EpisodeRecorder& recorder) {
    data::Episode episode;
    for (int64_t k = next++; k < config.episodes; k = next++) {
      if (keep) {
        recorder.record_into(k, episode);
        total += episode.steps;
      } else {
        total += recorder.run_only(k);
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t i = 1; i < recorders.size(); ++i) threads.emplace_back(work, std::ref(*recorders[i]));
  work(*recorders[0]);
  for (std::thread& t : threads) t.join();
  steps = total;
  return seconds_since(start);
}

// The median over rounds of reference[i] / measured[i].
double median_ratio(const std::vector<double>& reference, const std::vector<double>& measured) {
  std::vector<double> ratios;
  for (size_t i = 0; i < reference.size(); ++i) ratios.push_back(reference[i] / measured[i]);
  std::ranges::sort(ratios);
  const size_t n = ratios.size();
  return n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
}

double time_generation(const envs::Registry& registry, const data::GenerationConfig& config,
                       const fs::path& dir, int threads) {
  fs::remove_all(dir);
  const auto start = Clock::now();
  data::generate(registry, config, dir, {.threads = threads});
  return seconds_since(start);
}

double sample_rate(data::Dataset& dataset, const DataPerfConfig& config) {
  data::WindowSampler sampler = data::load_window_sampler(dataset, config.window);
  if (sampler.windows() == 0) return 0;
  Rng rng(1);
  data::WindowBatch batch;
  sampler.sample(rng, config.batch, batch);  // sizes the buffers
  int64_t batches = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  while ((elapsed = seconds_since(start)) < config.sample_seconds) {
    for (int i = 0; i < 16; ++i) sampler.sample(rng, config.batch, batch);
    batches += 16;
  }
  return static_cast<double>(batches * config.batch * config.window) / elapsed;
}

}  // namespace

std::vector<DataPerf> run_data_perf(const envs::Registry& registry, const DataPerfConfig& config) {
  const std::vector<std::string> ids = config.env_ids.empty() ? registry.ids() : config.env_ids;
  const fs::path scratch = (config.scratch.empty() ? fs::temp_directory_path() : config.scratch) /
                           ("umwelt_perf_data_" + std::to_string(getpid()));
  std::vector<DataPerf> results;
  for (const std::string& id : ids) {
    data::GenerationConfig gen;
    gen.env_id = id;
    gen.max_steps = config.max_steps;
    gen.shard_episodes = config.shard_episodes;
    gen.policy = config.policy;
    gen.zstd_level = config.zstd_level;
    // enough episodes that the reference takes min_seconds, so fixed costs (making envs,
    // syncing shards) weigh as little as in a real generation; two probes take out the fixed
    // cost
    int64_t probe_steps = 0;
    gen.episodes = 8;
    const double short_probe = time_rollouts(registry, gen, config.threads, false, probe_steps);
    gen.episodes = 40;
    const double long_probe = time_rollouts(registry, gen, config.threads, false, probe_steps);
    const double episodes_per_second = 32 / std::max(long_probe - short_probe, 1e-6);
    gen.episodes = std::clamp<int64_t>(
        static_cast<int64_t>(config.min_seconds * episodes_per_second), config.episodes, 100000);
    DataPerf r;
    r.env_id = id;
    r.episodes = gen.episodes;
    // The machine's speed drifts by more than the differences measured (shared cores), so the
    // ratios are medians of each round's ratio, taken between runs seconds apart; the rates
    // are the best rounds'.
    std::vector<double> rollout, record, generate;
    for (int round = 0; round < config.rounds; ++round) {
      rollout.push_back(time_rollouts(registry, gen, config.threads, false, r.steps));
      record.push_back(time_rollouts(registry, gen, config.threads, true, r.steps));
      generate.push_back(time_generation(registry, gen, scratch / "d", config.threads));
    }
    r.rollout_steps_per_second = r.steps / std::ranges::min(rollout);
    r.record_steps_per_second = r.steps / std::ranges::min(record);
    r.generate_steps_per_second = r.steps / std::ranges::min(generate);
    r.generate_vs_rollout = median_ratio(rollout, generate);
    r.generate_vs_record = median_ratio(record, generate);
    data::Dataset dataset = data::Dataset::open(scratch / "d");
    const data::DatasetStats stats = data::dataset_stats(dataset, true);
    r.array_bytes = stats.array_bytes;
    r.shard_bytes = stats.bytes;
    r.compression_ratio = stats.compression_ratio;
    r.sample_transitions_per_second = sample_rate(dataset, config);
    results.push_back(r);
    fs::remove_all(scratch);
  }
  return results;
}

}  // namespace uw::bench
