// umwelt rollout: run a policy (or a file of actions) in a batch of envs and
// measure it.
#include <iostream>
#include <nlohmann/json.hpp>

#ifdef UMWELT_WITH_TORCH
#include "agents/agent_policy.h"
#endif
#include "cli/actions_file.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "core/error.h"
#include "envs/rollout.h"

namespace uw::cli {
namespace {

struct RolloutArgs {
  std::vector<std::string> envs;
  int steps = 1000;
  uint64_t seed = 0;
  std::string policy = "random";
  int num_envs = 1;
  int threads = 1;
  std::vector<std::string> options;
  std::string actions_file;
  bool steps_given = false;
  bool json = false;
};

nlohmann::json optional_json(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string optional_text(const std::optional<double>& value, int digits) {
  return value ? fixed(*value, digits) : std::string("-");
}

envs::RolloutConfig make_config(const RolloutArgs& args, const std::string& env,
                                const envs::Registry& registry) {
  envs::RolloutConfig config;
  config.env_id = env;
  config.options = Options::parse(args.options);
  config.steps = args.steps;
  config.seed = args.seed;
  config.policy = args.policy;
  config.num_envs = args.num_envs;
  config.threads = args.threads;
  config.progress = !args.json;
  if (args.actions_file.empty()) return config;
  const int action_size = static_cast<int>(
      registry.make(config.env_id, config.options)->spec().action_space.flat_size());
  config.fixed_actions = read_actions_file(args.actions_file, action_size);
  const int count =
      action_size > 0 ? static_cast<int>(config.fixed_actions.size()) / action_size : 0;
  if (!args.steps_given) {
    config.steps = count;
  } else if (count < config.steps) {
    throw Error("actions file '" + args.actions_file + "' holds " + std::to_string(count) +
                " actions, fewer than --steps " + std::to_string(config.steps));
  }
  return config;
}

void run_rollout_command(const RolloutArgs& args) {
  envs::Registry registry = envs::make_default_registry();
#ifdef UMWELT_WITH_TORCH
  agents::add_agent_policy_kinds(registry);
#endif
  std::vector<std::string> ids = args.envs;
  if (ids.size() == 1 && ids.front() == "all") ids = registry.ids();
  const std::string policy = args.actions_file.empty() ? args.policy : "file:" + args.actions_file;
  Table table({"env", "policy", "envs", "threads", "env steps", "episodes", "return", "length",
               "success", "faults", "steps/s", "frames/s"});
  for (const std::string& env : ids) {
    const envs::RolloutConfig config = make_config(args, env, registry);
    const envs::RolloutResult result = envs::run_rollout(registry, config);
    if (args.json) {
      // one object per env, one per line
      const nlohmann::json out = {
          {"env", env},
          {"policy", policy},
          {"seed", args.seed},
          {"num_envs", args.num_envs},
          {"threads", result.threads},
          {"steps", config.steps},
          {"env_steps", result.env_steps},
          {"episodes", result.episodes},
          {"return_mean", optional_json(result.return_mean)},
          {"length_mean", optional_json(result.length_mean)},
          {"success_rate", optional_json(result.success_rate)},
          {"physics_faults", result.physics_faults},
          {"seconds", result.seconds},
          {"steps_per_second", result.steps_per_second},
          {"final_obs", result.final_obs},
          {"pixels", result.pixel_shape.empty() ? nlohmann::json(nullptr)
                                                : nlohmann::json(result.pixel_shape)},
          {"frames", result.frames},
          {"frames_per_second", result.frames_per_second},
          {"engine_warnings", result.engine_warnings},
      };
      std::cout << out.dump() << std::endl;
      continue;
    }
    for (const std::string& warning : result.engine_warnings) {
      std::cerr << "umwelt: " << env << ": engine warning: " << warning << "\n";
    }
    table.add_row({env, policy, std::to_string(args.num_envs), std::to_string(result.threads),
                   with_thousands(double(result.env_steps)), std::to_string(result.episodes),
                   optional_text(result.return_mean, 2), optional_text(result.length_mean, 1),
                   optional_text(result.success_rate, 2), std::to_string(result.physics_faults),
                   with_thousands(result.steps_per_second),
                   result.frames > 0 ? with_thousands(result.frames_per_second) : "-"});
  }
  if (!args.json) std::cout << table.str();
}

}  // namespace

void add_rollout_command(App& app) {
  auto args = std::make_shared<RolloutArgs>();
  auto* command = app.add_subcommand("rollout", "Run a policy in a batch of envs and measure it");
  command
      ->add_option("--env", args->envs,
                   "Env id (see `umwelt envs`), mjcf:<path>, or all; repeatable (--json then "
                   "prints one object per line)")
      ->required();
  command->add_option("--steps", args->steps, "Steps per env")->check(NonNegativeNumber);
  command->add_option("--seed", args->seed, "Seed; env i gets seed + i");
  command->add_option("--policy", args->policy,
                      "zero, random, ou[:theta=..,sigma=..], scripted[:noise=..] (the task's "
                      "controller; noise 0.1 by default), mix:KIND=WEIGHT,..., or an agent "
                      "that plans: oracle-cem[:samples=100,...], latent-cem:model=DIR[,...]");
  command->add_option("--num-envs", args->num_envs, "Envs stepped together")->check(PositiveNumber);
  command->add_option("--threads", args->threads, "Threads stepping them")->check(PositiveNumber);
  command->add_option("--option", args->options,
                      "Env option key=value (repeatable); every env takes pixels=N (or WxH), "
                      "pixels_and_state=1 and camera=NAME for pixel observations");
  command->add_option("--actions", args->actions_file,
                      "Text file of actions, one per line, given to every env in turn "
                      "(replaces --policy; --steps defaults to its length)");
  command->add_flag("--json", args->json, "Print one JSON object");
  command->callback([args, command] {
    args->steps_given = command->count("--steps") > 0;
    run_rollout_command(*args);
  });
}

}  // namespace uw::cli
