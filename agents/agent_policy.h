// The agents that plan, as policies: `umwelt rollout` and `umwelt gen` run them like random or
// scripted (a dataset of a planner's episodes).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "agents/agent.h"
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

// The latest plan of a watched agent policy, shared between the thread that acts and one that
// looks (the viewer's agent mode draws what the agent imagines while it acts).
class PlanWatch {
 public:
  // Copies the latest plan into `out` when its number is above `seen`; else false.
  bool latest(int64_t seen, PlanTrace& out) const;
  void publish(const PlanTrace& trace);

 private:
  mutable std::mutex mutex_;
  PlanTrace trace_;
};

struct WatchedAgentPolicy {
  std::unique_ptr<envs::Policy> policy;  // of one row
  std::shared_ptr<const PlanWatch> watch;
};

// The agent policy of `spec` (an agent kind's spec, as for --policy: "latent-cem:model=DIR,
// samples=100") for one env, publishing each plan with its `candidates` best candidates. Throws
// uw::Error like make_policy, and on a spec that is not an agent's.
WatchedAgentPolicy make_watched_agent_policy(const envs::Registry& registry,
                                             const std::string& spec, const envs::EnvSpec& env_spec,
                                             int64_t candidates);

}  // namespace uw::agents
