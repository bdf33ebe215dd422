#include "agents/agent_eval.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "agents/agent.h"
#include "agents/agent_factory.h"
#include "agents/model_config.h"
#include "agents/world_model.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/random.h"
#include "core/thread_pool.h"
#include "envs/pixel_env.h"
#include "sim/image.h"

namespace uw::agents {
namespace {

std::unique_ptr<Agent> make_agent(const AgentRecipe& recipe, const envs::EnvEntry& entry,
                                  const envs::Env& env, const WorldModel* model) {
  const envs::EnvSpec& spec = env.spec();
  if (recipe.plans()) return make_mpc_agent(recipe, spec, env, model);
  const std::string policy = recipe.name == "scripted" ? "scripted:noise=0" : "random";
  return std::make_unique<PolicyAgent>(envs::make_policy(policy, spec, entry.scripted), spec);
}

// Draws an episode's frames as PNG files into a folder of its own.
class FrameWriter {
 public:
  FrameWriter(const AgentEvalConfig& c, int64_t episode)
      : dir_(std::filesystem::path(c.video_dir) / episode_folder(episode)),
        width_(c.video_width),
        height_(c.video_height) {
    std::filesystem::create_directories(dir_);
    // a longer episode's frames from an earlier run would play on after this one's
    for (const auto& file : std::filesystem::directory_iterator(dir_)) {
      if (file.path().filename().string().starts_with("frame-")) {
        std::filesystem::remove(file.path());
      }
    }
  }

  void draw(envs::Env& env) {
    char name[32];
    std::snprintf(name, sizeof name, "frame-%04lld.png", static_cast<long long>(frames_++));
    sim::write_png(env.render("", width_, height_), dir_ / name);
  }

  static std::string episode_folder(int64_t episode) {
    char name[32];
    std::snprintf(name, sizeof name, "episode-%03lld", static_cast<long long>(episode));
    return name;
  }

