#pragma once

#include <filesystem>

#include "envs/registry.h"

namespace uw::envs {

// pointmass-reach (open arena) and pointmaze-tworooms (two rooms joined by a door): a point
// mass driven by two forces reaches a random goal position.
void register_pointmass_tasks(Registry& registry, const std::filesystem::path& asset_dir);

}  // namespace uw::envs
