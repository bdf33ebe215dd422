#pragma once

#include <cstdint>
#include <filesystem>

#include "datagen/manifest.h"
#include "envs/registry.h"

namespace uw::data {

// How a generation runs; none of it changes the data.
struct GenerateOptions {
  int threads = 1;
  bool progress = false;  // a progress line on stderr
};

struct GenerateResult {
  Manifest manifest;
  bool already_complete = false;  // the directory held the finished dataset
  int64_t episodes_resumed = 0;   // found on disk (whole shards and frames of a partial one)
  int64_t episodes_recorded = 0;  // recorded by this run
  int64_t steps_recorded = 0;
  uint64_t bytes_written = 0;  // frames written by this run
  double seconds = 0.0;
};

// Generates the shards `config` assigns to its part into `dir` and then writes the manifest.
// Resumable: run again with the same config after a kill and it keeps every whole episode on
// disk and records only the rest. Refuses (uw::Error listing the differences) a directory made
// by a different config, and a non-empty directory that is not a dataset.
GenerateResult generate(const envs::Registry& registry, const GenerationConfig& config,
                        const std::filesystem::path& dir, const GenerateOptions& options);

}  // namespace uw::data
