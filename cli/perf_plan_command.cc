// umwelt perf plan: latent CEM planning latency through the planner and the model's inference
// path, against the same loop on raw LibTorch tensors and modules.
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "agents/plan_perf.h"
#include "agents/trainer.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/machine.h"
#include "cli/table.h"
#include "datagen/generator.h"

namespace uw::cli {
namespace {

struct PerfPlanArgs {
  agents::PlanPerfConfig config;
  std::string model;
  int64_t samples = 0, horizon = 0, iterations = 0;  // 0: the two standard shapes
  bool json = false;
};

// Without --model: a pointmass model like the demo's (latent 4, chunks of 5), briefly trained
// on 100 episodes made for the run. Latency depends on the shapes, not on the training.
std::filesystem::path make_scratch_model(const std::filesystem::path& scratch) {
  data::GenerationConfig gen;
  gen.env_id = "pointmass-reach";
  gen.episodes = 100;
  gen.state_every = 0;
  gen.policy = "mix:random=0.5,scripted=0.5";
  data::generate(envs::make_default_registry(), gen, scratch / "data", {.threads = 2});
  agents::TrainOptions train;
  train.data = scratch / "data";
  train.out = scratch / "model";
  train.overrides = {"model.latent_dim=4", "model.frameskip=5", "train.eval_every=0"};
  train.steps = 50;
  train.progress = false;
  agents::train_world_model(train);
  return train.out;
}

void run_perf_plan(PerfPlanArgs& args) {
  std::filesystem::path scratch;
  agents::PlanPerfConfig c = args.config;
  if (args.model.empty()) {
    scratch =
        std::filesystem::temp_directory_path() / ("umwelt_perf_plan_" + std::to_string(getpid()));
    std::filesystem::remove_all(scratch);
    c.model = make_scratch_model(scratch);
  } else {
    c.model = args.model;
  }
  // the two shapes: DINO-WM's CEM (300 x 5 x 10), and a longer, wider one
  std::vector<std::array<int64_t, 3>> shapes = {{300, 5, 10}, {512, 10, 6}};
  if (args.samples > 0 || args.horizon > 0 || args.iterations > 0) {
    shapes = {{args.samples > 0 ? args.samples : 300, args.horizon > 0 ? args.horizon : 5,
               args.iterations > 0 ? args.iterations : 10}};
  }
  nlohmann::json results = nlohmann::json::array();
  Table table({"samples x horizon x iterations", "umwelt ms/plan", "raw LibTorch ms/plan",
               "umwelt predictor calls/s", "raw calls/s", "raw time / umwelt time"});
  for (const auto& [samples, horizon, iterations] : shapes) {
    c.samples = samples;
    c.elites = std::max<int64_t>(1, samples / 10);
    c.horizon = horizon;
    c.iterations = iterations;
    const agents::PlanPerf r = agents::measure_planning(c);
    results.push_back({{"samples", samples},
                       {"elites", c.elites},
                       {"horizon", horizon},
                       {"iterations", iterations},
                       {"predictor_calls_per_plan", r.predictor_calls_per_plan},
                       {"ms_per_plan", r.ours_ms_per_plan},
                       {"raw_ms_per_plan", r.raw_ms_per_plan},
                       {"predictor_calls_per_second", r.ours_calls_per_second},
                       {"raw_predictor_calls_per_second", r.raw_calls_per_second},
                       {"raw_vs_ours", r.raw_vs_ours}});
    table.add_row({std::to_string(samples) + " x " + std::to_string(horizon) + " x " +
                       std::to_string(iterations),
                   fixed(r.ours_ms_per_plan, 2), fixed(r.raw_ms_per_plan, 2),
                   with_thousands(r.ours_calls_per_second), with_thousands(r.raw_calls_per_second),
                   fixed(r.raw_vs_ours, 3)});
  }
  if (!scratch.empty()) std::filesystem::remove_all(scratch);
  if (args.json) {
    std::cout << nlohmann::json{{"machine", machine_json()},
                                {"model",
                                 args.model.empty() ? "pointmass-reach (made)" : args.model},
                                {"threads", c.threads},
                                {"rounds", c.rounds},
                                {"plans_per_round", c.plans_per_round},
                                {"results", results}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << "machine: " << cpu_model() << "; " << c.threads << " LibTorch thread(s), CEM with "
            << "elites = samples / 10, best of " << c.rounds << " rounds of " << c.plans_per_round
            << " plans\n\n"
            << table.str();
}

}  // namespace

void add_perf_plan_command(App& perf) {
  auto args = std::make_shared<PerfPlanArgs>();
  auto* command = perf.add_subcommand(
      "plan", "Latent CEM planning latency: the planner against the same loop on raw LibTorch");
  command->add_option("--model", args->model,
                      "State world model of a goal task (default: a small pointmass model "
                      "made for the run)");
  command->add_option("--samples", args->samples, "Samples per iteration (default: 300 and 512)")
      ->check(PositiveNumber);
  command->add_option("--horizon", args->horizon, "Horizon in chunks (default: 5 and 10)")
      ->check(PositiveNumber);
  command->add_option("--iterations", args->iterations, "Iterations (default: 10 and 6)")
      ->check(PositiveNumber);
  command->add_option("--threads", args->config.threads, "LibTorch threads")->check(PositiveNumber);
  command->add_option("--rounds", args->config.rounds, "Interleaved rounds of each side")
      ->check(PositiveNumber);
  command->add_option("--plans", args->config.plans_per_round, "Plans per round")
      ->check(PositiveNumber);
  command->add_flag("--json", args->json, "Print one JSON object");
  command->callback([args] { run_perf_plan(*args); });
}

}  // namespace uw::cli
