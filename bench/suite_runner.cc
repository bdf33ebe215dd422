#include "bench/suite_runner.h"

#include <xxhash.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "agents/agent_eval.h"
#include "agents/model_config.h"
#include "agents/trainer.h"
#include "bench/report.h"
#include "core/error.h"
#include "core/random.h"
#include "datagen/episode.h"
#include "datagen/file_io.h"
#include "datagen/generator.h"
#include "envs/policy.h"

namespace uw::bench {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Evaluation episodes come from their own stream of the seed, so they are not the training
// dataset's start/goal pairs.
constexpr uint64_t kEvalStream = 0xe7a1;

// A dataset or model in the cache: where it is, and the key of the recipe that made it.
struct Product {
  std::string key;
  fs::path dir;
  bool pixels = false;  // a dataset of pictures
};

class Runner {
 public:
  Runner(const envs::Registry& registry, const SuiteRunOptions& options)
      : registry_(registry), o_(options) {}

  json run_task(const SuiteTask& task, const std::vector<uint64_t>& seeds, size_t index,
                size_t count);

 private:
  void say(const std::string& line) const {
    if (o_.progress) std::fprintf(stderr, "bench: %s\n", line.c_str());
  }
  Product dataset(const SuiteTask& task, uint64_t seed);
  Product model(const SuiteTask& task, uint64_t seed, const Product& dataset);
  // `model` is empty for agents that use none.
  json evaluation(const SuiteTask& task, const AgentRun& run, uint64_t seed, const Product& model);

  const envs::Registry& registry_;
  const SuiteRunOptions& o_;
  std::string label_;  // "[2/6] reacher-reach seed 0" in progress lines
};

std::string product_name(const SuiteTask& task, uint64_t seed, const std::string& key) {
  return task.name + "-s" + std::to_string(seed) + "-" + key;
}

Product Runner::dataset(const SuiteTask& task, uint64_t seed) {
  data::GenerationConfig c;
  c.env_id = task.env;
  c.options = task.options;
  c.policy = task.dataset.policy;
  c.seed = seed;
  c.episodes = task.dataset.episodes;
  c.max_steps = task.dataset.max_steps;
  c.state_every = data::parse_states(task.dataset.states);
  Product out;
  out.key = recipe_key(data::generation_to_json(c));
  out.dir = o_.cache / "datasets" / product_name(task, seed, out.key);
  say(label_ + ": dataset " + data::quoted(out.dir));
  const data::GenerateResult result =
      data::generate(registry_, c, out.dir, {.threads = o_.threads, .progress = o_.progress});
  if (result.already_complete) say(label_ + ": dataset cached");
  out.pixels = result.manifest.layout.pixel_height > 0;
  return out;
}

// Whether a model directory holds a finished training run of `steps` steps.
bool finished_model(const fs::path& dir, int64_t steps) {
  std::error_code ec;
  if (!fs::is_regular_file(dir / "config.json", ec)) return false;
  const json config = json::parse(data::read_text_file(dir / "config.json"), nullptr, false);
  return !config.is_discarded() && config.contains("training") &&
         config["training"].value("step", int64_t{-1}) == steps;
}

Product Runner::model(const SuiteTask& task, uint64_t seed, const Product& dataset) {
  const agents::WorldModelConfig config = agents::resolve_config(
      task.model.config, task.model.overrides, task.model.steps, task.env, dataset.pixels);
  Product out;
  out.key = recipe_key({{"dataset", dataset.key},
                        {"config", agents::config_to_json(config)},
                        {"seed", seed},
                        {"threads", o_.threads}});
  out.dir = o_.cache / "models" / product_name(task, seed, out.key);
  if (finished_model(out.dir, config.train.steps)) {
    say(label_ + ": model cached " + data::quoted(out.dir));
    return out;
  }
  std::error_code ec;
  const bool resume = fs::is_regular_file(out.dir / "train_state.safetensors", ec);
  if (!resume) fs::remove_all(out.dir, ec);  // a run killed before its first checkpoint
  say(label_ + ": model " + data::quoted(out.dir) + (resume ? " (resuming)" : ""));
  agents::TrainOptions t;
  t.data = dataset.dir;
  t.out = out.dir;
  t.config_file = task.model.config;
  t.overrides = task.model.overrides;
  t.steps = task.model.steps;
  t.threads = o_.threads;
  t.seed = seed;
  t.resume = resume;
  t.progress = o_.progress;
  agents::train_world_model(t);
  return out;
}

json Runner::evaluation(const SuiteTask& task, const AgentRun& run, uint64_t seed,
                        const Product& model) {
  const bool latent = run.agent.starts_with("latent-");
  agents::AgentEvalConfig c;
  c.env_id = task.env;
  c.options = task.options;
  c.agent = run.agent;
  c.model = latent ? model.dir.string() : std::string();
  c.episodes = run.episodes;
  c.seed = derive_seed(seed, kEvalStream);
  c.threads = o_.threads;
  c.overrides = run.overrides;
  c.progress = o_.progress;
  const std::string key = recipe_key({{"env", task.env},
                                      {"options", task.options.items()},
                                      {"agent", run.agent},
                                      {"model", latent ? json(model.key) : json(nullptr)},
                                      {"episodes", run.episodes},
                                      {"seed", c.seed},
                                      {"set", run.overrides}});
  const fs::path path =
      o_.cache / "evals" / (product_name(task, seed, key) + "-" + run.agent + ".json");
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    json cached = json::parse(data::read_text_file(path), nullptr, false);
    if (!cached.is_discarded() && cached.contains("success_rate")) {
      say(label_ + ": " + run.name + " cached");
      return cached;
    }
  }
  say(label_ + ": " + run.name + ", " + std::to_string(run.episodes) + " episodes");
  const json result = agents::eval_result_to_json(agents::evaluate_agent(registry_, c));
  fs::create_directories(path.parent_path());
  data::write_file_atomically(path, result.dump(1));
  return result;
}

