#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uw::sim {

// (engine, version) of every physics engine built in: ("mujoco", "4.0.0"), ("bullet", "3.24").
std::vector<std::pair<std::string, std::string>> engine_versions();

// The versions of the engines that an env simulating with `engine` ("mujoco", "bullet") runs on:
// a Bullet env lists MuJoCo too, whose renderer draws it. Empty for an unknown engine.
std::map<std::string, std::string> engine_versions_for(std::string_view engine);

}  // namespace uw::sim
