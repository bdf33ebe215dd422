#include "sim/scene_builder.h"

namespace uw::sim {

SceneBuilder::SceneBuilder(std::string name, double timestep) {
  scene_.name = std::move(name);
  scene_.timestep = timestep;
}

int SceneBuilder::add(const std::string& name, Shape shape, double mass, const Pose& pose,
                      Material material, const Vec3& unit_inertia) {
  BodyDesc body;
  body.name = name;
  body.pose = pose;
  body.mass = mass;
  body.inertia = {unit_inertia[0] * mass, unit_inertia[1] * mass, unit_inertia[2] * mass};
  body.collision.push_back(std::move(shape));
  body.friction = material.friction;
  body.restitution = material.restitution;
  body.rolling_friction = material.rolling_friction;
  scene_.bodies.push_back(std::move(body));
  return static_cast<int>(scene_.bodies.size()) - 1;
}

int SceneBuilder::ground(double z, Material material) {
  Shape plane;
  plane.type = ShapeType::kPlane;
  return add("ground", plane, 0.0, {{0, 0, z}, {1, 0, 0, 0}}, material, {0, 0, 0});
}

int SceneBuilder::table(double x, double y, double half_x, double half_y, double height,
                        Material material, Rgba rgba) {
  constexpr double kHalfThickness = 0.025;
  return box("table", {half_x, half_y, kHalfThickness}, 0.0,
             {{x, y, height - kHalfThickness}, {1, 0, 0, 0}}, material, rgba);
}

int SceneBuilder::box(const std::string& name, const Vec3& h, double mass, const Pose& pose,
                      Material material, Rgba rgba) {
  Shape shape;
  shape.type = ShapeType::kBox;
  shape.half_extents = h;
  shape.rgba = rgba;
  // a solid box about its centre, per unit mass: (b^2 + c^2) / 3 with half extents
  const Vec3 unit{(h[1] * h[1] + h[2] * h[2]) / 3, (h[0] * h[0] + h[2] * h[2]) / 3,
                  (h[0] * h[0] + h[1] * h[1]) / 3};
  return add(name, shape, mass, pose, material, unit);
}

int SceneBuilder::sphere(const std::string& name, double radius, double mass, const Pose& pose,
                         Material material, Rgba rgba) {
  Shape shape;
  shape.type = ShapeType::kSphere;
  shape.radius = radius;
  shape.rgba = rgba;
  const double moment = 0.4 * radius * radius;
  return add(name, shape, mass, pose, material, {moment, moment, moment});
}

int SceneBuilder::cylinder(const std::string& name, double radius, double half_length, double mass,
                           const Pose& pose, Material material, Rgba rgba) {
  Shape shape;
  shape.type = ShapeType::kCylinder;
  shape.radius = radius;
  shape.half_length = half_length;
  shape.rgba = rgba;
  const double across = (3 * radius * radius + 4 * half_length * half_length) / 12;
  return add(name, shape, mass, pose, material, {across, across, 0.5 * radius * radius});
}

std::shared_ptr<const BulletScene> SceneBuilder::build() const {
  return std::make_shared<const BulletScene>(scene_);
}

}  // namespace uw::sim
