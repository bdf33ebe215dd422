#include "sim/bullet_world.h"

#include <btBulletDynamicsCommon.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.h"
#include "sim/bullet_twin.h"

namespace uw::sim {
namespace {

// Beyond these the state has run away (an unstable scene), even while still finite.
constexpr double kMaxPosition = 1e4;
constexpr double kMaxSpeed = 1e4;
// Collision margin for boxes, cylinders and hulls: Bullet's default 4 cm is too coarse for
// centimetre-sized objects.
constexpr double kMargin = 0.004;
constexpr double kHullMargin = 0.001;
// Values per dynamic body in a saved state: origin (3), rotation matrix (9), linear and
// angular velocity (3 + 3), mass, restitution, friction. The matrix, not a quaternion, so that
// restoring is exact.
constexpr int kBodyValues = 21;
constexpr int kHeldValues = 6;
constexpr int kMarkerValues = 7;  // position, quaternion
// The simple broadphase holds 16,384 proxies and tests every pair each step.
constexpr size_t kMaxBodies = 4096;

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

// A joint frame whose `local_axis` (z for hinges, x for sliders) points along `axis`.
btTransform aligned(const btTransform& frame, const Vec3& axis, const btVector3& local_axis) {
  const btQuaternion turn = shortestArcQuat(local_axis, to_bt(axis).normalized());
  return frame * btTransform(turn);
}

}  // namespace

// Bullet's objects, in construction order (destroyed in reverse after leaving the world).
struct BulletWorld::Engine {
  btDefaultCollisionConfiguration config;
  btCollisionDispatcher dispatcher{&config};
  // the simple broadphase finds pairs in body order, so a fresh pair cache has a fixed order
  btSimpleBroadphase broadphase;
  btSequentialImpulseConstraintSolver solver;
  btDiscreteDynamicsWorld world{&dispatcher, &broadphase, &solver, &config};
  btRigidBody fixed{0, nullptr, nullptr};  // the world, for joints to it
  std::vector<std::unique_ptr<btCollisionShape>> shapes;
  std::vector<std::unique_ptr<btRigidBody>> bodies;
  std::vector<btTransform> com_in_body;  // each body's centre-of-mass frame in its frame
  std::vector<btTransform> initial;      // each body's initial centre-of-mass transform
  std::vector<double> masses;            // each body's current mass, 0 for static ones
  std::vector<std::unique_ptr<btTypedConstraint>> joints;

