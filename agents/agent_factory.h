// Agents by name, shared by `umwelt eval` and the agent policies of `umwelt rollout` and
// `umwelt gen`: random, scripted, oracle-{cem,mppi,random}, latent-{cem,mppi,random,grad}.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agents/agent.h"
#include "agents/planner.h"
#include "core/options.h"
#include "envs/registry.h"

namespace uw::agents {

// What an agent's name and settings resolve to.
struct AgentRecipe {
  std::string name;
  std::string method;  // the planner's method; "" for random and scripted
  bool latent = false;
  PlannerConfig planner;       // frameskip resolved (the model's; the oracle's 5 by default)
  std::string cost = "final";  // latent agents: the objective's cost, final, sum or probe

  bool plans() const { return !method.empty(); }
};

// Resolves a name and its overrides ("planner.field=value", "objective.cost=NAME" with a name of
// latent_costs()) on top of the defaults. With a model, the frameskip must be the model's. Throws
// uw::Error on an unknown name, an override it cannot take, a value out of range.
AgentRecipe agent_recipe(const std::string& name, const std::vector<std::string>& overrides,
                         const WorldModel* model);

// The MPC agent of a recipe that plans: latent agents score plans with `model` (needed), the
// oracle on a copy of `sim` (the env itself, or its twin without pictures).
std::unique_ptr<MpcAgent> make_mpc_agent(const AgentRecipe& recipe, const envs::EnvSpec& spec,
                                         const envs::Env& sim, const WorldModel* model);

// The options without the pixel options: the same task, observing state.
Options without_pixels(const Options& options);

}  // namespace uw::agents
