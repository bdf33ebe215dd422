// `umwelt eval`: an agent plays N episodes of a task and is scored (success with its Wilson
// interval, return, final goal distance, planning cost).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agents/planner.h"
#include "core/options.h"
#include "envs/registry.h"

namespace uw::agents {

struct AgentEvalConfig {
  std::string env_id;
  Options options;  // the env's options
  // random, scripted, oracle-cem, oracle-mppi, oracle-random, latent-cem, latent-mppi,
  // latent-random, latent-grad
  std::string agent = "random";
  std::string model;  // the world model directory (latent agents)
  int64_t episodes = 100;
  uint64_t seed = 0;  // episode k is reset with derive_seed(seed, k); the agent's stream too
  int threads = 2;    // episodes played at once (each agent single-threaded)
  // "planner.field=value" (PlannerConfig), "objective.cost=NAME" (latent agents, latent_costs())
  std::vector<std::string> overrides;
  bool progress = false;  // progress lines on stderr
  // When set, episodes 0 .. video_episodes - 1 are drawn after the reset and every step (the
  // task's default view with its markers, video_width x video_height) into
  // video_dir/episode-K/frame-TTTT.png.
  std::string video_dir;
  int64_t video_episodes = 1;
  int video_width = 320;
  int video_height = 240;
};

struct EpisodeOutcome {
  uint64_t seed = 0;
  bool success = false;  // the goal reached when the episode ended
  double total_reward = 0;
  int64_t length = 0;
  double final_goal_distance = 0;  // Euclidean, in the goal space; goal tasks only
  std::string end_reason;
};

struct AgentEvalResult {
  std::string agent;
  int64_t episodes = 0;
  double success_rate = 0;
  double success_low = 0, success_high = 0;  // the 95% Wilson score interval
  double mean_return = 0;
  double final_goal_distance = 0;  // mean over episodes
  double plan_ms_per_action = 0;   // planning wall time per executed action (0 without)
  double predictor_calls_per_plan = 0;
  double simulated_steps_per_plan = 0;  // the oracle's
  double seconds = 0;
  std::optional<PlannerConfig> planner;  // the planner config used (none for policies)
  std::string objective_cost;            // latent agents: final, sum or probe
  std::vector<EpisodeOutcome> outcomes;
};

// The 95% Wilson score interval of `successes` in `n` trials ([0, 1] when n is 0).
std::pair<double, double> wilson_interval(int64_t successes, int64_t n);

// Throws uw::Error on an unknown agent name, or overrides it cannot take (checked before any
// work: a model's frameskip is checked when the model is there).
void check_agent(const std::string& agent, const std::vector<std::string>& overrides);

// Throws uw::Error on an unknown agent or env, a missing or mismatched model, a bad override.
// Results do not depend on `threads`.
AgentEvalResult evaluate_agent(const envs::Registry& registry, const AgentEvalConfig& config);

nlohmann::json eval_result_to_json(const AgentEvalResult& result);

}  // namespace uw::agents
