#pragma once

#include <span>
#include <string>
#include <vector>

// MuJoCo's model and data types, declared here so World users need not include MuJoCo.
struct mjModel_;
struct mjData_;

namespace uw::sim {

class MujocoWorld;
class BulletWorld;

// Lower and upper bound per control; an unbounded control has -inf/+inf.
struct Bounds {
  std::vector<double> low;
  std::vector<double> high;
};

// Whether a world can go on. A fault (the state blew up, an engine error) ends the episode.
struct Health {
  bool ok = true;
  std::string fault;  // why !ok, empty when ok
};

// What the renderer draws: a MuJoCo model and data that hold the world's current poses.
struct DrawView {
  const mjModel_* model = nullptr;
  const mjData_* data = nullptr;
};

// One live physics instance. Not thread-safe: one per env, one thread at a time.
class World {
 public:
  virtual ~World() = default;

  virtual int control_size() const = 0;
  virtual const Bounds& control_bounds() const = 0;
  // Sets the controls applied by the following steps; u has control_size() values.
  virtual void set_control(std::span<const double> u) = 0;
  // Advances the physics by `substeps` engine steps. Never throws: faults go to health().
  virtual void step(int substeps) = 0;
  // The health since the last reset or restore.
  virtual const Health& health() const = 0;
  // Engine warnings since the last reset or restore, "; "-separated, empty when none: the
  // physics is degraded (an arena too small for the constraints) but the state is still usable.
  virtual std::string warnings() const = 0;

  // The complete state: restoring it makes every later step bit-identical (warm starts
  // included). restore_state throws uw::Error on a state of the wrong size.
  virtual std::vector<double> save_state() const = 0;
  // The number of values in a saved state, and save_state() into a buffer of that size
  // without allocating.
  virtual int state_size() const = 0;
  virtual void save_state_to(std::span<double> out) const = 0;
  virtual void restore_state(std::span<const double> state) = 0;

  // The current state as something the renderer can draw. A MuJoCo world is its own view; a
  // Bullet world keeps a MuJoCo twin of its scene whose bodies follow the Bullet bodies. Valid
  // until the next step, restore or draw.
  virtual DrawView draw() const = 0;

  // The engine's own world, or nullptr when it is another engine's.
  virtual const MujocoWorld* as_mujoco() const { return nullptr; }
  virtual const BulletWorld* as_bullet() const { return nullptr; }
};

}  // namespace uw::sim
