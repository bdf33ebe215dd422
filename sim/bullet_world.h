#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sim/bullet_scene.h"
#include "sim/world.h"

namespace uw::sim {

class BulletTwin;
struct BulletEngine;

// A World simulated by Bullet (double precision) from a BulletScene.
//
// Exact save and restore: Bullet keeps contact manifolds, warm-start impulses and a pair cache
// from step to step, and their order decides the solver's order. This world drops all of them
// before every step and finds contacts afresh (with multi-point contact generation, so resting
// boxes get full manifolds), so the next step depends only on the bodies' transforms and
// velocities, the controls and the held forces — exactly what save_state holds (with the
// bodies' masses and materials, which tasks may randomise, and the goal markers' poses). Sleeping
// is off for the same reason.
//
// Faults: a non-finite or runaway transform or velocity after a step marks health() not ok and
// puts the bodies back in the scene's initial state, so the world never holds NaN.
class BulletWorld final : public World {
 public:
  // Throws uw::Error naming the scene and the body, joint or actuator when it is invalid.
  explicit BulletWorld(std::shared_ptr<const BulletScene> scene);
  ~BulletWorld() override;
  BulletWorld(const BulletWorld&) = delete;
  BulletWorld& operator=(const BulletWorld&) = delete;

  int control_size() const override { return static_cast<int>(scene_->actuators.size()); }
  const Bounds& control_bounds() const override { return control_bounds_; }
  void set_control(std::span<const double> u) override;
  void step(int substeps) override;
  const Health& health() const override { return health_; }
  std::string warnings() const override { return {}; }
  std::vector<double> save_state() const override;
  int state_size() const override;
  void save_state_to(std::span<double> out) const override;
  void restore_state(std::span<const double> state) override;
  DrawView draw() const override;
  const BulletWorld* as_bullet() const override { return this; }

  // Puts every body at its initial pose at rest, zeroes controls and held forces, clears the
  // health.
  void reset();

  const BulletScene& scene() const { return *scene_; }
  const std::shared_ptr<const BulletScene>& shared_scene() const { return scene_; }
  double time() const { return time_; }

  // The pose of body i's frame (not its centre of mass) in the world.
  Pose body_pose(int body) const;
  // Linear velocity of body i's centre of mass, and its angular velocity, in the world.
  Vec3 body_linear_velocity(int body) const;
  Vec3 body_angular_velocity(int body) const;
  // For setting up an episode: moves a dynamic body's frame, and sets its velocities.
  void set_body_pose(int body, const Pose& pose);
  void set_body_velocity(int body, const Vec3& linear, const Vec3& angular);
  // For randomising an episode's physics: a dynamic body's mass (its inertia scales with it),
  // restitution and friction. Part of the state.
  void set_body_material(int body, double mass, double restitution, double friction);
  double body_mass(int body) const;
  double body_restitution(int body) const;

  // A force held on a dynamic body through the following steps (until changed), applied at a
  // point given as an offset from the body's centre of mass in world axes. Part of the state.
  void set_held_force(int body, const Vec3& force, const Vec3& offset);
  void clear_held_forces();

  // Moves marker i (drawn only); part of the state, so a restored state draws the same.
  void set_marker_pose(int marker, const Pose& pose);

  // Joint j's position (angle or displacement of the child relative to the parent) and speed.
  double joint_position(int joint) const;
  double joint_velocity(int joint) const;

  // Contact sensing (an env's option sensors=1): from now on, after each step, the sum of the
  // contact normal forces (N) on each dynamic body in the last physics step, in body order.
  // While on, the readings are part of the state, so that a restored state reads the same.
  void sense_contact_forces();
  bool senses_contact_forces() const { return !contact_forces_.empty(); }
  std::span<const double> contact_forces() const { return contact_forces_; }

  // Advances one step with Bullet's own stepSimulation only: no controls, no contact reset,
  // no health checks. The reference that benchmarks measure this world against.
  void raw_step();

 private:
  void apply_controls(double dt);
  void measure_contact_forces(double dt);
  void fault(std::string why);
  std::string find_bad_state() const;

  std::shared_ptr<const BulletScene> scene_;
  std::unique_ptr<BulletEngine> engine_;
  Bounds control_bounds_;
  Health health_;
  std::vector<double> control_;
  std::vector<double> held_;  // per body: force (3), offset (3)
  std::vector<Pose> markers_;
  std::vector<double> contact_forces_;  // per dynamic body; empty when not sensing
  std::vector<int> dynamic_slot_;       // per body: its place in contact_forces_, or -1
  double time_ = 0.0;
  mutable std::unique_ptr<BulletTwin> twin_;  // made on the first draw()
};

}  // namespace uw::sim
