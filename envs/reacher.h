#pragma once

#include <filesystem>

#include "envs/registry.h"

namespace uw::envs {

// reacher-reach: a two-link planar arm brings its fingertip to a random target.
void register_reacher_tasks(Registry& registry, const std::filesystem::path& asset_dir);

}  // namespace uw::envs
