#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <vector>

namespace uw::sim {

using Vec3 = std::array<double, 3>;
using Quat = std::array<double, 4>;  // w, x, y, z
using Rgba = std::array<float, 4>;

// A rigid transform: position and orientation.
struct Pose {
  Vec3 pos{0, 0, 0};
  Quat quat{1, 0, 0, 0};
};

// The composition a * b (b expressed in a's frame).
Pose compose(const Pose& a, const Pose& b);
// The inverse transform.
Pose inverse(const Pose& pose);

enum class ShapeType { kBox, kSphere, kCylinder, kCapsule, kPlane, kMesh };

// One geometric primitive of a body, in the body's frame. Cylinders and capsules lie along
// their local z axis. A plane is the z = 0 plane of its pose, infinite, for static ground.
struct Shape {
  ShapeType type = ShapeType::kBox;
  Vec3 half_extents{0, 0, 0};  // box
  double radius = 0.0;         // sphere, cylinder, capsule
  double half_length = 0.0;    // cylinder, capsule: half the length along z (capsule: of the
                               // cylindrical part)
  // mesh: its vertices (already scaled), collided with and drawn as their convex hull, and the
  // file they came from (for messages).
  std::vector<Vec3> vertices;
  std::filesystem::path mesh_file;
  Vec3 mesh_scale{1, 1, 1};
  Pose pose;
  Rgba rgba{0.7f, 0.7f, 0.7f, 1.0f};
};

// A rigid body. mass 0 makes it static. Its frame is the frame shapes and joints refer to;
// the centre of mass and principal inertia are given separately.
struct BodyDesc {
  std::string name;
  Pose pose;  // initial pose of the body frame in the world
  double mass = 0.0;
  Pose inertial;          // centre of mass frame in the body frame
  Vec3 inertia{0, 0, 0};  // principal moments about the inertial frame's axes; all > 0
                          // when mass > 0 (SceneBuilder computes them from the shape)
  std::vector<Shape> collision;
  std::vector<Shape> visual;  // empty: draw the collision shapes
  double friction = 0.5;
  double rolling_friction = 0.0;
  double restitution = 0.0;
  double linear_damping = 0.0;
  double angular_damping = 0.0;
  // A body that moves only in the ground plane: no z motion, no rotation (a pusher on a table).
  bool planar = false;
  // Whether the body collides with static bodies (ground, table, walls). A pusher gliding
  // just above a table does not, which spares a contact test per step.
  bool collides_with_static = true;
};

enum class JointType { kRevolute, kContinuous, kPrismatic, kFixed };

// A joint between two bodies (parent -1 = the world), in the parent body's frame.
struct JointDesc {
  std::string name;
  JointType type = JointType::kRevolute;
  int parent = -1;
  int child = 0;
  Pose frame;          // joint frame in the parent body frame; the child's frame at q = 0
  Vec3 axis{1, 0, 0};  // unit axis in the joint frame
  double lower = 0.0;  // limits (revolute, prismatic); lower > upper: none
  double upper = -1.0;
  double effort = 0.0;    // maximum motor force or torque; 0 = not actuated
  double velocity = 0.0;  // maximum joint speed for the motor; 0 = no limit
};

// What a control value drives.
enum class ActuatorType {
  kJointPosition,  // target position of joint `index` (a PD motor within effort and velocity)
  kBodyVelocity,   // target velocity of body `index` along world axis `axis`, in [-1, 1] x gain
  kBodyForce,      // force on body `index` along world axis `axis`: control x gain
};

struct ActuatorDesc {
  std::string name;
  ActuatorType type = ActuatorType::kBodyForce;
  int index = 0;
  int axis = 0;
  double gain = 1.0;       // kJointPosition: the position gain (1/s) of the motor's target speed
  double max_force = 0.0;  // kBodyVelocity: the force that tracks the target velocity
  double low = -1.0;       // control range
  double high = 1.0;
};

// A camera for the renderer: fixed in the world, or following a body at a fixed offset.
struct CameraDesc {
  std::string name;
  Vec3 pos{0, 0, 1};
  Vec3 look_at{0, 0, 0};
  int track_body = -1;  // >= 0: keeps its offset from this body's position
};

// A shape that is drawn but takes no part in the physics: a goal marker. Tasks move it with
// BulletWorld::set_marker_pose.
struct MarkerDesc {
  std::string name;
  Shape shape;
  Pose pose;
};

// A complete Bullet scene: what a BulletWorld is built from. Bodies are created in order, so
// the same scene always gives the same world.
struct BulletScene {
  std::string name;  // for messages: the task or the URDF file
  std::vector<BodyDesc> bodies;
  std::vector<JointDesc> joints;
  std::vector<ActuatorDesc> actuators;
  std::vector<CameraDesc> cameras;
  std::vector<MarkerDesc> markers;
  Vec3 gravity{0, 0, -9.81};
  double timestep = 0.002;
  int solver_iterations = 50;

  // The index of the body with this name; throws uw::Error naming the scene when absent.
  int body(const std::string& name) const;
};

}  // namespace uw::sim
