#include "envs/bullet_tasks.h"
#include "envs/cartpole.h"
#include "envs/cheetah.h"
#include "envs/mjcf_env.h"
#include "envs/pointmass.h"
#include "envs/pusher.h"
#include "envs/reacher.h"
#include "envs/registry.h"
#include "envs/urdf_env.h"

namespace uw::envs {

// Every task Umwelt ships. A task is tested by the conformance suite the moment it is here.
void register_all(Registry& registry, const RegistryConfig& config) {
  register_pointmass_tasks(registry, config.asset_dir);
  register_reacher_tasks(registry, config.asset_dir);
  register_pusher_tasks(registry, config.asset_dir);
  register_cartpole_tasks(registry, config.asset_dir);
  register_cheetah_tasks(registry, config.asset_dir);
  register_mjcf_family(registry);
#ifdef UMWELT_WITH_BULLET
  register_push_cube(registry);
  register_tower(registry);
  register_bounce(registry);
  register_urdf_family(registry);
#endif
}

}  // namespace uw::envs
