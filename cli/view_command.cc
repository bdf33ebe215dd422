// umwelt view: the interactive viewer (a live env, a dataset's episodes, what a world model
// imagines, an agent's plans), or a scripted run of it that saves a screenshot (tests, docs).
#include <iostream>
#include <nlohmann/json.hpp>

#ifdef UMWELT_WITH_TORCH
#include "agents/agent_policy.h"
#endif
#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "viewer/viewer_app.h"

namespace uw::cli {
namespace {

struct ViewArgs {
  viewer::ViewerConfig config;
  std::vector<std::string> options;
  std::vector<int> size = {1280, 800};
  bool json = false;
};

void run_view(ViewArgs& args) {
  viewer::ViewerConfig& c = args.config;
  c.options = Options::parse(args.options);
  c.width = args.size[0];
  c.height = args.size[1];
  if (c.frames == 0 && !c.screenshot.empty()) {
    throw Error("--screenshot needs --frames N (the frame it saves is the last of N)");
  }
  envs::Registry registry = envs::make_default_registry();
#ifdef UMWELT_WITH_TORCH
  agents::add_agent_policy_kinds(registry);  // --policy oracle-cem, latent-cem:model=DIR, ...
#endif
  const nlohmann::json summary = viewer::run_viewer(registry, c);
  if (args.json) {
    std::cout << summary.dump() << "\n";
    return;
  }
  std::cout << "view: " << summary["frames"].get<int64_t>() << " frames, "
            << summary["frames_per_second"].get<double>() << " frames/s";
  if (summary.contains("screenshot")) {
    std::cout << ", saved " << summary["screenshot"].get<std::string>();
  }
  std::cout << "\n";
}

}  // namespace

void add_view_command(App& app) {
  auto args = std::make_shared<ViewArgs>();
  viewer::ViewerConfig& c = args->config;
  auto* command = app.add_subcommand(
      "view",
      "Open the viewer on a live env (--env) or a dataset's episodes (--dataset); with --model, "
      "what a world model imagines; with --agent, an agent's plans");
  command->add_option("--env", c.env, "Env id to run live (see `umwelt envs`)");
  command->add_option("--option", args->options, "Env option key=value (repeatable)");
  command->add_option("--seed", c.seed, "Seed of the first live episode");
  command->add_option(
      "--policy", c.policy,
      "Live actions: random (default), scripted, ou, manual (sliders and keys, "
      "starting at zero), or any policy spec of `umwelt gen`, planning agents included "
      "(oracle-cem, latent-cem:model=DIR, ...)");
  command->add_option("--dataset", c.dataset, "Dataset directory to browse (umwelt gen)");
  command->add_option("--episode", c.episode, "Dataset: the episode shown first (position)")
      ->check(NonNegativeNumber);
  command->add_option("--step", c.step, "Dataset: the step shown first")->check(NonNegativeNumber);
  command->add_flag("--play", c.play, "Dataset: start playing the episode");
  command->add_option("--model", c.model,
                      "World model directory (umwelt train): its imagination from each step, "
                      "decoded by its probe, drawn as ghosts beside what really happened");
  command->add_option("--agent", c.agent,
                      "With --env and --model: this agent (latent-cem, oracle-cem:samples=100, "
                      "...) acts live; each plan is drawn as the model imagines it");
  command->add_option("--size", args->size, "Window width and height")->expected(2);
  command
      ->add_option("--frames", c.frames,
                   "Scripted run: draw this many frames (a dataset's check finished), then exit")
      ->check(NonNegativeNumber);
  command->add_option("--screenshot", c.screenshot, "Scripted run: save the last frame as PNG");
  command->add_option("--record", c.record, "Save every frame as PNG into this folder");
  command->add_flag("--json", args->json, "Print one JSON object at the end");
  command->callback([args] { run_view(*args); });
}

}  // namespace uw::cli