// Learning curve and the last held-out evaluation from a model's metrics.jsonl.
json model_summary(const fs::path& dir, uint64_t seed) {
  json curve = json::array(), eval = nullptr;
  int64_t steps = 0;
  double samples_per_second = 0;
  std::ifstream in(dir / "metrics.jsonl");
  for (std::string line; std::getline(in, line);) {
    const json item = json::parse(line, nullptr, false);
    if (item.is_discarded() || !item.contains("step")) continue;
    steps = std::max(steps, item["step"].get<int64_t>());
    if (item.contains("eval")) eval = item["eval"];
    if (item.contains("loss")) {
      curve.push_back({item["step"], item["loss"]});
      samples_per_second = item.value("samples_per_second", 0.0);
    }
  }
  const json config = json::parse(data::read_text_file(dir / "config.json"));
  const int64_t batch = config["config"]["train"].value("batch_size", int64_t{0});
  return {{"seed", seed},
          {"dir", dir.string()},
          {"steps", steps},
          {"latent_dim", config["config"]["model"]["latent_dim"]},
          {"frameskip", config["config"]["model"]["frameskip"]},
          {"input", config["config"]["model"]["input"]},
          {"train_seconds", samples_per_second > 0 ? steps * batch / samples_per_second : 0.0},
          {"eval", eval},
          {"curve", curve}};
}

// One agent's results over every seed, pooled as one sample of episodes.
json pool_seeds(const AgentRun& run, const std::vector<json>& per_seed) {
  int64_t episodes = 0, successes = 0;
  double ret = 0, distance = 0, plan_ms = 0, calls = 0, seconds = 0;
  json seeds = json::array();
  for (const json& r : per_seed) {
    const auto n = r["episodes"].get<int64_t>();
    episodes += n;
    successes += std::llround(r["success_rate"].get<double>() * static_cast<double>(n));
    ret += r["mean_return"].get<double>() * n;
    distance += r["final_goal_distance"].get<double>() * n;
    plan_ms += r["plan_ms_per_action"].get<double>() * n;
    calls += r["predictor_calls_per_plan"].get<double>() * n;
    seconds += r["seconds"].get<double>();
    json seed = r;
    seed.erase("per_episode");
    seeds.push_back(seed);
  }
  const auto [low, high] = agents::wilson_interval(successes, episodes);
  const double n = std::max<double>(1.0, static_cast<double>(episodes));
  return {{"agent", run.name},
          {"kind", run.agent},
          {"episodes", episodes},
          {"successes", successes},
          {"success_rate", static_cast<double>(successes) / n},
          {"success_ci95", {low, high}},
          {"mean_return", ret / n},
          {"final_goal_distance", distance / n},
          {"plan_ms_per_action", plan_ms / n},
          {"predictor_calls_per_plan", calls / n},
          {"seconds", seconds},
          {"per_seed", seeds}};
}

