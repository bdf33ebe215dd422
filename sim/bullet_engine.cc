#include "sim/bullet_engine.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "core/error.h"

namespace uw::sim {

btVector3 to_bt(const Vec3& v) { return {v[0], v[1], v[2]}; }
Vec3 from_bt(const btVector3& v) { return {v.x(), v.y(), v.z()}; }
btTransform to_bt(const Pose& p) {
  return btTransform(btQuaternion(p.quat[1], p.quat[2], p.quat[3], p.quat[0]), to_bt(p.pos));
}
// With w >= 0: q and -q are the same rotation, and observations should not flip between them.
Pose from_bt(const btTransform& t) {
  const btQuaternion q = t.getRotation();
  const double s = q.w() < 0 ? -1.0 : 1.0;
  return {from_bt(t.getOrigin()), {s * q.w(), s * q.x(), s * q.y(), s * q.z()}};
}

bool finite(const Vec3& v) {
  return std::isfinite(v[0]) && std::isfinite(v[1]) && std::isfinite(v[2]);
}

// A finite position and a finite, non-zero quaternion.
bool usable(const Pose& pose) {
  const Quat& q = pose.quat;
  const double norm = q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3];
  return finite(pose.pos) && std::isfinite(norm) && norm > 0;
}

void BulletEngine::set_mass(size_t i, const BodyDesc& desc, double mass) {
  const btVector3 inertia =
      btVector3(desc.inertia[0], desc.inertia[1], desc.inertia[2]) * (mass / desc.mass);
  bodies[i]->setMassProps(mass, inertia);
  bodies[i]->updateInertiaTensor();
  bodies[i]->setGravity(world.getGravity());  // Bullet keeps gravity as a force: m g
  masses[i] = mass;
}

