// umwelt perf train: training throughput through the trainer's data path against the same
// optimiser steps on a batch already in memory.
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "agents/train_perf.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/machine.h"
#include "cli/table.h"
#include "datagen/generator.h"

namespace uw::cli {
namespace {

struct PerfTrainArgs {
  agents::TrainPerfConfig config;
  std::string data, config_file;
  bool json = false;
};

void run_perf_train(PerfTrainArgs& args) {
  agents::TrainPerfConfig& c = args.config;
  if (!args.config_file.empty()) c.config_file = args.config_file;
  // without --data: a pointmass dataset of 200 episodes, half scripted, made for the run
  std::filesystem::path scratch;
  if (args.data.empty()) {
    scratch = std::filesystem::temp_directory_path() /
              ("umwelt_perf_train_" + std::to_string(getpid()));
    std::filesystem::remove_all(scratch);
    data::GenerationConfig gen;
    gen.env_id = "pointmass-reach";
    gen.episodes = 200;
    gen.policy = "mix:random=0.5,scripted=0.5";
    data::generate(envs::make_default_registry(), gen, scratch, {.threads = 2});
    c.data = scratch;
  } else {
    c.data = args.data;
  }
  const agents::TrainPerf r = agents::measure_training(c);
  if (!scratch.empty()) std::filesystem::remove_all(scratch);
  if (args.json) {
    std::cout << nlohmann::json{{"machine", machine_json()},
                                {"data", args.data.empty() ? "pointmass-reach (made)" : args.data},
                                {"threads", c.threads},
                                {"rounds", c.rounds},
                                {"steps_per_round", c.steps_per_round},
                                {"config", agents::config_to_json(r.config)},
                                {"obs_size", r.obs_size},
                                {"action_size", r.action_size},
                                {"trainer_samples_per_second", r.trainer_samples_per_second},
                                {"in_memory_samples_per_second", r.in_memory_samples_per_second},
                                {"trainer_vs_in_memory", r.trainer_vs_in_memory},
                                {"data_wait_fraction", r.data_wait_fraction}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << "machine: " << cpu_model() << "; " << c.threads << " LibTorch threads, batch "
            << r.batch_size << ", " << c.rounds << " rounds of " << c.steps_per_round
            << " steps\n\n";
  Table table({"path", "samples/s", "vs in memory"});
  table.add_row({"trainer (sampled on data threads)", with_thousands(r.trainer_samples_per_second),
                 fixed(r.trainer_vs_in_memory, 3)});
  table.add_row({"one batch held in memory", with_thousands(r.in_memory_samples_per_second), "1"});
  std::cout << table.str() << "\nthe optimiser waited for data " << fixed(100 * r.data_wait_fraction, 2)
            << "% of the trainer's time\n";
}

}  // namespace

void add_perf_train_command(App& perf) {
  auto args = std::make_shared<PerfTrainArgs>();
  auto* command = perf.add_subcommand(
      "train", "World-model training: the trainer's data path against a batch held in memory");
  command->add_option("--data", args->data,
                      "Dataset (default: 200 pointmass-reach episodes made for the run)");
  command->add_option("--config", args->config_file, "Config JSON, as umwelt train");
  command->add_option("--set", args->config.overrides, "Config override section.field=value");
  command->add_option("--threads", args->config.threads, "LibTorch threads")
      ->check(PositiveNumber);
  command->add_option("--rounds", args->config.rounds, "Interleaved samples of each path")
      ->check(PositiveNumber);
  command->add_option("--steps", args->config.steps_per_round, "Optimiser steps per sample")
      ->check(PositiveNumber);
  command->add_flag("--json", args->json, "Print one JSON object");
  command->callback([args] { run_perf_train(*args); });
}

}  // namespace uw::cli
