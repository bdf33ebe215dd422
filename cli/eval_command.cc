// umwelt eval: an agent (a policy, the oracle, or MPC in a world model's latent space) plays
// episodes of a task and is scored.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "agents/agent.h"
#include "agents/agent_eval.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "core/error.h"

namespace uw::cli {
namespace {

struct EvalArgs {
  agents::AgentEvalConfig config;
  std::vector<std::string> options;
  std::string video_size = "320x240";
  bool json = false;
};

// "WxH" as two positive numbers; throws naming the option.
std::pair<int, int> parse_size(const std::string& text) {
  int width = 0, height = 0;
  char x = 0, rest = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &width, &x, &height, &rest) != 3 || x != 'x' ||
      width < 1 || height < 1) {
    throw Error("--video-size '" + text + "': expected WxH, e.g. 320x240");
  }
  return {width, height};
}

// "[low, high]" (appended piece by piece: g++ 12 warns falsely on "[" + std::string)
std::string interval_text(double low, double high) {
  std::string text = "[";
  text.append(fixed(low, 3)).append(", ").append(fixed(high, 3)).append("]");
  return text;
}

void run_eval(EvalArgs& args) {
  agents::AgentEvalConfig& c = args.config;
  c.options = Options::parse(args.options);
  c.progress = !args.json;
  std::tie(c.video_width, c.video_height) = parse_size(args.video_size);
  const envs::Registry registry = envs::make_default_registry();
  const agents::AgentEvalResult r = agents::evaluate_agent(registry, c);
  if (args.json) {
    nlohmann::json out = agents::eval_result_to_json(r);
    out["env"] = c.env_id;
    out["seed"] = c.seed;
    out["model"] = c.model.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.model);
    if (!c.video_dir.empty()) out["video"] = c.video_dir;
    std::cout << out.dump() << "\n";
    return;
  }
  Table table({"env", "agent", "episodes", "success", "95% CI", "return", "goal dist",
               "plan ms/action", "predictor calls/plan"});
  table.add_row({c.env_id, r.agent, std::to_string(r.episodes), fixed(r.success_rate, 3),
                 interval_text(r.success_low, r.success_high), fixed(r.mean_return, 2),
                 fixed(r.final_goal_distance, 3), fixed(r.plan_ms_per_action, 2),
                 with_thousands(r.predictor_calls_per_plan)});
  std::cout << table.str();
}

}  // namespace

void add_eval_command(App& app) {
  auto args = std::make_shared<EvalArgs>();
  agents::AgentEvalConfig& c = args->config;
  auto* command = app.add_subcommand("eval",
                                     "Score an agent on a task: success (95% interval), return, "
                                     "goal distance, planning cost");
  command->add_option("--env", c.env_id, "Env id (see `umwelt envs`)")->required();
  command->add_option(
      "--agent", c.agent,
      "random, scripted, oracle-cem, oracle-mppi, oracle-random (planning on "
      "the true simulator), latent-cem, latent-mppi, latent-random, latent-grad (planning "
      "in a world model)");
  command->add_option("--model", c.model, "World model directory (latent agents)");
  command->add_option("--episodes", c.episodes, "Episodes")->check(PositiveNumber);
  command->add_option("--seed", c.seed, "Seed; episode k gets a seed derived from it and k");
  command->add_option("--threads", c.threads, "Episodes played at once")->check(PositiveNumber);
  command->add_option("--option", args->options, "Env option key=value (repeatable)");
  command->add_option("--set", c.overrides,
                      "planner.FIELD=VALUE (method, horizon, samples, elites, iterations, "
                      "init_std, min_std, momentum, temperature, learning_rate, warm_start, "
                      "execute) or objective.cost=" +
                          agents::latent_costs() + " (repeatable)");
  command->add_option("--video", c.video_dir,
                      "Write PNG frames of the first episodes here: DIR/episode-K/frame-T.png "
                      "(the task's view with the goal marked)");
  command->add_option("--video-episodes", c.video_episodes, "Episodes drawn with --video")
      ->check(PositiveNumber);
  command->add_option("--video-size", args->video_size, "Frame size WxH with --video");
  command->add_flag("--json", args->json, "Print one JSON object");
  command->callback([args] { run_eval(*args); });
}

}  // namespace uw::cli