  Engine() {
    // several contact points per pair in one step, since none persist between steps
    config.setConvexConvexMultipointIterations();
    config.setPlaneConvexMultipointIterations();
  }
  ~Engine() {
    for (auto& joint : joints) world.removeConstraint(joint.get());
    for (auto& body : bodies) world.removeRigidBody(body.get());
  }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  btCollisionShape* keep(std::unique_ptr<btCollisionShape> shape) {
    shapes.push_back(std::move(shape));
    return shapes.back().get();
  }
  btRigidBody& rigid(int joint_body) { return joint_body < 0 ? fixed : *bodies[joint_body]; }
  // A new mass for dynamic body i, its inertia scaled from the scene's (the shape stays the
  // same); computed from the scene, not the current values, so it does not depend on history.
  // The mass itself is kept here, since Bullet keeps only its inverse and 1 / (1 / m) is not
  // always m.
  void set_mass(size_t i, const BodyDesc& desc, double mass) {
    const btVector3 inertia =
        btVector3(desc.inertia[0], desc.inertia[1], desc.inertia[2]) * (mass / desc.mass);
    bodies[i]->setMassProps(mass, inertia);
    bodies[i]->updateInertiaTensor();
    bodies[i]->setGravity(world.getGravity());  // Bullet keeps gravity as a force: m g
    masses[i] = mass;
  }
};

namespace {

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

}  // namespace

BulletWorld::BulletWorld(std::shared_ptr<const BulletScene> scene)
    : scene_(std::move(scene)), engine_(std::make_unique<Engine>()) {
  const BulletScene& s = *scene_;
  Engine& e = *engine_;
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
                  ": a marker is a box, sphere, "
                  "cylinder or capsule");
    }
  }
  e.world.setGravity(to_bt(s.gravity));
  e.world.getSolverInfo().m_numIterations = s.solver_iterations;
  // two friction directions per contact: without warm starts, one lets resting stacks creep
  // (a 6-block stack drifted 10 mm in 2 s with one, 1 mm with two)
  e.world.getSolverInfo().m_solverMode |= SOLVER_USE_2_FRICTION_DIRECTIONS;

  for (size_t i = 0; i < s.bodies.size(); ++i) {
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

  const int body_count = static_cast<int>(s.bodies.size());
  for (size_t i = 0; i < s.joints.size(); ++i) {
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
        auto hinge = std::make_unique<btHingeConstraint>(parent, child,
                                                         aligned(in_parent, j.axis, {0, 0, 1}),
                                                         aligned(in_child, j.axis, {0, 0, 1}));
        // Bullet's hinge angle is the parent's rotation relative to the child: the negative of
        // the joint position, so limits and motor speeds change sign
        if (j.type == JointType::kRevolute && j.lower <= j.upper) {
          if (j.lower < -std::numbers::pi || j.upper > std::numbers::pi) {
            throw Error(owner + ": limits [" + std::to_string(j.lower) + ", " +
                        std::to_string(j.upper) +
                        "] reach beyond [-pi, pi], where a Bullet "
                        "hinge measures its angle");
          }
          hinge->setLimit(-j.upper, -j.lower);
        }
        constraint = std::move(hinge);
        break;
      }
      case JointType::kPrismatic: {
        auto slider = std::make_unique<btSliderConstraint>(
            parent, child, aligned(in_parent, j.axis, {1, 0, 0}),
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

  for (size_t i = 0; i < s.actuators.size(); ++i) {
    const ActuatorDesc& a = s.actuators[i];
    const std::string owner = where(s, "actuator", i, a.name);
    if (a.type == ActuatorType::kJointPosition) {
      if (a.index < 0 || a.index >= static_cast<int>(s.joints.size()) ||
          s.joints[a.index].type == JointType::kFixed) {
        throw Error(owner + ": joint " + std::to_string(a.index) + " is not a moving joint");
      }
      if (!(s.joints[a.index].effort > 0)) {
        throw Error(owner + ": joint '" + s.joints[a.index].name +
                    "' has no positive effort limit");
      }
    } else {
      if (a.index < 0 || a.index >= body_count || s.bodies[a.index].mass <= 0) {
        throw Error(owner + ": body " + std::to_string(a.index) + " is not a dynamic body");
      }
      if (a.axis < 0 || a.axis > 2) throw Error(owner + ": axis must be 0, 1 or 2");
      if (a.type == ActuatorType::kBodyVelocity &&
          !(std::isfinite(a.max_force) && a.max_force > 0)) {
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
    control_bounds_.low.push_back(a.low);
    control_bounds_.high.push_back(a.high);
  }
  control_.assign(s.actuators.size(), 0.0);
  held_.assign(s.bodies.size() * kHeldValues, 0.0);
  reset();
}

BulletWorld::~BulletWorld() = default;

void BulletWorld::reset() {
  Engine& e = *engine_;
  for (size_t i = 0; i < e.bodies.size(); ++i) {
    btRigidBody& body = *e.bodies[i];
    body.setLinearVelocity(btVector3(0, 0, 0));
    body.setAngularVelocity(btVector3(0, 0, 0));
    body.setCenterOfMassTransform(e.initial[i]);
    body.clearForces();
    const BodyDesc& desc = scene_->bodies[i];
    if (desc.mass > 0) e.set_mass(i, desc, desc.mass);
    body.setRestitution(desc.restitution);
    body.setFriction(desc.friction);
  }
  std::fill(control_.begin(), control_.end(), 0.0);
  std::fill(held_.begin(), held_.end(), 0.0);
  markers_.clear();
  for (const MarkerDesc& marker : scene_->markers) markers_.push_back(marker.pose);
  time_ = 0.0;
  health_ = {};
}

void BulletWorld::set_control(std::span<const double> u) {
  UW_CHECK(u.size() == control_.size(), "control size mismatch");
  const Bounds& b = control_bounds_;
  for (size_t i = 0; i < u.size(); ++i) {
    UW_CHECK(!std::isnan(u[i]), "a NaN control (envs refuse NaN actions before this)");
    control_[i] = std::clamp(u[i], b.low[i], b.high[i]);
  }
}

void BulletWorld::apply_controls(double dt) {
  Engine& e = *engine_;
  for (size_t i = 0; i < control_.size(); ++i) {
    const ActuatorDesc& a = scene_->actuators[i];
    const double u = control_[i];
    switch (a.type) {
      case ActuatorType::kJointPosition: {
        const JointDesc& j = scene_->joints[a.index];
        double error = u - joint_position(a.index);
        // a continuous joint's angle wraps at +-pi: turn the short way round
        if (j.type == JointType::kContinuous) error = std::remainder(error, 2 * std::numbers::pi);
        double speed = a.gain * error;
        if (j.velocity > 0) speed = std::clamp(speed, -j.velocity, j.velocity);
        btTypedConstraint* c = e.joints[a.index].get();
        if (j.type == JointType::kPrismatic) {
          auto* slider = static_cast<btSliderConstraint*>(c);
          slider->setPoweredLinMotor(true);
          slider->setTargetLinMotorVelocity(speed);
          slider->setMaxLinMotorForce(j.effort);
        } else {
          static_cast<btHingeConstraint*>(c)->enableAngularMotor(true, -speed, j.effort * dt);
        }
        break;
      }
      case ActuatorType::kBodyVelocity: {
        btRigidBody& body = *e.bodies[a.index];
        const double error = u * a.gain - body.getLinearVelocity()[a.axis];
        // the force that reaches the target speed in one step, within max_force
        const double force =
            std::clamp(error / (body.getInvMass() * dt), -a.max_force, a.max_force);
        btVector3 f(0, 0, 0);
        f[a.axis] = force;
        body.applyCentralForce(f);
        break;
      }
      case ActuatorType::kBodyForce: {
        btVector3 f(0, 0, 0);
        f[a.axis] = u * a.gain;
        e.bodies[a.index]->applyCentralForce(f);
        break;
      }
    }
  }
  for (size_t i = 0; i < e.bodies.size(); ++i) {
    const double* h = held_.data() + kHeldValues * i;
    if (h[0] != 0 || h[1] != 0 || h[2] != 0) {
      e.bodies[i]->applyForce(btVector3(h[0], h[1], h[2]), btVector3(h[3], h[4], h[5]));
    }
  }
}

void BulletWorld::step(int substeps) {
  Engine& e = *engine_;
  const double dt = scene_->timestep;
  for (int s = 0; s < substeps; ++s) {
    // forget every contact (and its warm start): the step depends on the saved state only
    btOverlappingPairCache* pairs = e.broadphase.getOverlappingPairCache();
    btBroadphasePairArray& array = pairs->getOverlappingPairArray();
    while (array.size() > 0) {
      const btBroadphasePair& last = array[array.size() - 1];
      pairs->removeOverlappingPair(last.m_pProxy0, last.m_pProxy1, &e.dispatcher);
    }
    apply_controls(dt);
    e.world.stepSimulation(dt, /*maxSubSteps=*/0);
    time_ += dt;
    if (std::string bad = find_bad_state(); !bad.empty()) {
      fault(std::move(bad));
      return;
    }
  }
}

void BulletWorld::raw_step() { engine_->world.stepSimulation(scene_->timestep, 0); }

std::string BulletWorld::find_bad_state() const {
  const Engine& e = *engine_;
  for (size_t i = 0; i < e.bodies.size(); ++i) {
    const btRigidBody& body = *e.bodies[i];
    if (body.getInvMass() == 0) continue;
    const btVector3& p = body.getCenterOfMassPosition();
    const double speed = body.getLinearVelocity().length() + body.getAngularVelocity().length();
    if (!(p.length() < kMaxPosition) || !(speed < kMaxSpeed)) {
      return "body '" + scene_->bodies[i].name + "' ran away (position " +
             std::to_string(p.length()) + " m from the origin, speed " + std::to_string(speed) +
             ") at time " + std::to_string(time_);
    }
  }
  return {};
}

void BulletWorld::fault(std::string why) {
  const double when = time_;
  reset();
  time_ = when;
  health_ = {false, std::move(why)};
}

int BulletWorld::state_size() const {
  int dynamic = 0;
  for (const BodyDesc& b : scene_->bodies) dynamic += b.mass > 0;
  return 1 + static_cast<int>(control_.size()) + kBodyValues * dynamic +
         static_cast<int>(held_.size()) + kMarkerValues * static_cast<int>(scene_->markers.size());
}

std::vector<double> BulletWorld::save_state() const {
  std::vector<double> state(state_size());
  save_state_to(state);
  return state;
}

void BulletWorld::save_state_to(std::span<double> out) const {
  UW_CHECK(out.size() == static_cast<size_t>(state_size()), "state buffer of the wrong size");
  double* p = out.data();
  *p++ = time_;
  p = std::copy(control_.begin(), control_.end(), p);
  for (size_t b = 0; b < engine_->bodies.size(); ++b) {
    const btRigidBody* body = engine_->bodies[b].get();
    if (body->getInvMass() == 0) continue;
    const btTransform& t = body->getCenterOfMassTransform();
    for (int k = 0; k < 3; ++k) *p++ = t.getOrigin()[k];
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) *p++ = t.getBasis()[r][c];
    }
    for (int k = 0; k < 3; ++k) *p++ = body->getLinearVelocity()[k];
    for (int k = 0; k < 3; ++k) *p++ = body->getAngularVelocity()[k];
    *p++ = engine_->masses[b];
    *p++ = body->getRestitution();
    *p++ = body->getFriction();
  }
  p = std::copy(held_.begin(), held_.end(), p);
  for (const Pose& marker : markers_) {
    p = std::copy(marker.pos.begin(), marker.pos.end(), p);
    p = std::copy(marker.quat.begin(), marker.quat.end(), p);
  }
}

void BulletWorld::restore_state(std::span<const double> state) {
  if (state.size() != static_cast<size_t>(state_size())) {
    throw Error("scene '" + scene_->name + "': a state has " + std::to_string(state.size()) +
                " values, expected " + std::to_string(state_size()));
  }
  for (size_t i = 0; i < state.size(); ++i) {
    if (!std::isfinite(state[i])) {
      throw Error("scene '" + scene_->name + "': state value " + std::to_string(i) +
                  " is not finite");
    }
  }
  for (size_t b = 0, at = 1 + control_.size(); b < engine_->bodies.size(); ++b) {
    if (engine_->bodies[b]->getInvMass() == 0) continue;
    const std::string body = "scene '" + scene_->name + "': body '" + scene_->bodies[b].name + "'";
    if (!(state[at + 18] > 0)) {
      throw Error(body + ": mass " + std::to_string(state[at + 18]) +
                  " in the state, expected > 0");
    }
    if (!(state[at + 19] >= 0 && state[at + 20] >= 0)) {
      throw Error(body + ": restitution and friction in the state must be >= 0");
    }
    // a rotation matrix: orthonormal rows (what save_state writes is, to rounding)
    const double* r = state.data() + at + 3;
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        const double dot =
            r[3 * i] * r[3 * j] + r[3 * i + 1] * r[3 * j + 1] + r[3 * i + 2] * r[3 * j + 2];
        if (std::abs(dot - (i == j ? 1.0 : 0.0)) > 1e-6) {
          throw Error(body + ": the orientation in the state is not a rotation matrix");
        }
      }
    }
    at += kBodyValues;
  }
  const double* p = state.data();
  time_ = *p++;
  std::copy(p, p + control_.size(), control_.begin());
  p += control_.size();
  for (size_t b = 0; b < engine_->bodies.size(); ++b) {
    btRigidBody* body = engine_->bodies[b].get();
    if (body->getInvMass() == 0) continue;
    btTransform t;
    t.setOrigin(btVector3(p[0], p[1], p[2]));
    t.setBasis(btMatrix3x3(p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11]));
    body->setLinearVelocity(btVector3(p[12], p[13], p[14]));
    body->setAngularVelocity(btVector3(p[15], p[16], p[17]));
    body->setCenterOfMassTransform(t);
    body->clearForces();
    engine_->set_mass(b, scene_->bodies[b], p[18]);
    body->setRestitution(p[19]);
    body->setFriction(p[20]);
    p += kBodyValues;
  }
  std::copy(p, p + held_.size(), held_.begin());
  p += held_.size();
  for (Pose& marker : markers_) {
    std::copy(p, p + 3, marker.pos.begin());
    std::copy(p + 3, p + 7, marker.quat.begin());
    p += kMarkerValues;
  }
  health_ = {};
}

