#pragma once

#include <span>

namespace uw::envs {

// A task's goal-directed controller, registered beside the task (EnvEntry::scripted): feedback
// on the state observation towards the episode's goal, writing an action in [-1, 1] per
// dimension (policies map it onto the action space). The "expert" behaviour of datasets and
// the reference that tests hold the tasks to.
using ScriptedController = void (*)(std::span<const float> obs, std::span<const float> goal,
                                    std::span<float> action);

}  // namespace uw::envs
