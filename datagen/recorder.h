#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>

#include "datagen/episode.h"
#include "datagen/manifest.h"
#include "envs/policy.h"
#include "envs/registry.h"

namespace uw::data {

// Records episodes of a generation config: one env and one policy, so one per thread. Episode k
// is a pure function of (config.seed, k), whichever recorder records it.
class EpisodeRecorder {
 public:
  // Throws uw::Error on a bad env id, option or policy spec.
  EpisodeRecorder(const envs::Registry& registry, const GenerationConfig& config);

  Episode record(int64_t k);
  // The same into `episode`, reusing its memory.
  void record_into(int64_t k, Episode& episode);
  // The same episode run without keeping anything (the reference generation is measured
  // against); returns its steps.
  int64_t run_only(int64_t k);

  const envs::EnvSpec& spec() const { return env_->spec(); }
  const EpisodeLayout& layout() const { return layout_; }
  // The policy's parameters with defaults filled in (envs::describe_policy), for the manifest.
  const nlohmann::json& policy_description() const { return policy_description_; }
  // The most steps an episode has: the env's limit, or max_steps when shorter.
  int64_t step_limit() const { return step_limit_; }

 private:
  // One episode into `e`; with `keep` its arrays are filled in.
  void run(int64_t k, bool keep, Episode& e);

  GenerationConfig config_;
  std::unique_ptr<envs::Env> env_;
  std::unique_ptr<envs::Policy> policy_;
  nlohmann::json policy_description_;
  envs::ScriptedController scripted_ = nullptr;  // the task's, for scripted policies
  const envs::Goal* goal_ = nullptr;             // the env's, for goal tasks
  EpisodeLayout layout_;
  int64_t step_limit_ = 0;
  std::vector<float> unit_action_;  // the policy's, in [-1, 1]
  std::vector<float> action_;
};

}  // namespace uw::data
