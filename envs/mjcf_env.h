#pragma once

#include "envs/registry.h"

namespace uw::envs {

// mjcf:<path>: any MJCF file as an env. Actions are its actuators within their ctrlrange, the
// observation is qpos then qvel as float32, the reward is 0 and it never terminates. The
// initial state is the model's default (or a keyframe), so a zero-action rollout equals a raw
// mj_step loop bit for bit. The action replaces the controls, including a keyframe's ctrl.
void register_mjcf_family(Registry& registry);

}  // namespace uw::envs
