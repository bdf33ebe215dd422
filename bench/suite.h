// A benchmark suite (bench/suites/*.json): tasks x agents x seeds, each task with its dataset
// recipe and world-model config, run end to end by `umwelt bench` (suite_runner.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/options.h"

namespace uw::bench {

// How a task's dataset is generated (umwelt gen's flags).
struct DatasetRecipe {
  int64_t episodes = 1000;
  std::string policy = "mix:random=0.5,scripted=0.5";
  std::string states = "none";  // all, none, every=K
  int64_t max_steps = 0;        // 0 = the env's own limit
};

// How a task's world model is trained (umwelt train's flags).
struct ModelRecipe {
  std::optional<std::filesystem::path> config;  // a config file; else the env's built-in one
  std::vector<std::string> overrides;           // "section.field=value"
  std::optional<int64_t> steps;                 // overrides train.steps
};

// One agent scored on a task (umwelt eval's flags).
struct AgentRun {
  std::string name;   // the label in reports (defaults to the agent; unique within a task)
  std::string agent;  // random, scripted, oracle-cem, latent-cem, ... (agent_eval.h)
  int64_t episodes = 100;
  std::vector<std::string> overrides;  // "planner.field=value", "objective.cost=..."
};

struct SuiteTask {
  std::string name;  // the label in reports (defaults to the env id)
  std::string env;
  Options options;  // env options, for generation and evaluation (pixels=64, ...)
  DatasetRecipe dataset;
  ModelRecipe model;
  std::vector<AgentRun> agents;
  bool needs_model() const;  // whether any agent plans in a world model
};

struct Suite {
  std::string name;
  std::string description;
  std::vector<uint64_t> seeds = {0};  // each seed: its own dataset, model and evaluation
  std::vector<SuiteTask> tasks;
};

// Reads a suite file. Throws uw::Error naming the file and the field on anything unexpected
// (unknown keys included, so a typo is not silently ignored). Relative model config paths are
// taken from the suite file's directory.
Suite load_suite(const std::filesystem::path& path);
Suite suite_from_json(const nlohmann::json& json, const std::string& where,
                      const std::filesystem::path& base_dir);
nlohmann::json suite_to_json(const Suite& suite);

// A suite given by name (bench/suites/NAME.json in the source tree, or installed beside the
// binary) or by path. Throws uw::Error listing the suites found when there is no such suite.
std::filesystem::path find_suite(const std::string& name_or_path);

}  // namespace uw::bench
