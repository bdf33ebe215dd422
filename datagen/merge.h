#pragma once

#include <filesystem>
#include <vector>

#include "datagen/manifest.h"

namespace uw::data {

// Merges the parts of one generation (the same command with different --shard-index, or any
// datasets of one generation config that hold different shards) into a new dataset at `out`
// holding every shard once: byte-identical to the dataset a single run makes, manifest aside.
// Each shard is checked against its part's manifest (size, xxh64, index) while it is copied.
// Throws uw::Error naming the part when configs differ, a shard is held twice or missing, a
// shard is damaged, or `out` is neither new, empty, nor a killed merge of the same parts (which
// it resumes, keeping the shards already copied whole). The manifest is written last.
Manifest merge_datasets(const std::filesystem::path& out,
                        const std::vector<std::filesystem::path>& parts);

}  // namespace uw::data
