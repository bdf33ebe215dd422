#pragma once

#include <filesystem>

#include "envs/registry.h"

namespace uw::envs {

// pusher-push: an actuated disc pushes a free block to a goal position on a walled plane.
void register_pusher_tasks(Registry& registry, const std::filesystem::path& asset_dir);

}  // namespace uw::envs
