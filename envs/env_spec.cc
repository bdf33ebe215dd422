#include "envs/env_spec.h"

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace uw::envs {

nlohmann::json spec_to_json(const EnvSpec& spec) {
  nlohmann::json options = nlohmann::json::object();
  for (const auto& [key, value] : spec.options.values()) options[key] = value;
  nlohmann::json sensors = nlohmann::json::array();
  for (const ObservationField& f : spec.sensor_fields) {
    sensors.push_back({{"name", f.name}, {"offset", f.offset}, {"size", f.size}});
  }
  return {
      {"id", spec.id},
      {"engine", spec.engine},
      {"engine_versions", spec.engine_versions},
      {"observation_space", space_to_json(spec.observation_space)},
      {"action_space", space_to_json(spec.action_space)},
      {"goal_space", spec.goal_space ? space_to_json(*spec.goal_space) : nlohmann::json(nullptr)},
      {"pixel_space",
       spec.pixel_space ? space_to_json(*spec.pixel_space) : nlohmann::json(nullptr)},
      {"sensor_fields", sensors},
      {"physics_dt", spec.physics_dt},
      {"substeps", spec.substeps},
      {"control_dt", spec.control_dt()},
      {"max_episode_steps", spec.max_episode_steps},
      {"stochastic_reset", spec.stochastic_reset},
      {"options", options},
  };
}

EnvSpec spec_from_json(const nlohmann::json& json) {
  if (!json.is_object()) throw Error("spec: expected an object");
  auto field = [&](const char* name) -> const nlohmann::json& {
    if (!json.contains(name)) throw Error(std::string("spec.") + name + ": missing");
    return json[name];
  };
  auto text = [&](const char* name) {
    const nlohmann::json& j = field(name);
    if (!j.is_string()) throw Error(std::string("spec.") + name + ": expected a string");
    return j.get<std::string>();
  };
  auto integer = [&](const char* name, int low) {
    const nlohmann::json& j = field(name);
    if (!j.is_number_integer() || j.get<int64_t>() < low) {
      throw Error(std::string("spec.") + name + ": expected an integer >= " + std::to_string(low) +
                  ", got " + j.dump());
    }
    return j.get<int>();
  };
  EnvSpec spec;
  spec.id = text("id");
  spec.engine = text("engine");
  // absent in specs written before MuJoCo 4.0 (their manifests name the engines elsewhere)
  if (json.contains("engine_versions")) {
    const nlohmann::json& versions = json["engine_versions"];
    if (!versions.is_object()) throw Error("spec.engine_versions: expected an object of strings");
    for (const auto& [engine, version] : versions.items()) {
      if (!version.is_string()) {
        throw Error("spec.engine_versions." + engine + ": expected a string");
      }
      spec.engine_versions[engine] = version.get<std::string>();
    }
  }
  spec.observation_space = space_from_json(field("observation_space"), "spec.observation_space");
  spec.action_space = space_from_json(field("action_space"), "spec.action_space");
  if (json.contains("goal_space") && !json["goal_space"].is_null()) {
    spec.goal_space = space_from_json(json["goal_space"], "spec.goal_space");
  }
  // absent in specs written before pixel observations
  if (json.contains("pixel_space") && !json["pixel_space"].is_null()) {
    spec.pixel_space = space_from_json(json["pixel_space"], "spec.pixel_space");
    const Space& pixels = *spec.pixel_space;
    if (pixels.dtype() != Space::Dtype::kUint8 || pixels.shape().size() != 3 ||
        pixels.shape()[2] != 3) {
      throw Error("spec.pixel_space: expected a uint8 Box of shape [height, width, 3], got " +
                  pixels.describe());
    }
  }
  // absent in specs written before sensors
  if (json.contains("sensor_fields")) {
    const nlohmann::json& sensors = json["sensor_fields"];
    if (!sensors.is_array()) throw Error("spec.sensor_fields: expected an array");
    const int64_t obs_size = spec.observation_space.flat_size();
    for (size_t i = 0; i < sensors.size(); ++i) {
      const nlohmann::json& f = sensors[i];
      const std::string where = "spec.sensor_fields[" + std::to_string(i) + "]";
      if (!f.is_object() || !f.contains("name") || !f["name"].is_string() ||
          !f.contains("offset") || !f["offset"].is_number_integer() || !f.contains("size") ||
          !f["size"].is_number_integer()) {
        throw Error(where + ": expected {\"name\": text, \"offset\": integer, \"size\": integer}");
      }
      ObservationField sensor{f["name"].get<std::string>(), f["offset"].get<int64_t>(),
                              f["size"].get<int64_t>()};
      if (sensor.offset < 0 || sensor.size < 0 || sensor.offset + sensor.size > obs_size) {
        throw Error(where + " ('" + sensor.name + "'): values [" + std::to_string(sensor.offset) +
                    ", " + std::to_string(sensor.offset + sensor.size) +
                    ") lie outside the observation of " + std::to_string(obs_size));
      }
      spec.sensor_fields.push_back(std::move(sensor));
    }
  }
  const nlohmann::json& dt = field("physics_dt");
  if (!dt.is_number() || !(dt.get<double>() > 0)) {
    throw Error("spec.physics_dt: expected a positive number, got " + dt.dump());
  }
  spec.physics_dt = dt.get<double>();
  spec.substeps = integer("substeps", 1);
  spec.max_episode_steps = integer("max_episode_steps", 1);
  const nlohmann::json& stochastic = field("stochastic_reset");
  if (!stochastic.is_boolean()) throw Error("spec.stochastic_reset: expected true or false");
  spec.stochastic_reset = stochastic.get<bool>();
  const nlohmann::json& options = field("options");
  if (!options.is_object()) throw Error("spec.options: expected an object of strings");
  for (const auto& [key, value] : options.items()) {
    if (!value.is_string()) throw Error("spec.options." + key + ": expected a string");
    spec.options.set(key, value.get<std::string>());
  }
  return spec;
}

}  // namespace uw::envs
