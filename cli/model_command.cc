// umwelt model: inspect and evaluate trained world models.
#include <iostream>
#include <nlohmann/json.hpp>

#include "agents/evaluate.h"
#include "agents/world_model.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "core/error.h"
#include "datagen/dataset.h"
#include "datagen/stats.h"

namespace uw::cli {
namespace {

struct ModelArgs {
  std::string model, data;
  int64_t windows = 1024;
  uint64_t seed = 0;
  bool seed_given = false;  // else the windows the training run evaluated on
  bool json = false;
};

void run_info(const ModelArgs& args) {
  const agents::ModelFile m = agents::load_model_file(args.model);
  const nlohmann::json config = agents::model_json(m);
  if (args.json) {
    std::cout << config.dump(2) << "\n";
    return;
  }
  int64_t parameters = 0;
  for (const agents::NamedTensor& t : m.weights) parameters += static_cast<int64_t>(t.values.size());
  const agents::ModelConfig& a = m.config.model;
  std::cout << "model " << args.model << "\n"
            << "env " << m.spec.id << ", trained " << m.training.value("step", int64_t{0})
            << " steps on " << m.dataset.value("dir", std::string("?")) << "\n"
            << "input " << a.input << ", latent " << a.latent_dim << ", frameskip "
            << a.frameskip << ", history " << a.history << ", " << with_thousands(parameters)
            << " parameters in " << m.weights.size() << " tensors\n"
            << "loss " << m.config.loss.regularizer << ", target " << m.config.loss.target
            << ", horizon " << m.config.loss.horizon << "\n"
            << "metrics " << m.metrics.dump() << "\n";
}

void run_eval(const ModelArgs& args) {
  data::Dataset dataset = data::Dataset::open(args.data);
  const agents::WorldModel model = agents::WorldModel::load(args.model, &dataset.manifest().spec);
  const agents::ModelFile& file = model.file();
  const int64_t window = agents::eval_window_steps(file.config.model);
  // on the model's own dataset, only the episodes it did not train on; another one, all of it
  const bool own = data::dataset_stats(dataset, /*with_content_hash=*/true).content_hash ==
                   file.dataset.value("content_hash", std::string());
  const data::WindowSampler sampler =
      own ? data::load_split_samplers(dataset, window, window, file.config.train.heldout_every)
                .heldout
          : data::load_window_sampler(dataset, window);
  const agents::EvalReport report =
      agents::evaluate_model(model, sampler, args.windows,
                             args.seed_given
                                 ? args.seed
                                 : agents::eval_seed(file.training.value("seed", uint64_t{0})));
  if (args.json) {
    nlohmann::json j = agents::report_to_json(report);
    j["model"] = args.model;
    j["data"] = args.data;
    j["heldout"] = own ? "the model's held-out episodes" : "every episode";
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "eval " << args.model << " on " << args.data << " ("
            << (own ? "its held-out episodes" : "every episode") << ", " << report.windows
            << " windows)\n"
            << agents::report_line(report) << "\n";
}

}  // namespace

void add_model_command(App& app) {
  auto args = std::make_shared<ModelArgs>();
  auto* command = app.add_subcommand("model", "Inspect and evaluate trained world models");
  command->require_subcommand(1);
  auto* info = command->add_subcommand("info", "What a model is: architecture, env, metrics");
  info->add_option("model", args->model, "Model directory")->required();
  info->add_flag("--json", args->json, "Print its config.json");
  info->callback([args] { run_info(*args); });
  auto* eval = command->add_subcommand(
      "eval", "Prediction, probe, collapse and plannability metrics on held-out episodes");
  eval->add_option("model", args->model, "Model directory")->required();
  eval->add_option("--data", args->data, "Dataset of the same env")->required();
  eval->add_option("--windows", args->windows, "Windows to evaluate on")->check(PositiveNumber);
  eval->add_option("--seed", args->seed,
                    "Seed of the windows drawn (default: those the training run evaluated on)");
  eval->add_flag("--json", args->json, "Print one JSON object");
  eval->callback([args, eval] {
    args->seed_given = eval->count("--seed") > 0;
    run_eval(*args);
  });
}

}  // namespace uw::cli
