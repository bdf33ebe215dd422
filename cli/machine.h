#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace uw::cli {

// The CPU's model name from /proc/cpuinfo, or "unknown".
std::string cpu_model();
// {"cpu", "cores", "mujoco"}: what benchmark reports say about the machine.
nlohmann::json machine_json();

}  // namespace uw::cli
