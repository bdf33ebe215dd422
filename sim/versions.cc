#include "sim/versions.h"

#include <mujoco/mujoco.h>

#ifdef UMWELT_WITH_BULLET
#include <LinearMath/btScalar.h>
#endif

namespace uw::sim {

std::vector<std::pair<std::string, std::string>> engine_versions() {
  std::vector<std::pair<std::string, std::string>> versions = {{"mujoco", mj_versionString()}};
#ifdef UMWELT_WITH_BULLET
  const int bullet = btGetVersion();  // 324 for 3.24
  versions.emplace_back("bullet",
                        std::to_string(bullet / 100) + "." + std::to_string(bullet % 100));
#endif
  return versions;
}

std::map<std::string, std::string> engine_versions_for(std::string_view engine) {
  std::map<std::string, std::string> all;
  for (auto& [name, version] : engine_versions()) all[name] = version;
  if (engine == "mujoco") return {{"mujoco", all["mujoco"]}};
  if (engine == "bullet" && all.contains("bullet")) {
    return {{"bullet", all["bullet"]}, {"mujoco", all["mujoco"]}};
  }
  return {};
}

}  // namespace uw::sim
