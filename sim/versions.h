#pragma once

#include <string>
#include <utility>
#include <vector>

namespace uw::sim {

// (engine, version) of every physics engine built in: ("mujoco", "4.0.0"), ("bullet", "3.24").
std::vector<std::pair<std::string, std::string>> engine_versions();

}  // namespace uw::sim