Pose BulletWorld::body_pose(int body) const {
  const Engine& e = *engine_;
  return from_bt(e.bodies.at(body)->getCenterOfMassTransform() * e.com_in_body[body].inverse());
}

Vec3 BulletWorld::body_linear_velocity(int body) const {
  return from_bt(engine_->bodies.at(body)->getLinearVelocity());
}

Vec3 BulletWorld::body_angular_velocity(int body) const {
  return from_bt(engine_->bodies.at(body)->getAngularVelocity());
}

void BulletWorld::set_body_pose(int body, const Pose& pose) {
  Engine& e = *engine_;
  UW_CHECK(scene_->bodies.at(body).mass > 0 && usable(pose),
           "only dynamic bodies move, to finite poses");
  e.bodies[body]->setCenterOfMassTransform(to_bt(pose) * e.com_in_body[body]);
}

void BulletWorld::set_body_velocity(int body, const Vec3& linear, const Vec3& angular) {
  UW_CHECK(scene_->bodies.at(body).mass > 0 && finite(linear) && finite(angular),
           "only dynamic bodies move, at finite speeds");
  engine_->bodies[body]->setLinearVelocity(to_bt(linear));
  engine_->bodies[body]->setAngularVelocity(to_bt(angular));
}

void BulletWorld::set_body_material(int body, double mass, double restitution, double friction) {
  UW_CHECK(scene_->bodies.at(body).mass > 0 && mass > 0 && std::isfinite(mass) &&
               std::isfinite(restitution) && std::isfinite(friction),
           "a material needs a dynamic body, a positive mass and finite values");
  btRigidBody& rigid = *engine_->bodies[body];
  engine_->set_mass(body, scene_->bodies[body], mass);
  rigid.setRestitution(restitution);
  rigid.setFriction(friction);
}

