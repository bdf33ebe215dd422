#pragma once

#include <memory>
#include <string>

#include "sim/bullet_scene.h"

namespace uw::sim {

// Surface properties of a body. Bullet multiplies the restitutions of the two bodies in a
// contact, so a floor that should not damp bounces has restitution 1.
struct Material {
  double friction = 0.5;
  double restitution = 0.0;
  double rolling_friction = 0.0;
};

// Builds procedural Bullet scenes: ground, tables, boxes, spheres, cylinders, with masses and
// materials; inertia comes from the shape. Each add returns the body's index.
class SceneBuilder {
 public:
  explicit SceneBuilder(std::string name, double timestep = 0.002);

  // A static infinite ground plane at height z.
  int ground(double z = 0.0, Material material = {});
  // A static table top: a slab whose upper surface is at `height`, centred on (x, y).
  int table(double x, double y, double half_x, double half_y, double height, Material material = {},
            Rgba rgba = {0.55f, 0.4f, 0.28f, 1.0f});
  // Bodies with mass 0 are static.
  int box(const std::string& name, const Vec3& half_extents, double mass, const Pose& pose,
          Material material = {}, Rgba rgba = {0.8f, 0.3f, 0.2f, 1.0f});
  int sphere(const std::string& name, double radius, double mass, const Pose& pose,
             Material material = {}, Rgba rgba = {0.2f, 0.5f, 0.9f, 1.0f});
  // A cylinder standing along z.
  int cylinder(const std::string& name, double radius, double half_length, double mass,
               const Pose& pose, Material material = {}, Rgba rgba = {0.3f, 0.8f, 0.4f, 1.0f});

  void camera(CameraDesc camera) { scene_.cameras.push_back(std::move(camera)); }
  void actuator(ActuatorDesc actuator) { scene_.actuators.push_back(std::move(actuator)); }
  BulletScene& scene() { return scene_; }
  std::shared_ptr<const BulletScene> build() const;

 private:
  int add(const std::string& name, Shape shape, double mass, const Pose& pose, Material material,
          const Vec3& unit_inertia);

  BulletScene scene_;
};

}  // namespace uw::sim
