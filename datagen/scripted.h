#pragma once

#include <array>
#include <span>
#include <string>
#include <vector>

#include "envs/env.h"

namespace uw::data {

// Goal-directed controllers written for each goal task: feedback on the state observation
// towards the episode's goal. They are the "expert" behaviour of datasets and the reference
// that tests hold the tasks to.

// Writes the controller's action (inside [-1, 1]) for the observation and goal of `env_id`.
using ScriptedController = void (*)(std::span<const float> obs, std::span<const float> goal,
                                    std::span<float> action);

// The controller for a task id, or nullptr when it has none.
ScriptedController scripted_controller(const std::string& env_id);
// The ids that have one.
std::vector<std::string> scripted_tasks();

// Distances (m) of a scripted push, for the object's size and the pusher's.
struct PushPlan {
  double front = 0.15;   // within this of the push line in front of the object: step aside
  double aside = 0.18;   // how far aside
  double beside = 0.07;  // closer than this behind the object: go round
  double behind = 0.12;  // where to line up behind it
  double round = 0.16;   // how wide to go round
};

// Where a scripted pusher heads next, for an observation that starts with the pusher's
// (x, y, vx, vy) and has the object's (x, y) at [4, 6): in front of the object it steps aside,
// beside it goes round to behind, behind it lines up with the goal, then pushes through.
std::array<double, 2> push_target(std::span<const float> obs, std::span<const float> goal,
                                  const PushPlan& plan);

}  // namespace uw::data
