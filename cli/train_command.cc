// umwelt train: train a JEPA world model on a dataset (resumable; Ctrl-C keeps the last
// checkpoint).
#include <atomic>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>

#include "agents/trainer.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/table.h"

namespace uw::cli {
namespace {

struct TrainArgs {
  agents::TrainOptions options;
  std::string data, out, config;
  int64_t steps = -1;
  bool json = false;
};

// Set by SIGINT and SIGTERM: the trainer checkpoints and returns. A signal handler can only
// reach a flag with static storage.
std::atomic<bool>& stop_requested() {
  static std::atomic<bool> stop{false};
  return stop;
}

void run_train(TrainArgs& args) {
  agents::TrainOptions& o = args.options;
  o.data = args.data;
  o.out = args.out;
  if (!args.config.empty()) o.config_file = args.config;
  if (args.steps >= 0) o.steps = args.steps;
  o.stop = &stop_requested();
  std::signal(SIGINT, [](int) { stop_requested().store(true); });
  std::signal(SIGTERM, [](int) { stop_requested().store(true); });
  const agents::TrainResult r = agents::train_world_model(o);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (args.json) {
    std::cout << nlohmann::json{{"out", args.out},
                                {"first_step", r.first_step},
                                {"steps", r.steps},
                                {"interrupted", r.interrupted},
                                {"seconds", r.seconds},
                                {"samples_per_second", r.samples_per_second},
                                {"data_wait_seconds", r.data_wait_seconds},
                                {"metrics", r.model.metrics}}
                     .dump()
              << "\n";
    return;
  }
  std::cout << "train: " << args.out << ": step " << r.steps
            << (r.interrupted ? " (interrupted; --resume continues)" : "") << ", "
            << fixed(r.seconds, 1) << " s, " << with_thousands(r.samples_per_second)
            << " samples/s\n"
            << "held out: " << agents::report_line(r.eval) << "\n";
}

}  // namespace

void add_train_command(App& app) {
  auto args = std::make_shared<TrainArgs>();
  agents::TrainOptions& o = args->options;
  auto* command = app.add_subcommand(
      "train", "Train a JEPA world model on a dataset; Ctrl-C keeps the last checkpoint");
  command->add_option("--data", args->data, "Dataset directory (umwelt gen)")->required();
  command->add_option("--out", args->out, "Model directory to write")->required();
  command->add_option("--config", args->config,
                      "Config JSON (default: agents/configs/<env>.json, else default.json)");
  command->add_option("--set", o.overrides,
                      "Override a config field: section.field=value, e.g. model.latent_dim=8 "
                      "(repeatable)");
  command->add_option("--steps", args->steps, "Training steps (overrides train.steps)")
      ->check(NonNegativeNumber);
  command->add_option("--threads", o.threads, "LibTorch threads")->check(PositiveNumber);
  command->add_option("--device", o.device, "cpu, or cuda with a CUDA LibTorch build")
      ->check(IsMember({"cpu", "cuda"}));
  command->add_option("--seed", o.seed, "Seed of the weights and the batches");
  command->add_flag("--resume", o.resume, "Continue the run in --out from its last checkpoint");
  command->add_flag("--json", args->json, "Print one JSON object at the end");
  command->callback([args] { run_train(*args); });
}

}  // namespace uw::cli