// The latent agents' success as a fraction of the best oracle's (null without both).
json oracle_ratios(const json& agents) {
  double oracle = -1;
  for (const json& a : agents) {
    if (a["kind"].get<std::string>().starts_with("oracle-")) {
      oracle = std::max(oracle, a["success_rate"].get<double>());
    }
  }
  json ratios = json::object();
  for (const json& a : agents) {
    if (a["kind"].get<std::string>().starts_with("latent-") && oracle > 0) {
      ratios[a["agent"].get<std::string>()] = a["success_rate"].get<double>() / oracle;
    }
  }
  return ratios;
}

json Runner::run_task(const SuiteTask& task, const std::vector<uint64_t>& seeds, size_t index,
                      size_t count) {
  std::vector<std::vector<json>> per_agent(task.agents.size());
  json models = json::array();
  for (const uint64_t seed : seeds) {
    // a stream: g++ 12 warns falsely (-Wrestrict) on strings built from "[" here
    std::ostringstream label;
    label << "[" << index + 1 << "/" << count << "] " << task.name << " seed " << seed;
    label_ = label.str();
    const Product recorded = dataset(task, seed);
    Product world_model;
    if (task.needs_model()) {
      world_model = model(task, seed, recorded);
      models.push_back(model_summary(world_model.dir, seed));
    }
    for (size_t a = 0; a < task.agents.size(); ++a) {
      per_agent[a].push_back(evaluation(task, task.agents[a], seed, world_model));
    }
  }
  json agents = json::array();
  for (size_t a = 0; a < task.agents.size(); ++a) {
    agents.push_back(pool_seeds(task.agents[a], per_agent[a]));
  }
  return {{"name", task.name}, {"env", task.env},  {"options", task.options.items()},
          {"models", models},  {"agents", agents}, {"latent_vs_oracle", oracle_ratios(agents)}};
}

// What can be checked before any work: the envs and their options, the dataset policies, the
// model configs and their overrides, the agents and their settings, latent agents only on goal
// tasks.
void check_suite(const envs::Registry& registry, const Suite& suite) {
  for (const SuiteTask& task : suite.tasks) {
    try {
      const std::unique_ptr<envs::Env> env = registry.make(task.env, task.options);
      envs::describe_policy(task.dataset.policy, env->spec(), registry.find(task.env).scripted,
                            registry.policy_kinds());  // throws on a bad spec
      if (task.needs_model()) {
        agents::resolve_config(task.model.config, task.model.overrides, task.model.steps, task.env,
                               env->spec().has_pixels());
      }
      for (const AgentRun& run : task.agents) {
        agents::check_agent(run.agent, run.overrides);
        if (run.agent.starts_with("latent-") && !env->spec().is_goal_task()) {
          throw Error("agent " + run.agent + ": latent agents plan towards a goal; " + task.env +
                      " has none");
        }
      }
    } catch (const Error& e) {
      throw Error("suite task '" + task.name + "': " + e.what());
    }
  }
}

}  // namespace

std::string recipe_key(const json& recipe) {
  const std::string text = recipe.dump();  // keys sorted: the same recipe, the same text
  return data::hex64(XXH3_64bits(text.data(), text.size()));
}

json run_suite(const envs::Registry& registry, const Suite& suite, const SuiteRunOptions& options) {
  check_suite(registry, suite);
  SuiteRunOptions o = options;
  if (o.cache.empty()) o.cache = o.out / "cache";
  const auto start = std::chrono::steady_clock::now();
  Runner runner(registry, o);
  json tasks = json::array();
  for (size_t t = 0; t < suite.tasks.size(); ++t) {
    tasks.push_back(runner.run_task(suite.tasks[t], suite.seeds, t, suite.tasks.size()));
  }
  json report = {
      {"suite", suite_to_json(suite)},
      {"suite_file", o.suite_file},
      {"threads", o.threads},
      {"machine", o.machine},
      {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()},
      {"tasks", tasks}};
  fs::create_directories(o.out);
  data::write_file_atomically(o.out / "report.json", report.dump(1));
  data::write_file_atomically(o.out / "report.md", report_markdown(report));
  data::write_file_atomically(o.out / "report.html", report_html(report));
  return report;
}

}  // namespace uw::bench
