// umwelt perf data: dataset generation against the same rollouts without writing, compression,
// and window sampling.
#include <iostream>
#include <nlohmann/json.hpp>

#include "bench/data_perf.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/machine.h"
#include "cli/table.h"

namespace uw::cli {
namespace {

struct PerfDataArgs {
  bench::DataPerfConfig config;
  bool json = false;
};

void run_perf_data(const PerfDataArgs& args) {
  const envs::Registry registry = envs::make_default_registry();
  const std::vector<bench::DataPerf> results = bench::run_data_perf(registry, args.config);
  const bench::DataPerfConfig& c = args.config;
  if (args.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const bench::DataPerf& r : results) {
      list.push_back({{"env", r.env_id},
                      {"episodes", r.episodes},
                      {"steps", r.steps},
                      {"rollout_steps_per_second", r.rollout_steps_per_second},
                      {"record_steps_per_second", r.record_steps_per_second},
                      {"generate_steps_per_second", r.generate_steps_per_second},
                      {"generate_vs_rollout", r.generate_vs_rollout},
                      {"generate_vs_record", r.generate_vs_record},
                      {"array_bytes", r.array_bytes},
                      {"shard_bytes", r.shard_bytes},
                      {"compression_ratio", r.compression_ratio},
                      {"sample_transitions_per_second", r.sample_transitions_per_second}});
    }
    std::cout << nlohmann::json{{"machine", machine_json()},
                                {"min_seconds", c.min_seconds},
                                {"max_steps", c.max_steps},
                                {"zstd_level", c.zstd_level},
                                {"threads", c.threads},
                                {"policy", c.policy},
                                {"window", c.window},
                                {"batch", c.batch},
                                {"envs", list}}
                     .dump(2)
              << "\n";
    return;
  }
  const std::string length =
      c.max_steps > 0 ? "up to " + std::to_string(c.max_steps) + " steps" : "the env's time limit";
  std::cout << "machine: " << cpu_model() << "; episodes of " << length << ", enough for "
            << c.min_seconds << " s of rollouts; " << c.threads << " threads, policy " << c.policy
            << ", zstd level " << c.zstd_level << "; windows " << c.batch << " x " << c.window
            << "\n\n";
  Table table({"env", "episodes", "rollout steps/s", "recorded steps/s", "gen steps/s",
               "gen/rollout", "gen/recorded", "plain MB", "shard MB", "compression",
               "sampled transitions/s"});
  for (const bench::DataPerf& r : results) {
    table.add_row({r.env_id, std::to_string(r.episodes), with_thousands(r.rollout_steps_per_second),
                   with_thousands(r.record_steps_per_second),
                   with_thousands(r.generate_steps_per_second), fixed(r.generate_vs_rollout, 3),
                   fixed(r.generate_vs_record, 3), fixed(r.array_bytes / 1e6, 2),
                   fixed(r.shard_bytes / 1e6, 2), fixed(r.compression_ratio, 2),
                   with_thousands(r.sample_transitions_per_second)});
  }
  std::cout << table.str();
}

}  // namespace

void add_perf_data_command(App& perf) {
  auto args = std::make_shared<PerfDataArgs>();
  bench::DataPerfConfig& c = args->config;
  auto* data = perf.add_subcommand(
      "data",
      "Dataset generation against the same rollouts without writing; compression; "
      "window sampling");
  data->add_option("--env", c.env_ids, "Env id (repeatable; default: all)");
  data->add_option("--episodes", c.episodes,
                   "Episodes per generation at least (more for fast envs: see --min-seconds)")
      ->check(PositiveNumber);
  data->add_option("--min-seconds", c.min_seconds,
                   "Episodes enough for the reference rollouts to take this long")
      ->check(NonNegativeNumber);
  data->add_option("--max-steps", c.max_steps,
                   "Steps per episode at most (default: the env's time limit)")
      ->check(PositiveNumber);
  data->add_option("--threads", c.threads, "Threads on both sides")->check(PositiveNumber);
  data->add_option("--rounds", c.rounds,
                   "Interleaved samples of each side (median ratios, best rates)")
      ->check(PositiveNumber);
  data->add_option("--policy", c.policy, "Behaviour policy (see umwelt gen)");
  data->add_option("--zstd-level", c.zstd_level, "Zstandard level (see umwelt gen)")
      ->check(Range(data::kMinZstdLevel, 22));
  data->add_option("--window", c.window, "Sampled window length")->check(PositiveNumber);
  data->add_option("--batch", c.batch, "Windows per sampled batch")->check(PositiveNumber);
  data->add_option("--scratch", c.scratch, "Where the datasets are written (default: temp)");
  data->add_flag("--json", args->json, "Print one JSON object");
  data->callback([args] { run_perf_data(*args); });
}

}  // namespace uw::cli
