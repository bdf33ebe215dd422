#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/options.h"
#include "envs/space.h"

namespace uw::envs {

// A named slice of the observation: values [offset, offset + size).
struct ObservationField {
  std::string name;
  int64_t offset = 0;
  int64_t size = 0;

  friend bool operator==(const ObservationField&, const ObservationField&) = default;
};

// Everything a consumer of an env needs to know about it without running it; datasets and
// checkpoints carry it, and loading them checks it.
struct EnvSpec {
  std::string id;      // "cheetah-run", "mjcf:model.xml"
  std::string engine;  // "mujoco"
  // the version of each engine the env runs on: {"mujoco": "4.0.0"}; a Bullet env lists MuJoCo
  // too (its renderer). Runs are bit-exact only on the same versions.
  std::map<std::string, std::string> engine_versions;
  Space observation_space;
  Space action_space;
  std::optional<Space> goal_space;  // goal tasks only: the space of goal()
  // pixel observations only (option pixels=N): uint8 [height, width, 3], the space of pixels()
  std::optional<Space> pixel_space;
  // option sensors=1: the sensor readings appended to the task's observation, by name
  std::vector<ObservationField> sensor_fields;
  double physics_dt = 0.0;       // seconds per engine step
  int substeps = 1;              // engine steps per env step
  int max_episode_steps = 0;     // truncation limit
  bool stochastic_reset = true;  // whether reset(seed) depends on the seed
  Options options;               // the options it was made with, defaults filled in

  double control_dt() const { return physics_dt * substeps; }
  bool is_goal_task() const { return goal_space.has_value(); }
  bool has_pixels() const { return pixel_space.has_value(); }

  friend bool operator==(const EnvSpec&, const EnvSpec&) = default;
};

nlohmann::json spec_to_json(const EnvSpec& spec);
// Throws uw::Error naming the bad field.
EnvSpec spec_from_json(const nlohmann::json& json);

}  // namespace uw::envs
