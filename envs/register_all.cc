#include "envs/mjcf_env.h"
#include "envs/registry.h"
#include "envs/urdf_env.h"

// Every task Umwelt ships, one line each: TASK(name) registers the envs of
// envs/tasks/<name>.cc through its register_<name>(Registry&, const RegistryConfig&). A task is
// tested by the conformance suite the moment it is here.
#define UMWELT_MUJOCO_TASKS(TASK) \
  TASK(pointmass)                 \
  TASK(reacher)                   \
  TASK(pusher)                    \
  TASK(cartpole)                  \
  TASK(cheetah)                   \
  TASK(push_t)

#define UMWELT_BULLET_TASKS(TASK) \
  TASK(bullet_push_cube)          \
  TASK(bullet_tower)              \
  TASK(bullet_bounce)

namespace uw::envs {

#define UMWELT_DECLARE_TASK(name) void register_##name(Registry&, const RegistryConfig&);
UMWELT_MUJOCO_TASKS(UMWELT_DECLARE_TASK)
#ifdef UMWELT_WITH_BULLET
UMWELT_BULLET_TASKS(UMWELT_DECLARE_TASK)
#endif

void register_all(Registry& registry, const RegistryConfig& config) {
#define UMWELT_REGISTER_TASK(name) register_##name(registry, config);
  UMWELT_MUJOCO_TASKS(UMWELT_REGISTER_TASK)
  register_mjcf_family(registry);
#ifdef UMWELT_WITH_BULLET
  UMWELT_BULLET_TASKS(UMWELT_REGISTER_TASK)
  register_urdf_family(registry);
#endif
}

}  // namespace uw::envs
