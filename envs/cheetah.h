#pragma once

#include <filesystem>

#include "envs/registry.h"

namespace uw::envs {

// cheetah-run: a planar runner rewarded for forward speed, up to 1 at 10 m/s.
void register_cheetah_tasks(Registry& registry, const std::filesystem::path& asset_dir);

}  // namespace uw::envs