 private:
  std::filesystem::path dir_;
  int width_, height_;
  int64_t frames_ = 0;
};

// `state_twin`: for an env observing pixels only, the same task without them, where the final
// state is restored to measure the goal distance (the goal compares state observations).
// `frames`, when given, draws the episode.
EpisodeOutcome play_episode(envs::Env& env, envs::Env* state_twin, Agent& agent, uint64_t seed,
                            std::vector<float>& a, FrameWriter* frames) {
  EpisodeOutcome out;
  out.seed = seed;
  env.reset(seed);
  agent.reset(env, derive_seed(seed, 1));
  if (frames != nullptr) frames->draw(env);
  envs::TimeStep step;
  do {
    agent.act(env, a);
    step = env.step(a);
    if (frames != nullptr) frames->draw(env);
    out.total_reward += step.reward;
    ++out.length;
  } while (!step.done());
  out.success = step.info.success.value_or(false);
  out.end_reason = std::string(envs::end_reason_name(step.info.reason));
  if (env.goal() != nullptr) {
    std::vector<float> achieved(env.goal()->values().size());
    if (state_twin != nullptr) state_twin->restore_state(env.save_state());
    out.final_goal_distance =
        std::sqrt(squared_goal_distance(state_twin != nullptr ? *state_twin : env, achieved));
  }
  return out;
}

}  // namespace

std::pair<double, double> wilson_interval(int64_t successes, int64_t n) {
  if (n <= 0) return {0.0, 1.0};
  constexpr double z = 1.959963984540054;
  const double p = static_cast<double>(successes) / static_cast<double>(n);
  const double nn = static_cast<double>(n);
  const double denom = 1 + z * z / nn;
  const double centre = (p + z * z / (2 * nn)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / denom;
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

void check_agent(const std::string& agent, const std::vector<std::string>& overrides) {
  agent_recipe(agent, overrides, nullptr);
}

AgentEvalResult evaluate_agent(const envs::Registry& registry, const AgentEvalConfig& c) {
  if (c.episodes < 1) throw Error("--episodes: expected at least 1");
  if (c.threads < 1) throw Error("--threads: expected at least 1");
  if (!c.video_dir.empty() &&
      (c.video_width < 1 || c.video_height < 1 || c.video_width > envs::kMaxPixelSize ||
       c.video_height > envs::kMaxPixelSize)) {
    throw Error("--video-size: expected 1.." + std::to_string(envs::kMaxPixelSize) +
                " pixels each way");
  }
  AgentRecipe recipe = agent_recipe(c.agent, c.overrides, nullptr);  // before any loading
  const envs::EnvEntry& entry = registry.find(c.env_id);
  // the oracle plays the task without pictures; every other agent sees what the env observes
  const Options options = !recipe.plans() || recipe.latent ? c.options : without_pixels(c.options);
  std::unique_ptr<envs::Env> prototype = registry.make(c.env_id, options);
  const envs::EnvSpec& spec = prototype->spec();
  if (recipe.latent && !spec.is_goal_task()) {
    throw Error(c.env_id + ": latent agents plan towards a goal; this task has none");
  }
  std::optional<WorldModel> model;
  if (recipe.latent) {
    if (c.model.empty()) throw Error("--agent " + c.agent + " needs --model");
    model.emplace(WorldModel::load(c.model, &spec));
    set_inference_threads(1);  // episodes run in parallel instead
  } else if (!c.model.empty()) {
    throw Error("--model: agent " + c.agent + " uses no model");
  }
  if (model) recipe = agent_recipe(c.agent, c.overrides, &*model);  // the model's frameskip

  AgentEvalResult r;
  r.agent = c.agent;
  r.episodes = c.episodes;
  r.outcomes.resize(static_cast<size_t>(c.episodes));
  const int threads = static_cast<int>(std::min<int64_t>(c.threads, c.episodes));
  ThreadPool pool(threads);
  std::vector<AgentStats> stats(static_cast<size_t>(threads));
  std::atomic<int64_t> next{0}, done{0};
  std::mutex progress_mutex;
  std::optional<Progress> progress;
  if (c.progress) progress.emplace("eval " + c.agent, c.episodes, "episodes");
  const auto start = std::chrono::steady_clock::now();
  // each worker plays episodes in turn with its own env and agent; episode k's seed alone
  // decides it, so the thread that plays it does not matter
  pool.parallel_for(threads, [&](int begin, int end) {
    for (int w = begin; w < end; ++w) {
      std::unique_ptr<envs::Env> env = prototype->clone();
      std::unique_ptr<envs::Env> state_twin;
      if (spec.is_goal_task() && env->observation().empty()) {
        state_twin = registry.make(c.env_id, without_pixels(options));
      }
      std::unique_ptr<Agent> agent = make_agent(recipe, entry, *env, model ? &*model : nullptr);
      std::vector<float> action(static_cast<size_t>(spec.action_space.flat_size()));
      for (int64_t k = next++; k < c.episodes; k = next++) {
        std::optional<FrameWriter> frames;
        if (!c.video_dir.empty() && k < c.video_episodes) frames.emplace(c, k);
        r.outcomes[static_cast<size_t>(k)] =
            play_episode(*env, state_twin.get(), *agent, derive_seed(c.seed, uint64_t(k)), action,
                         frames ? &*frames : nullptr);
        const std::lock_guard lock(progress_mutex);
        ++done;
        if (progress) progress->update(done);
      }
      stats[static_cast<size_t>(w)] = agent->stats();
    }
  });
  if (progress) progress->finish();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  int64_t successes = 0;
  for (const EpisodeOutcome& o : r.outcomes) {
    successes += o.success ? 1 : 0;
    r.mean_return += o.total_reward / static_cast<double>(c.episodes);
    r.final_goal_distance += o.final_goal_distance / static_cast<double>(c.episodes);
  }
  r.success_rate = static_cast<double>(successes) / static_cast<double>(c.episodes);
  std::tie(r.success_low, r.success_high) = wilson_interval(successes, c.episodes);
  AgentStats total;
  for (const AgentStats& s : stats) {
    total.actions += s.actions;
    total.plans += s.plans;
    total.plan_seconds += s.plan_seconds;
    total.predictor_calls += s.predictor_calls;
    total.simulated_steps += s.simulated_steps;
  }
  if (total.actions > 0) r.plan_ms_per_action = 1e3 * total.plan_seconds / total.actions;
  if (total.plans > 0) {
    r.predictor_calls_per_plan = static_cast<double>(total.predictor_calls) / total.plans;
    r.simulated_steps_per_plan = static_cast<double>(total.simulated_steps) / total.plans;
  }
  if (recipe.plans()) r.planner = recipe.planner;
  if (recipe.latent) r.objective_cost = recipe.cost;
  return r;
}

nlohmann::json eval_result_to_json(const AgentEvalResult& r) {
  nlohmann::json episodes = nlohmann::json::array();
  for (const EpisodeOutcome& o : r.outcomes) {
    episodes.push_back({{"seed", o.seed},
                        {"success", o.success},
                        {"return", o.total_reward},
                        {"length", o.length},
                        {"final_goal_distance", o.final_goal_distance},
                        {"end_reason", o.end_reason}});
  }
  nlohmann::json planner = nullptr;
  if (r.planner) planner = planner_config_to_json(*r.planner);
  if (!r.objective_cost.empty()) planner["objective_cost"] = r.objective_cost;
  return {{"agent", r.agent},
          {"episodes", r.episodes},
          {"success_rate", r.success_rate},
          {"success_ci95", {r.success_low, r.success_high}},
          {"mean_return", r.mean_return},
          {"final_goal_distance", r.final_goal_distance},
          {"plan_ms_per_action", r.plan_ms_per_action},
          {"predictor_calls_per_plan", r.predictor_calls_per_plan},
          {"simulated_steps_per_plan", r.simulated_steps_per_plan},
          {"seconds", r.seconds},
          {"planner", planner},
          {"per_episode", episodes}};
}

}  // namespace uw::agents
