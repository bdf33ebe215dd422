#pragma once

#include "envs/registry.h"

namespace uw::envs {

// urdf:<path>: any URDF file on Bullet. Actions are joint position targets within the
// limits; the observation is joint positions, joint velocities and the base pose.
void register_urdf_family(Registry& registry);

}  // namespace uw::envs