namespace {

// Collision margin for boxes, cylinders and hulls: Bullet's default 4 cm is too coarse for
// centimetre-sized objects.
constexpr double kMargin = 0.004;
constexpr double kHullMargin = 0.001;
// The simple broadphase holds 16,384 proxies and tests every pair each step.
constexpr size_t kMaxBodies = 4096;

// A joint frame whose `local_axis` (z for hinges, x for sliders) points along `axis`.
btTransform aligned(const btTransform& frame, const Vec3& axis, const btVector3& local_axis) {
  const btQuaternion turn = shortestArcQuat(local_axis, to_bt(axis).normalized());
  return frame * btTransform(turn);
}

std::string where(const BulletScene& scene, const std::string& kind, size_t index,
                  const std::string& name) {
  return "scene '" + scene.name + "': " + kind + " " + std::to_string(index) +
         (name.empty() ? "" : " ('" + name + "')");
}

std::unique_ptr<btCollisionShape> make_shape(const Shape& shape, const std::string& owner) {
  auto positive = [&](double x, const char* what) {
    if (!(std::isfinite(x) && x > 0)) {
      throw Error(owner + ": " + what + " is " + std::to_string(x) + ", expected > 0");
    }
  };
  switch (shape.type) {
    case ShapeType::kBox: {
      for (double h : shape.half_extents) positive(h, "a box half extent");
      auto box = std::make_unique<btBoxShape>(to_bt(shape.half_extents));
      box->setMargin(std::min(
          kMargin, 0.2 * *std::min_element(shape.half_extents.begin(), shape.half_extents.end())));
      return box;
    }
    case ShapeType::kSphere:
      positive(shape.radius, "a sphere radius");
      return std::make_unique<btSphereShape>(shape.radius);
    case ShapeType::kCylinder: {
      positive(shape.radius, "a cylinder radius");
      positive(shape.half_length, "a cylinder half length");
      auto cylinder = std::make_unique<btCylinderShapeZ>(
          btVector3(shape.radius, shape.radius, shape.half_length));
      cylinder->setMargin(std::min(kMargin, 0.2 * std::min(shape.radius, shape.half_length)));
      return cylinder;
    }
    case ShapeType::kCapsule:
      positive(shape.radius, "a capsule radius");
      positive(shape.half_length, "a capsule half length");
      return std::make_unique<btCapsuleShapeZ>(shape.radius, 2 * shape.half_length);
    case ShapeType::kPlane: {
      // the z = 0 plane of the shape's pose, in the body's frame
      const btTransform pose = to_bt(shape.pose);
      const btVector3 normal = pose.getBasis().getColumn(2);
      return std::make_unique<btStaticPlaneShape>(normal, normal.dot(pose.getOrigin()));
    }
    case ShapeType::kMesh: {
      if (shape.vertices.size() < 4) {
        throw Error(owner + ": mesh '" + shape.mesh_file.string() + "' has " +
                    std::to_string(shape.vertices.size()) +
                    " vertices, a convex hull needs at least 4");
      }
      auto hull = std::make_unique<btConvexHullShape>();
      for (const Vec3& v : shape.vertices) {
        if (!finite(v))
          throw Error(owner + ": mesh '" + shape.mesh_file.string() + "' has a non-finite vertex");
        hull->addPoint(to_bt(v), false);
      }
      hull->setMargin(kHullMargin);
      hull->optimizeConvexHull();
      hull->recalcLocalAabb();  // after the margin, which the box includes
      return hull;
    }
  }
  UW_CHECK(false, "unknown shape type");
  return nullptr;
}

// The scene-wide checks: step, solver, size, cameras, markers.
void check_scene(const BulletScene& s) {
  if (!(std::isfinite(s.timestep) && s.timestep > 0)) {
    throw Error("scene '" + s.name + "': timestep " + std::to_string(s.timestep) +
                " is not a positive number");
  }
  if (s.solver_iterations < 1) {
    throw Error("scene '" + s.name + "': solver_iterations must be at least 1");
  }
  if (s.bodies.size() > kMaxBodies) {
    throw Error("scene '" + s.name + "': " + std::to_string(s.bodies.size()) +
                " bodies, more than the " + std::to_string(kMaxBodies) + " a world takes");
  }
  for (size_t i = 0; i < s.cameras.size(); ++i) {
    const int body = s.cameras[i].track_body;
    if (body < -1 || body >= static_cast<int>(s.bodies.size())) {
      throw Error(where(s, "camera", i, s.cameras[i].name) + ": tracks body " +
                  std::to_string(body) + ", which the scene does not have");
    }
  }
  for (size_t i = 0; i < s.markers.size(); ++i) {
    const ShapeType type = s.markers[i].shape.type;
    if (type == ShapeType::kMesh || type == ShapeType::kPlane) {
      throw Error(where(s, "marker", i, s.markers[i].name) +
                  ": a marker is a box, sphere, cylinder or capsule");
    }
  }
}

// Adds body i of the scene.
void add_body(BulletEngine& e, const BulletScene& s, size_t i) {
  const BodyDesc& b = s.bodies[i];
  const std::string owner = where(s, "body", i, b.name);
  if (!(std::isfinite(b.mass) && b.mass >= 0)) {
    throw Error(owner + ": mass " + std::to_string(b.mass) + " is not a number >= 0");
  }
  if (b.mass > 0) {
    for (double moment : b.inertia) {
      if (!(std::isfinite(moment) && moment > 0)) {
        throw Error(owner + ": principal inertia " + std::to_string(moment) +
                    " is not positive (a body with mass needs a positive-definite inertia)");
      }
    }
  }
  if (!usable(b.pose) || !usable(b.inertial)) throw Error(owner + ": its pose is not finite");
  const btTransform com_in_body = to_bt(b.inertial);
  const btTransform body_in_com = com_in_body.inverse();
  btCollisionShape* shape = nullptr;
  const bool plane = b.collision.size() == 1 && b.collision[0].type == ShapeType::kPlane;
  if (plane || (b.collision.size() == 1 &&
                (body_in_com * to_bt(b.collision[0].pose)) == btTransform::getIdentity())) {
    if (plane && b.mass > 0) throw Error(owner + ": a plane can only be static (mass 0)");
    if (plane && !(com_in_body == btTransform::getIdentity())) {
      throw Error(owner + ": a plane's body has no centre of mass to offset");
    }
    shape = e.keep(make_shape(b.collision[0], owner));
  } else {
    auto compound = std::make_unique<btCompoundShape>(/*enableDynamicAabbTree=*/false);
    for (const Shape& part : b.collision) {
      if (part.type == ShapeType::kPlane)
        throw Error(owner + ": a plane must be its body's only shape");
      compound->addChildShape(body_in_com * to_bt(part.pose), e.keep(make_shape(part, owner)));
    }
    shape = e.keep(std::move(compound));
  }
  // a static body gets no inertia: Bullet would still use its inverse in joint rows
  const Vec3 inertia = b.mass > 0 ? b.inertia : Vec3{0, 0, 0};
  btRigidBody::btRigidBodyConstructionInfo info(b.mass, nullptr, shape, to_bt(inertia));
  info.m_startWorldTransform = to_bt(b.pose) * com_in_body;
  info.m_friction = b.friction;
  info.m_rollingFriction = b.rolling_friction;
  info.m_restitution = b.restitution;
  info.m_linearDamping = b.linear_damping;
  info.m_angularDamping = b.angular_damping;
  auto body = std::make_unique<btRigidBody>(info);
  body->setActivationState(DISABLE_DEACTIVATION);
  if (b.planar) {
    body->setLinearFactor(btVector3(1, 1, 0));
    body->setAngularFactor(btVector3(0, 0, 0));
  }
  if (b.collides_with_static || b.mass <= 0) {
    e.world.addRigidBody(body.get());
  } else {
    e.world.addRigidBody(body.get(), btBroadphaseProxy::DefaultFilter,
                         btBroadphaseProxy::AllFilter ^ btBroadphaseProxy::StaticFilter);
  }
  e.com_in_body.push_back(com_in_body);
  e.masses.push_back(b.mass);
  e.initial.push_back(info.m_startWorldTransform);
  e.bodies.push_back(std::move(body));
}

// Adds joint i of the scene, between bodies already added.
void add_joint(BulletEngine& e, const BulletScene& s, size_t i) {
  const int body_count = static_cast<int>(s.bodies.size());
  const JointDesc& j = s.joints[i];
  const std::string owner = where(s, "joint", i, j.name);
  if (j.parent < -1 || j.parent >= body_count || j.child < 0 || j.child >= body_count ||
      j.parent == j.child) {
    throw Error(owner + ": parent " + std::to_string(j.parent) + " and child " +
                std::to_string(j.child) + " must be different bodies in [-1, " +
                std::to_string(body_count) + ")");
  }
  if (s.bodies[j.child].mass <= 0 && (j.parent < 0 || s.bodies[j.parent].mass <= 0)) {
    throw Error(owner + ": joins two static bodies");
  }
  const double axis_norm = std::hypot(j.axis[0], j.axis[1], j.axis[2]);
  if (!(std::isfinite(axis_norm) && axis_norm > 1e-9) && j.type != JointType::kFixed) {
    throw Error(owner + ": its axis is zero or not finite");
  }
  // the joint frame in each body's centre-of-mass frame, from the bodies' initial poses
  const btTransform parent_pose =
      j.parent < 0 ? btTransform::getIdentity() : to_bt(s.bodies[j.parent].pose);
  const btTransform joint_world = parent_pose * to_bt(j.frame);
  const btTransform in_parent =
      (j.parent < 0 ? btTransform::getIdentity() : e.com_in_body[j.parent].inverse()) *
      to_bt(j.frame);
  const btTransform in_child =
      e.com_in_body[j.child].inverse() * to_bt(s.bodies[j.child].pose).inverse() * joint_world;
  btRigidBody& parent = e.rigid(j.parent);
  btRigidBody& child = e.rigid(j.child);
  std::unique_ptr<btTypedConstraint> constraint;
  switch (j.type) {
    case JointType::kRevolute:
    case JointType::kContinuous: {
      auto hinge =
          std::make_unique<btHingeConstraint>(parent, child, aligned(in_parent, j.axis, {0, 0, 1}),
                                              aligned(in_child, j.axis, {0, 0, 1}));
      // Bullet's hinge angle is the parent's rotation relative to the child: the negative of
      // the joint position, so limits and motor speeds change sign
      if (j.type == JointType::kRevolute && j.lower <= j.upper) {
        if (j.lower < -std::numbers::pi || j.upper > std::numbers::pi) {
          throw Error(owner + ": limits [" + std::to_string(j.lower) + ", " +
                      std::to_string(j.upper) +
                      "] reach beyond [-pi, pi], where a Bullet hinge measures its angle");
        }
        hinge->setLimit(-j.upper, -j.lower);
      }
      constraint = std::move(hinge);
      break;
    }
    case JointType::kPrismatic: {
      auto slider =
          std::make_unique<btSliderConstraint>(parent, child, aligned(in_parent, j.axis, {1, 0, 0}),
                                               aligned(in_child, j.axis, {1, 0, 0}), true);
      if (j.lower <= j.upper) {
        slider->setLowerLinLimit(j.lower);
        slider->setUpperLinLimit(j.upper);
      }
      constraint = std::move(slider);
      break;
    }
    case JointType::kFixed:
      constraint = std::make_unique<btFixedConstraint>(parent, child, in_parent, in_child);
      break;
  }
  e.world.addConstraint(constraint.get(), /*disableCollisionsBetweenLinkedBodies=*/true);
  e.joints.push_back(std::move(constraint));
}

// Checks actuator i of the scene against its joints and bodies.
void check_actuator(const BulletScene& s, size_t i) {
  const int body_count = static_cast<int>(s.bodies.size());
  const ActuatorDesc& a = s.actuators[i];
  const std::string owner = where(s, "actuator", i, a.name);
  if (a.type == ActuatorType::kJointPosition) {
    if (a.index < 0 || a.index >= static_cast<int>(s.joints.size()) ||
        s.joints[a.index].type == JointType::kFixed) {
      throw Error(owner + ": joint " + std::to_string(a.index) + " is not a moving joint");
    }
    if (!(s.joints[a.index].effort > 0)) {
      throw Error(owner + ": joint '" + s.joints[a.index].name + "' has no positive effort limit");
    }
  } else {
    if (a.index < 0 || a.index >= body_count || s.bodies[a.index].mass <= 0) {
      throw Error(owner + ": body " + std::to_string(a.index) + " is not a dynamic body");
    }
    if (a.axis < 0 || a.axis > 2) throw Error(owner + ": axis must be 0, 1 or 2");
    if (a.type == ActuatorType::kBodyVelocity && !(std::isfinite(a.max_force) && a.max_force > 0)) {
      throw Error(owner + ": max_force must be a number > 0");
    }
  }
  if (!std::isfinite(a.gain)) {
    throw Error(owner + ": gain " + std::to_string(a.gain) + " is not finite");
  }
  if (!(a.low <= a.high) || !std::isfinite(a.low) || !std::isfinite(a.high)) {
    throw Error(owner + ": control range [" + std::to_string(a.low) + ", " +
                std::to_string(a.high) + "] is not a finite range");
  }
}

}  // namespace

std::unique_ptr<BulletEngine> build_bullet_engine(const BulletScene& s) {
  check_scene(s);
  auto engine = std::make_unique<BulletEngine>();
  BulletEngine& e = *engine;
  e.world.setGravity(to_bt(s.gravity));
  e.world.getSolverInfo().m_numIterations = s.solver_iterations;
  // two friction directions per contact: without warm starts, one lets resting stacks creep
  // (a 6-block stack drifted 10 mm in 2 s with one, 1 mm with two)
  e.world.getSolverInfo().m_solverMode |= SOLVER_USE_2_FRICTION_DIRECTIONS;

  for (size_t i = 0; i < s.bodies.size(); ++i) add_body(e, s, i);
  for (size_t i = 0; i < s.joints.size(); ++i) add_joint(e, s, i);
  for (size_t i = 0; i < s.actuators.size(); ++i) check_actuator(s, i);
  return engine;
}

}  // namespace uw::sim
