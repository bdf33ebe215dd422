#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <string_view>

#include "core/options.h"
#include "envs/env_spec.h"
#include "envs/scripted.h"
#include "envs/space.h"

namespace uw::envs {

class Env;

// A behaviour policy for a batch of envs (one row per env), shared by `umwelt rollout`,
// `umwelt gen` and the planners. Actions are in normalised units, [-1, 1] per dimension, which
// to_action_space maps onto the action space. Each row draws all its randomness from the seed
// given at its reset, so an episode is a pure function of its seed.
class Policy {
 public:
  virtual ~Policy() = default;
  // Starts an episode in `row` (its env was just reset).
  virtual void reset(int row, uint64_t seed) = 0;
  // Writes actions [rows, A] for observations [rows, D] and goals [rows, G] (empty for tasks
  // without a goal).
  virtual void act(std::span<const float> obs, std::span<const float> goals,
                   std::span<float> actions) = 0;
  // The name recorded with the row's episode: the policy's kind, or a mixture's component.
  virtual std::string_view name(int row) const = 0;
  // The env row `row` acts in, read-only, for policies that plan with it (the agents' MPC reads
  // its simulator state, goal and pictures); called once per row before the row's first reset,
  // with an env that outlives the policy. Policies of observations and goals ignore it.
  virtual void bind(int /*row*/, const Env& /*env*/) {}
};

// A kind of policy made outside this library (the agents' planners, added to the registry with
// Registry::add_policy_kind). `make` builds it for `rows` rows from the spec's parameters;
// `describe` gives the parameters with defaults filled in, for the manifest. Both throw
// uw::Error naming the parameter and what was expected.
struct PolicyKind {
  std::string name;
  std::string usage;  // the kind with its parameters, for messages: "latent-cem:model=DIR,..."
  std::function<std::unique_ptr<Policy>(const Options& params, const EnvSpec& env_spec, int rows)>
      make;
  std::function<nlohmann::json(const Options& params, const EnvSpec& env_spec)> describe;
};

// Makes a policy of `rows` rows from its spec, for envs with `env_spec`:
//   random                          uniform in [-1, 1]
//   ou[:theta=0.15,sigma=0.3]        Ornstein-Uhlenbeck noise: smooth, correlated in time
//   scripted[:noise=0.1]             the task's goal-directed controller plus Gaussian noise
//   mix:random=0.5,scripted=0.5      one component per episode, drawn with these weights
//   KIND[:key=value,...]             one of `more` (not in a mixture)
// `scripted` is the task's controller (its registry entry's), nullptr when it has none. Throws
// uw::Error naming the spec and what was expected (an unknown kind or parameter, a scripted
// policy for a task without a controller, weights that are not positive).
std::unique_ptr<Policy> make_policy(const std::string& spec, const EnvSpec& env_spec,
                                    ScriptedController scripted, int rows = 1,
                                    std::span<const PolicyKind> more = {});

// The spec's parameters with defaults filled in, for the manifest. Throws like make_policy.
nlohmann::json describe_policy(const std::string& spec, const EnvSpec& env_spec,
                               ScriptedController scripted, std::span<const PolicyKind> more = {});

// Maps normalised actions onto the space: [-1, 1] onto [low, high] per dimension (values
// beyond are clamped; an unbounded dimension is taken as [-1, 1]).
void to_action_space(const Space& space, std::span<const float> unit, std::span<float> action);

}  // namespace uw::envs
