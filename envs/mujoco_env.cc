#include "envs/mujoco_env.h"

#include <algorithm>

namespace uw::envs {
namespace {

// What an unnamed sensor is called in the spec: its kind and index, "touch[2]".
std::string unnamed_sensor(int type, int index) {
  const char* kind = "sensor";
  switch (type) {
    case mjSENS_TOUCH:
      kind = "touch";
      break;
    case mjSENS_ACCELEROMETER:
      kind = "accelerometer";
      break;
    case mjSENS_VELOCIMETER:
      kind = "velocimeter";
      break;
    case mjSENS_GYRO:
      kind = "gyro";
      break;
    case mjSENS_FORCE:
      kind = "force";
      break;
    case mjSENS_TORQUE:
      kind = "torque";
      break;
    default:
      break;
  }
  return std::string(kind) + "[" + std::to_string(index) + "]";
}

// The model's sensors as slices of its sensordata.
std::vector<ObservationField> sensor_fields(const mjModel* m) {
  std::vector<ObservationField> fields;
  for (int i = 0; i < m->nsensor; ++i) {
    const char* name = mj_id2name(m, mjOBJ_SENSOR, i);
    std::string label = name != nullptr && name[0] != '\0' ? std::string(name)
                                                           : unnamed_sensor(m->sensor_type[i], i);
    fields.push_back({std::move(label), m->sensor_adr[i], m->sensor_dim[i]});
  }
  return fields;
}

}  // namespace

MujocoEnv::MujocoEnv(std::shared_ptr<const sim::MujocoModel> model, EnvSpec spec)
    : TaskEnv(std::move(spec)), world_(std::move(model)) {
  finish_spec("mujoco", world_.model()->opt.timestep, control_space(world_.control_bounds()),
              sensor_fields(world_.model()));
}

void MujocoEnv::after_step() {
  // mj_step leaves derived quantities (positions, sensordata) at the last substep's start
  if (sensors_on()) {
    world_.forward();
  } else if (positions_needed_) {
    world_.kinematics();
  }
}

void MujocoEnv::observe_sensors(std::span<float> out) const {
  const mjModel* m = world_.model();
  const mjData* d = world_.data();
  for (int i = 0; i < m->nsensordata; ++i) out[i] = static_cast<float>(d->sensordata[i]);
}

mjData* MujocoEnv::still_data() {
  mjData* d = world_.data();
  std::fill(d->qvel, d->qvel + world_.model()->nv, 0.0);
  return d;
}

void MujocoEnv::set_goal(std::span<const float> goal, FunctionRef<void(mjData*)> goal_pose) {
  TaskEnv::set_goal(goal, [&] { goal_pose(world_.data()); });
}

std::string MujocoEnv::engine_warnings() const {
  std::string warnings = world_.shared_model()->load_warning();
  const std::string runtime = world_.warnings();
  if (!warnings.empty() && !runtime.empty()) warnings += "; ";
  return warnings + runtime;
}

const sim::MujocoWorld* mujoco_world_of(const Env& env) {
  return env.world() != nullptr ? env.world()->as_mujoco() : nullptr;
}

}  // namespace uw::envs
