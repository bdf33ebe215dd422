#include "sim/bullet_world.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.h"
#include "sim/bullet_engine.h"
#include "sim/bullet_twin.h"

namespace uw::sim {
namespace {

// Beyond these the state has run away (an unstable scene), even while still finite.
constexpr double kMaxPosition = 1e4;
constexpr double kMaxSpeed = 1e4;
// Values per dynamic body in a saved state: origin (3), rotation matrix (9), linear and
// angular velocity (3 + 3), mass, restitution, friction. The matrix, not a quaternion, so that
// restoring is exact.
constexpr int kBodyValues = 21;
constexpr int kHeldValues = 6;
constexpr int kMarkerValues = 7;  // position, quaternion

}  // namespace

BulletWorld::BulletWorld(std::shared_ptr<const BulletScene> scene)
    : scene_(std::move(scene)), engine_(build_bullet_engine(*scene_)) {
  for (const ActuatorDesc& a : scene_->actuators) {
    control_bounds_.low.push_back(a.low);
    control_bounds_.high.push_back(a.high);
  }
  control_.assign(scene_->actuators.size(), 0.0);
  held_.assign(scene_->bodies.size() * kHeldValues, 0.0);
  reset();
}

BulletWorld::~BulletWorld() = default;

void BulletWorld::reset() {
  BulletEngine& e = *engine_;
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
  std::fill(contact_forces_.begin(), contact_forces_.end(), 0.0);
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
  BulletEngine& e = *engine_;
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
  BulletEngine& e = *engine_;
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
    if (senses_contact_forces()) measure_contact_forces(dt);
    if (std::string bad = find_bad_state(); !bad.empty()) {
      fault(std::move(bad));
      return;
    }
  }
}

void BulletWorld::sense_contact_forces() {
  if (senses_contact_forces()) return;
  dynamic_slot_.assign(engine_->bodies.size(), -1);
  int slots = 0;
  for (size_t b = 0; b < engine_->bodies.size(); ++b) {
    engine_->bodies[b]->setUserIndex(static_cast<int>(b));
    if (scene_->bodies[b].mass > 0) dynamic_slot_[b] = slots++;
  }
  contact_forces_.assign(slots, 0.0);
}

void BulletWorld::measure_contact_forces(double dt) {
  std::fill(contact_forces_.begin(), contact_forces_.end(), 0.0);
  btCollisionDispatcher& dispatcher = engine_->dispatcher;
  for (int m = 0; m < dispatcher.getNumManifolds(); ++m) {
    const btPersistentManifold* manifold = dispatcher.getManifoldByIndexInternal(m);
    double impulse = 0;
    for (int c = 0; c < manifold->getNumContacts(); ++c) {
      impulse += manifold->getContactPoint(c).getAppliedImpulse();
    }
    for (const btCollisionObject* body : {manifold->getBody0(), manifold->getBody1()}) {
      const int index = body->getUserIndex();
      if (index >= 0 && dynamic_slot_[index] >= 0)
        contact_forces_[dynamic_slot_[index]] += impulse / dt;
    }
  }
}

void BulletWorld::raw_step() { engine_->world.stepSimulation(scene_->timestep, 0); }

std::string BulletWorld::find_bad_state() const {
  const BulletEngine& e = *engine_;
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
         static_cast<int>(held_.size()) + kMarkerValues * static_cast<int>(scene_->markers.size()) +
         static_cast<int>(contact_forces_.size());
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
  std::copy(contact_forces_.begin(), contact_forces_.end(), p);
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
  std::copy(p, p + contact_forces_.size(), contact_forces_.begin());
  health_ = {};
}

Pose BulletWorld::body_pose(int body) const {
  const BulletEngine& e = *engine_;
  return from_bt(e.bodies.at(body)->getCenterOfMassTransform() * e.com_in_body[body].inverse());
}

Vec3 BulletWorld::body_linear_velocity(int body) const {
  return from_bt(engine_->bodies.at(body)->getLinearVelocity());
}

Vec3 BulletWorld::body_angular_velocity(int body) const {
  return from_bt(engine_->bodies.at(body)->getAngularVelocity());
}

void BulletWorld::set_body_pose(int body, const Pose& pose) {
  BulletEngine& e = *engine_;
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
