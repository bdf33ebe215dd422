// The agents that plan, as policies: `umwelt rollout` and `umwelt gen` run them like random or
// scripted (a dataset of a planner's episodes).
#pragma once

#include "envs/registry.h"

namespace uw::agents {

// Adds the policy kinds oracle-cem, oracle-mppi, oracle-random, latent-cem, latent-mppi,
// latent-random and latent-grad to `registry` (see envs::PolicyKind):
//   --policy latent-cem:model=DIR,samples=300,horizon=5,cost=sum
//   --policy oracle-cem:samples=100
// Parameters: model (latent agents: the world model directory, needed), cost (latent: final or
// sum), and any field of the planner (PlannerConfig). Each row plays its own MPC agent on the env
// bound to it (Policy::bind); on pixel envs the oracle simulates a twin without pictures.
// Latent agents run LibTorch on one thread, so episodes do not depend on how many run at once.
// The policies keep a pointer to `registry`: it must not move and must outlive them.
void add_agent_policy_kinds(envs::Registry& registry);

}  // namespace uw::agents
