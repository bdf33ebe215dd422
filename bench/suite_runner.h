// `umwelt bench`: runs a suite end to end (gen -> train -> eval for every task and seed), with
// every dataset, model and evaluation cached under a key of what made it, so a rerun (after a
// kill, or with one more agent) does only the work that is missing.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "bench/suite.h"
#include "envs/registry.h"

namespace uw::bench {

struct SuiteRunOptions {
  std::filesystem::path out;    // report.json, report.md, report.html
  std::filesystem::path cache;  // datasets/, models/, evals/ (default: out/cache)
  // Generation and evaluation threads (they do not change results) and LibTorch's training
  // threads (part of a model's key: CPU training is bit-exact for a given thread count).
  int threads = 2;
  bool progress = true;    // a line per stage on stderr, and each stage's own progress
  nlohmann::json machine;  // what the report says about the machine
  std::string suite_file;  // where the suite came from, for the report
};

// Runs the suite and writes the reports; returns report.json's contents. Throws uw::Error on a
// bad task (unknown env or agent, bad override) before or when it reaches it; what finished
// before stays cached.
nlohmann::json run_suite(const envs::Registry& registry, const Suite& suite,
                         const SuiteRunOptions& options);

// The cache key of a recipe: 16 hex digits of a hash of its canonical JSON text.
std::string recipe_key(const nlohmann::json& recipe);

}  // namespace uw::bench
