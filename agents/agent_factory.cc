#include "agents/agent_factory.h"

#include <nlohmann/json.hpp>

#include "agents/world_model.h"
#include "core/error.h"
#include "envs/pixel_env.h"

namespace uw::agents {
namespace {

// The planner's method in the name; throws on an unknown name.
AgentRecipe parse_name(const std::string& name) {
  AgentRecipe recipe;
  recipe.name = name;
  if (name == "random" || name == "scripted") return recipe;
  for (const std::string prefix : {"oracle-", "latent-"}) {
    if (!name.starts_with(prefix)) continue;
    const std::string method = name.substr(prefix.size());
    if (method == "cem" || method == "mppi" || method == "random" ||
        (method == "grad" && prefix == "latent-")) {
      recipe.method = method;
      recipe.latent = prefix == "latent-";
      return recipe;
    }
  }
  throw Error("--agent '" + name +
              "': expected random, scripted, oracle-cem, oracle-mppi, oracle-random, latent-cem, "
              "latent-mppi, latent-random or latent-grad");
}

}  // namespace

AgentRecipe agent_recipe(const std::string& name, const std::vector<std::string>& overrides,
                         const WorldModel* model) {
  AgentRecipe recipe = parse_name(name);
  if (!recipe.plans()) {
    if (!overrides.empty()) throw Error("--set: agent " + name + " has no planner to configure");
    return recipe;
  }
  nlohmann::json json = {{"planner", {{"method", recipe.method}}},
                         {"objective", {{"cost", "final"}}}};
  // gradient descent: fewer starts, more steps (each step costs a forward and a backward pass)
  if (recipe.method == "grad") {
    json["planner"].update({{"samples", 32}, {"elites", 4}, {"iterations", 20}});
  }
  apply_overrides(json, overrides);
  for (const auto& [section, value] : json.items()) {
    if (section != "planner" && section != "objective") {
      throw Error("--set " + section + ".*: expected planner.<field> or objective.cost");
    }
  }
  recipe.planner = planner_config_from_json(json["planner"], "planner");
  for (const auto& [field, value] : json["objective"].items()) {
    if (field != "cost" || !value.is_string()) {
      throw Error("--set objective." + field + ": the objective has one field, cost (" +
                  latent_costs() + ")");
    }
  }
  recipe.cost = json["objective"]["cost"].get<std::string>();
  if (!is_latent_cost(recipe.cost)) {
    throw Error("--set objective.cost=" + recipe.cost + ": expected one of " + latent_costs());
  }
  PlannerConfig& p = recipe.planner;
  if (model != nullptr) {
    if (p.frameskip != 0 && p.frameskip != model->frameskip()) {
      throw Error("planner.frameskip " + std::to_string(p.frameskip) +
                  ": the model predicts chunks of " + std::to_string(model->frameskip()) +
                  " actions");
    }
    p.frameskip = model->frameskip();
  } else if (p.frameskip == 0) {
    p.frameskip = 5;
  }
  return recipe;
}

std::unique_ptr<MpcAgent> make_mpc_agent(const AgentRecipe& recipe, const envs::EnvSpec& spec,
                                         const envs::Env& sim, const WorldModel* model) {
  UW_CHECK(recipe.plans(), "agent " + recipe.name + " does not plan");
  if (recipe.latent && !spec.is_goal_task()) {
    throw Error(spec.id + ": latent agents plan towards a goal; this task has none");
  }
  UW_CHECK(!recipe.latent || model != nullptr, "a latent agent without its model");
  std::unique_ptr<MpcObjective> objective =
      recipe.latent ? make_latent_goal_objective(*model, spec, recipe.planner.horizon, recipe.cost)
                    : make_oracle_objective(sim);
  return std::make_unique<MpcAgent>(recipe.planner, spec.action_space, std::move(objective));
}

Options without_pixels(const Options& options) {
  Options out;
  for (const auto& [key, value] : options.values()) {
    if (!envs::is_pixel_option(key)) out.set(key, value);
  }
  return out;
}

}  // namespace uw::agents
