// umwelt envs: every env id with its spec.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "envs/pixel_env.h"
#include "envs/registry.h"

namespace uw::cli {
namespace {

nlohmann::json options_json(const std::vector<OptionSpec>& specs) {
  nlohmann::json options = nlohmann::json::array();
  for (const OptionSpec& option : specs) {
    options.push_back(
        {{"name", option.name}, {"default", option.default_value}, {"help", option.help}});
  }
  return options;
}

std::string default_of(const envs::EnvEntry& entry, const std::string& option) {
  for (const OptionSpec& spec : entry.options) {
    if (spec.name == option) return spec.default_value;
  }
  return "-";
}

void run_envs(bool json) {
  const envs::Registry registry = envs::make_default_registry();
  nlohmann::json list = nlohmann::json::array();
  nlohmann::json families = nlohmann::json::array();
  Table table({"id", "observation", "action", "goal", "scripted", "dt", "max steps", "summary"});
  for (const envs::EnvEntry& entry : registry.entries()) {
    if (entry.is_family()) {
      families.push_back(
          {{"id", entry.id}, {"summary", entry.summary}, {"options", options_json(entry.options)}});
      table.add_row({entry.id + "<path>", "qpos, qvel", "actuators", "-", "-", "model",
                     default_of(entry, "max_steps"), entry.summary});
      continue;
    }
    const envs::EnvSpec spec = registry.make(entry.id)->spec();
    list.push_back({{"id", entry.id},
                    {"summary", entry.summary},
                    {"options", options_json(entry.options)},
                    {"scripted", entry.scripted != nullptr},
                    {"spec", envs::spec_to_json(spec)}});
    table.add_row({entry.id, spec.observation_space.describe(), spec.action_space.describe(),
                   spec.goal_space ? spec.goal_space->describe() : "-",
                   entry.scripted != nullptr ? "yes" : "-", fixed(spec.control_dt(), 3),
                   std::to_string(spec.max_episode_steps), entry.summary});
  }
  if (json) {
    std::cout << nlohmann::json{{"envs", list},
                                {"families", families},
                                {"pixel_options", options_json(envs::pixel_options())}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << table.str() << "\nEvery env also takes, for pixel observations:\n";
  for (const OptionSpec& option : envs::pixel_options()) {
    std::cout << "  " << option.name << " (default '" << option.default_value
              << "'): " << option.help << "\n";
  }
}

}  // namespace

void add_envs_command(App& app) {
  auto* command = app.add_subcommand("envs", "List every env id with its spec");
  auto json = std::make_shared<bool>(false);
  command->add_flag("--json", *json, "Print one JSON object");
  command->callback([json] { run_envs(*json); });
}

}  // namespace uw::cli
