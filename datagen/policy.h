#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>

#include "envs/env.h"
#include "envs/scripted.h"

namespace uw::data {

// A behaviour policy that records data. It draws all its randomness from the seed given at
// reset, so an episode is a pure function of its seed.
class Policy {
 public:
  virtual ~Policy() = default;
  // Starts an episode of `env` (already reset).
  virtual void reset(const envs::Env& env, uint64_t seed) = 0;
  // Writes an action inside the env's action space for the observation.
  virtual void act(const envs::Env& env, std::span<const float> obs, std::span<float> action) = 0;
  // The name recorded with the episode: the policy's kind, or a mixture's component this episode.
  virtual std::string name() const = 0;
};

// Makes a policy from its spec, for an env with `spec`:
//   random                          uniform in the action space
//   ou[:theta=0.15,sigma=0.3]        Ornstein-Uhlenbeck noise: smooth, correlated in time
//   scripted[:noise=0.1]             the task's goal-directed controller plus Gaussian noise
//   mix:random=0.5,scripted=0.5      one component per episode, drawn with these weights
// Throws uw::Error naming the spec and what was expected (an unknown kind or parameter, a
// scripted policy for a task without a controller, weights that are not positive).
// `scripted` is the task's controller (its registry entry's), nullptr when it has none.
std::unique_ptr<Policy> make_policy(const std::string& spec, const envs::EnvSpec& env_spec,
                                    envs::ScriptedController scripted);

// The spec's parameters with defaults filled in, for the manifest. Throws like make_policy.
nlohmann::json describe_policy(const std::string& spec, const envs::EnvSpec& env_spec,
                               envs::ScriptedController scripted);

}  // namespace uw::data
