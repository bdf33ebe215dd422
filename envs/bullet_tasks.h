#pragma once

#include "envs/registry.h"

namespace uw::envs {

// Procedural Bullet scenes, one file each.
// bullet-push-cube: a pusher on a table pushes a cube to a goal; the cube can fall off.
void register_push_cube(Registry& registry);
// bullet-tower: a tower of blocks that the action pushes; it topples or stands.
void register_tower(Registry& registry);
// bullet-bounce: balls of random mass and restitution bounce in a box; the action pushes one.
void register_bounce(Registry& registry);

}  // namespace uw::envs
