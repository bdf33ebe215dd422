// umwelt gen: generate an interaction dataset (resumable, the same on any thread count or split).
#include <iostream>
#include <nlohmann/json.hpp>

#ifdef UMWELT_WITH_TORCH
#include "agents/agent_policy.h"
#endif
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "datagen/generator.h"

namespace uw::cli {
namespace {

struct GenArgs {
  data::GenerationConfig config;
  std::vector<std::string> options;
  std::string states = "all";
  std::string out;
  int threads = 1;
  bool json = false;
};

void run_gen(GenArgs& args) {
  args.config.options = Options::parse(args.options);
  args.config.state_every = data::parse_states(args.states);
  envs::Registry registry = envs::make_default_registry();
#ifdef UMWELT_WITH_TORCH
  agents::add_agent_policy_kinds(registry);
#endif
  const data::GenerateResult result =
      data::generate(registry, args.config, args.out, {.threads = args.threads, .progress = true});
  const data::Manifest& m = result.manifest;
  if (args.json) {
    std::cout << nlohmann::json{{"out", args.out},
                                {"already_complete", result.already_complete},
                                {"episodes", m.episodes()},
                                {"steps", m.steps()},
                                {"bytes", m.bytes()},
                                {"shards", m.shards.size()},
                                {"episodes_resumed", result.episodes_resumed},
                                {"episodes_recorded", result.episodes_recorded},
                                {"steps_recorded", result.steps_recorded},
                                {"seconds", result.seconds},
                                {"steps_per_second",
                                 result.seconds > 0 ? result.steps_recorded / result.seconds : 0.0}}
                     .dump()
              << "\n";
    return;
  }
  if (result.already_complete) {
    std::cout << "gen: " << args.out << " is already complete: " << m.episodes() << " episodes, "
              << with_thousands(double(m.steps())) << " steps\n";
    return;
  }
  std::cout << "gen: " << args.out << ": " << m.episodes() << " episodes, "
            << with_thousands(double(m.steps())) << " steps, " << fixed(m.bytes() / 1e6, 1)
            << " MB in " << m.shards.size() << " shards";
  if (result.episodes_resumed > 0) {
    std::cout << " (" << result.episodes_resumed << " episodes kept from before)";
  }
  std::cout << "; " << fixed(result.seconds, 1) << " s, "
            << with_thousands(result.seconds > 0 ? result.steps_recorded / result.seconds : 0)
            << " steps/s\n";
}

}  // namespace

void add_gen_command(App& app) {
  auto args = std::make_shared<GenArgs>();
  data::GenerationConfig& c = args->config;
  auto* command = app.add_subcommand(
      "gen", "Generate a dataset of episodes; run the same command again to resume it");
  command->add_option("--env", c.env_id, "Env id (see `umwelt envs`)")->required();
  command->add_option("--episodes", c.episodes, "Episodes in the whole dataset")
      ->required()
      ->check(PositiveNumber);
  command->add_option("--out", args->out, "Dataset directory (new, or one to resume)")->required();
  command->add_option("--seed", c.seed, "Base seed; episode k is a pure function of (seed, k)");
  command->add_option("--threads", args->threads, "Threads recording episodes")
      ->check(PositiveNumber);
  command->add_option("--policy", c.policy,
                      "Behaviour policy: random, ou[:theta=0.15,sigma=0.3], "
                      "scripted[:noise=0.1] (goal tasks), mix:random=0.5,scripted=0.5, or an "
                      "agent that plans: oracle-cem[:samples=100,...], "
                      "latent-cem:model=DIR[,...] (any planner field; see docs/planning.md)");
  command->add_option("--option", args->options, "Env option key=value (repeatable)");
  command->add_option("--states", args->states,
                      "Simulator states kept for exact replay: all (default), none, or every=K "
                      "(steps 0, K, 2K, ...; replay re-simulates between them)");
  command
      ->add_option("--max-steps", c.max_steps,
                   "Cut episodes at this many steps (truncated); 0 = the env's own limit")
      ->check(NonNegativeNumber);
  command->add_option("--shard-episodes", c.shard_episodes, "Episodes per shard file")
      ->check(PositiveNumber);
  command
      ->add_option("--shard-index", c.shard_index,
                   "Generate only the shards j with j mod shard-count = shard-index (one "
                   "cluster task); merge the parts with `umwelt dataset merge`")
      ->check(NonNegativeNumber);
  command->add_option("--shard-count", c.shard_count, "Number of parts the dataset is split into")
      ->check(PositiveNumber);
  command
      ->add_option("--zstd-level", c.zstd_level,
                   "Zstandard level: -7..-1 fast (default -5), 1..22 smaller and slower")
      ->check(Range(data::kMinZstdLevel, 22));
  command->add_flag("--json", args->json, "Print one JSON object");
  command->callback([args] { run_gen(*args); });
}

}  // namespace uw::cli
