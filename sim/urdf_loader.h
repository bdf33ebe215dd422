#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sim/bullet_scene.h"

namespace uw::sim {

struct UrdfOptions {
  // Roots that package://name/... URIs resolve against (name is a folder in one of them).
  std::vector<std::filesystem::path> package_paths;
  bool fixed_base = false;      // weld the root link to the world
  bool ground = true;           // add a ground plane at z = 0
  Pose base_pose;               // the root link's initial pose
  double position_gain = 20.0;  // 1/s: motor target speed per unit of position error
  double timestep = 0.002;
};

// A URDF robot as a Bullet scene. Links joined by fixed joints become one rigid body.
struct UrdfRobot {
  std::shared_ptr<const BulletScene> scene;
  std::string name;
  int base_body = 0;               // the root link's body
  std::vector<int> moving_joints;  // scene joints that move (revolute, continuous, prismatic)
  std::vector<std::string> moving_joint_names;
};

// Parses a URDF file with urdfdom and builds its Bullet scene: links with inertial, visual and
// collision geometry (box, sphere, cylinder; .obj/.stl meshes as convex hulls), joints
// (revolute, continuous, prismatic, fixed) with limits, effort and velocity, one position
// motor per joint with effort, materials and colours. Mesh paths resolve relative to the URDF
// file, package:// URIs against the package paths; nothing outside those folders is opened.
//
// Throws uw::Error naming the file, the link or joint, and what was expected: urdfdom's own
// errors, and the checks it leaves out (finite positive mass, a positive-definite inertia that
// obeys the triangle inequality, mesh files that exist inside the allowed folders and parse,
// supported joint types, a moving link without <inertial>).
UrdfRobot load_urdf(const std::filesystem::path& file, const UrdfOptions& options = {});

}  // namespace uw::sim
