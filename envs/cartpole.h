#pragma once

#include <filesystem>

#include "envs/registry.h"

namespace uw::envs {

// cartpole-swingup: swing a hanging pole up and balance it, reward in [0, 1] shaped as in the
// DeepMind Control Suite.
void register_cartpole_tasks(Registry& registry, const std::filesystem::path& asset_dir);

}  // namespace uw::envs