double BulletWorld::body_mass(int body) const { return engine_->masses.at(body); }

double BulletWorld::body_restitution(int body) const {
  return engine_->bodies.at(body)->getRestitution();
}

void BulletWorld::set_held_force(int body, const Vec3& force, const Vec3& offset) {
  UW_CHECK(scene_->bodies.at(body).mass > 0 && finite(force) && finite(offset),
           "a held force needs a dynamic body and finite values");
  double* h = held_.data() + kHeldValues * body;
  std::copy(force.begin(), force.end(), h);
  std::copy(offset.begin(), offset.end(), h + 3);
}

void BulletWorld::set_marker_pose(int marker, const Pose& pose) {
  UW_CHECK(marker >= 0 && marker < static_cast<int>(markers_.size()) && usable(pose),
           "no such marker, or a pose that is not finite");
  markers_[marker] = pose;
}

void BulletWorld::clear_held_forces() { std::fill(held_.begin(), held_.end(), 0.0); }

double BulletWorld::joint_position(int joint) const {
  const JointDesc& j = scene_->joints.at(joint);
  btTypedConstraint* c = engine_->joints[joint].get();
  const btTransform& a = c->getRigidBodyA().getCenterOfMassTransform();
  const btTransform& b = c->getRigidBodyB().getCenterOfMassTransform();
  switch (j.type) {
    case JointType::kRevolute:
    case JointType::kContinuous:
      return -static_cast<btHingeConstraint*>(c)->getHingeAngle(a, b);
    case JointType::kPrismatic: {
      auto* slider = static_cast<btSliderConstraint*>(c);
      const btVector3 delta =
          (b * slider->getFrameOffsetB()).getOrigin() - (a * slider->getFrameOffsetA()).getOrigin();
      return delta.dot((a * slider->getFrameOffsetA()).getBasis().getColumn(0));
    }
    case JointType::kFixed:
      return 0.0;
  }
  return 0.0;
}

