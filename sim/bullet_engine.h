#pragma once

// Inside the Bullet world: Bullet's objects for a scene, and how they are built. Only
// bullet_world.cc and bullet_engine.cc include this (Bullet's headers stay out of the API).
#include <btBulletDynamicsCommon.h>

#include <memory>
#include <vector>

#include "sim/bullet_scene.h"

namespace uw::sim {

// Bullet's objects, in construction order (destroyed in reverse after leaving the world).
struct BulletEngine {
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

  BulletEngine() {
    // several contact points per pair in one step, since none persist between steps
    config.setConvexConvexMultipointIterations();
    config.setPlaneConvexMultipointIterations();
  }
  ~BulletEngine() {
    for (auto& joint : joints) world.removeConstraint(joint.get());
    for (auto& body : bodies) world.removeRigidBody(body.get());
  }
  BulletEngine(const BulletEngine&) = delete;
  BulletEngine& operator=(const BulletEngine&) = delete;

  btCollisionShape* keep(std::unique_ptr<btCollisionShape> shape) {
    shapes.push_back(std::move(shape));
    return shapes.back().get();
  }
  btRigidBody& rigid(int joint_body) { return joint_body < 0 ? fixed : *bodies[joint_body]; }
  // A new mass for dynamic body i, its inertia scaled from the scene's (the shape stays the
  // same); computed from the scene, not the current values, so it does not depend on history.
  // The mass itself is kept here, since Bullet keeps only its inverse and 1 / (1 / m) is not
  // always m.
  void set_mass(size_t i, const BodyDesc& desc, double mass);
};

btVector3 to_bt(const Vec3& v);
Vec3 from_bt(const btVector3& v);
btTransform to_bt(const Pose& p);
// With w >= 0: q and -q are the same rotation, and observations should not flip between them.
Pose from_bt(const btTransform& t);
bool finite(const Vec3& v);
// A finite position and a finite, non-zero quaternion.
bool usable(const Pose& pose);

// Builds the bodies and joints of a scene, after checking the whole scene (bodies, joints,
// actuators, cameras, markers). Throws uw::Error naming the scene and the part at fault.
std::unique_ptr<BulletEngine> build_bullet_engine(const BulletScene& scene);

}  // namespace uw::sim