double BulletWorld::joint_velocity(int joint) const {
  const JointDesc& j = scene_->joints.at(joint);
  btTypedConstraint* c = engine_->joints[joint].get();
  const btRigidBody& a = c->getRigidBodyA();
  const btRigidBody& b = c->getRigidBodyB();
  switch (j.type) {
    case JointType::kRevolute:
    case JointType::kContinuous: {
      auto* hinge = static_cast<btHingeConstraint*>(c);
      const btVector3 axis =
          (a.getCenterOfMassTransform() * hinge->getFrameOffsetA()).getBasis().getColumn(2);
      return (b.getAngularVelocity() - a.getAngularVelocity()).dot(axis);
    }
    case JointType::kPrismatic: {
      auto* slider = static_cast<btSliderConstraint*>(c);
      const btTransform frame_a = a.getCenterOfMassTransform() * slider->getFrameOffsetA();
      const btVector3 anchor =
          (b.getCenterOfMassTransform() * slider->getFrameOffsetB()).getOrigin();
      const btVector3 relative = b.getVelocityInLocalPoint(anchor - b.getCenterOfMassPosition()) -
                                 a.getVelocityInLocalPoint(anchor - a.getCenterOfMassPosition());
      return relative.dot(frame_a.getBasis().getColumn(0));
    }
    case JointType::kFixed:
      return 0.0;
  }
  return 0.0;
}

DrawView BulletWorld::draw() const {
  if (!twin_) twin_ = std::make_unique<BulletTwin>(*scene_);
  std::vector<Pose> poses(scene_->bodies.size());
  for (size_t i = 0; i < poses.size(); ++i) poses[i] = body_pose(static_cast<int>(i));
  return twin_->update(poses, markers_);
}

}  // namespace uw::sim
