#include "sim/urdf_loader.h"

#include <LinearMath/btMatrix3x3.h>
#include <console_bridge/console.h>
#include <urdf_parser/urdf_parser.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <mutex>
#include <numbers>

#include "core/error.h"
#include "sim/mesh_file.h"

namespace uw::sim {
namespace {

constexpr std::uintmax_t kMaxUrdfBytes = 64u << 20;
// Deeper XML than this is refused before urdfdom sees it: its XML library recurses per level
// (parsing and freeing), so 100,000 nested elements overflow the stack.
constexpr int kMaxXmlDepth = 256;

// The line where the element nesting of `xml` first exceeds kMaxXmlDepth, or 0. A scan of
// the tags only, not a parser (urdfdom reports every other problem), that reads them the way
// urdfdom's TinyXML does, so that no trick hides nesting from it: comments end at "-->", CDATA
// at "]]>", other "<!" and "<?" nodes and stray '<' at the first '>' (quotes mean nothing
// there), and only start tags (a letter or '_' after '<') have quoted attribute values. A stray
// end tag never takes the depth below 0.
int too_deep_at(const std::string& xml) {
  int depth = 0;
  int line = 1;
  size_t i = 0;
  const size_t n = xml.size();
  // moves i past the next `end`, counting lines
  auto skip_past = [&](std::string_view end) {
    const size_t at = xml.find(end, i);
    const size_t stop = at == std::string::npos ? n : at + end.size();
    line += static_cast<int>(std::count(xml.begin() + i, xml.begin() + stop, '\n'));
    i = stop;
  };
  while (i < n) {
    if (xml[i] != '<') {
      if (xml[i] == '\n') ++line;
      ++i;
      continue;
    }
    if (xml.compare(i, 4, "<!--") == 0) {
      skip_past("-->");
      continue;
    }
    if (xml.compare(i, 9, "<![CDATA[") == 0) {
      skip_past("]]>");
      continue;
    }
    const char next = i + 1 < n ? xml[i + 1] : '\0';
    const bool start_tag = std::isalpha(static_cast<unsigned char>(next)) || next == '_';
    if (!start_tag) {
      // an end tag, a declaration, an unknown node: all end at the first '>'
      skip_past(">");
      if (next == '/') depth = std::max(0, depth - 1);
      continue;
    }
    char quote = 0;
    size_t j = i + 1;
    for (; j < n && (quote != 0 || xml[j] != '>'); ++j) {
      if (xml[j] == '\n') ++line;
      if (quote != 0 && xml[j] == quote) {
        quote = 0;
      } else if (quote == 0 && (xml[j] == '"' || xml[j] == '\'')) {
        quote = xml[j];
      }
    }
    const bool empty_element = j < n && xml[j - 1] == '/';
    if (!empty_element && ++depth > kMaxXmlDepth) return line;
    i = j + 1;
  }
  return 0;
}

// Collects urdfdom's console messages while it parses, so they become our error message.
class MessageCapture final : public console_bridge::OutputHandler {
 public:
  void log(const std::string& text, console_bridge::LogLevel level, const char*, int) override {
    if (level >= console_bridge::CONSOLE_BRIDGE_LOG_WARN) messages_.push_back(text);
    if (level >= console_bridge::CONSOLE_BRIDGE_LOG_ERROR) errors_ = true;
  }
  // Whether urdfdom reported an error: it sometimes goes on with a default value (a mass of
  // 0 for "nan"), so an error fails the load even when a model comes back.
  bool errors() const { return errors_; }
  std::string joined() const {
    std::string out;
    for (const std::string& m : messages_) out += (out.empty() ? "" : "; ") + m;
    return out;
  }

 private:
  std::vector<std::string> messages_;
  bool errors_ = false;
};

// urdfdom reports through console_bridge's process-wide handler: one parse at a time, with
// the previous handler put back afterwards.
urdf::ModelInterfaceSharedPtr parse_with_messages(const std::string& xml, std::string& messages) {
  static std::mutex parse_mutex;
  std::lock_guard lock(parse_mutex);
  MessageCapture capture;
  console_bridge::useOutputHandler(&capture);
  urdf::ModelInterfaceSharedPtr model;
  try {
    model = urdf::parseURDF(xml);
  } catch (const std::exception& e) {
    model.reset();
    capture.log(e.what(), console_bridge::CONSOLE_BRIDGE_LOG_ERROR, "", 0);
  }
  console_bridge::restorePreviousOutputHandler();
  messages = capture.joined();
  return capture.errors() ? nullptr : model;
}

Pose to_pose(const urdf::Pose& p) {
  return {{p.position.x, p.position.y, p.position.z},
          {p.rotation.w, p.rotation.x, p.rotation.y, p.rotation.z}};
}

Vec3 to_vec(const urdf::Vector3& v) { return {v.x, v.y, v.z}; }

btMatrix3x3 rotation_of(const Quat& q) { return btMatrix3x3(btQuaternion(q[1], q[2], q[3], q[0])); }

Quat quat_of(const btMatrix3x3& m) {
  btQuaternion q;
  m.getRotation(q);
  return {q.w(), q.x(), q.y(), q.z()};
}

// Whether `inside` lies in folder `root` (both canonical and absolute; an empty root holds
// nothing).
bool within(const std::filesystem::path& inside, const std::filesystem::path& root) {
  if (root.empty() || !root.is_absolute()) return false;
  auto [root_end, unused] = std::mismatch(root.begin(), root.end(), inside.begin(), inside.end());
  return root_end == root.end();
}

// One link's mass properties, expressed in its body's frame.
struct MassPart {
  double mass;
  btVector3 com;
  btMatrix3x3 tensor;  // about com, in body axes
};

class Builder {
 public:
  Builder(std::filesystem::path file, const UrdfOptions& options)
      : file_(std::move(file)), options_(options) {
    urdf_dir_ = canonical_folder(std::filesystem::absolute(file_).parent_path(), "its folder");
    for (const auto& root : options_.package_paths) {
      package_roots_.push_back(canonical_folder(std::filesystem::absolute(root),
                                                "package path '" + root.string() + "'"));
    }
  }

  UrdfRobot build(const urdf::ModelInterface& model);

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error("urdf '" + file_.string() + "': " + what);
  }
  std::string link_name(const urdf::Link& link) const { return "link '" + link.name + "'"; }
  // A folder meshes may come from, resolved; failing to resolve it is an error, never a
  // folder that would allow everything.
  std::filesystem::path canonical_folder(const std::filesystem::path& folder,
                                         const std::string& what) const {
    std::error_code ec;
    std::filesystem::path canonical = std::filesystem::weakly_canonical(folder, ec);
    if (ec || canonical.empty()) {
      fail("cannot resolve " + what + " ('" + folder.string() + "'): " + ec.message());
    }
    return canonical;
  }

  // A link being placed: the body it belongs to (its own, or its parent's through fixed joints).
  struct Visit {
    urdf::LinkConstSharedPtr link;
    int body;
    Pose in_body;  // the link's frame in that body's frame
    Pose world;    // the link's initial pose
  };

  // The steps of build().
  void add_ground();
  int new_body(const urdf::Link& link, const Pose& world);
  void add_links(const urdf::ModelInterface& model, UrdfRobot& robot);
  void add_shapes(const Visit& visit);
  JointDesc moving_joint(const urdf::Joint& joint) const;
  void check_masses(const UrdfRobot& robot);
  void add_actuators(const UrdfRobot& robot);
  void add_cameras(const UrdfRobot& robot);

  void check_inertial(const urdf::Link& link) const;
  Shape make_shape(const urdf::Geometry& geometry, const urdf::Pose& origin, const Pose& in_body,
                   const std::string& owner) const;
  std::filesystem::path resolve(const std::string& uri, const std::string& owner) const;
  void add_mass(int body, const urdf::Link& link, const Pose& in_body);
  void finish_mass(int body);

  std::filesystem::path file_;
  UrdfOptions options_;
  std::filesystem::path urdf_dir_;
  std::vector<std::filesystem::path> package_roots_;
  BulletScene scene_;
  std::vector<std::vector<MassPart>> mass_parts_;  // per body
};

void Builder::check_inertial(const urdf::Link& link) const {
  const urdf::Inertial& in = *link.inertial;
  const std::string owner = link_name(link);
  if (!(std::isfinite(in.mass) && in.mass > 0)) {
    fail(owner + ": <mass> is " + std::to_string(in.mass) + ", expected a finite number > 0");
  }
  const double values[] = {in.ixx, in.ixy, in.ixz, in.iyy, in.iyz, in.izz};
  for (double v : values) {
    if (!std::isfinite(v)) fail(owner + ": <inertia> has a value that is not finite");
  }
  btMatrix3x3 tensor(in.ixx, in.ixy, in.ixz, in.ixy, in.iyy, in.iyz, in.ixz, in.iyz, in.izz);
  btMatrix3x3 rotation;
  tensor.diagonalize(rotation, 1e-12, 64);
  const double m[3] = {tensor[0][0], tensor[1][1], tensor[2][2]};
  const double scale = std::max({std::abs(m[0]), std::abs(m[1]), std::abs(m[2])});
  if (!(m[0] > 0 && m[1] > 0 && m[2] > 0)) {
    fail(owner + ": <inertia> is not positive definite (principal moments " + std::to_string(m[0]) +
         ", " + std::to_string(m[1]) + ", " + std::to_string(m[2]) + ")");
  }
  for (int k = 0; k < 3; ++k) {
    if (m[k] > m[(k + 1) % 3] + m[(k + 2) % 3] + 1e-9 * scale) {
      fail(owner + ": <inertia> breaks the triangle inequality (principal moments " +
           std::to_string(m[0]) + ", " + std::to_string(m[1]) + ", " + std::to_string(m[2]) +
           "): no rigid body has it");
    }
  }
}

std::filesystem::path Builder::resolve(const std::string& uri, const std::string& owner) const {
  constexpr std::string_view kPackage = "package://";
  constexpr std::string_view kFile = "file://";
  std::error_code ec;
  std::vector<std::filesystem::path> candidates;
  if (uri.rfind(kPackage, 0) == 0) {
    const std::string rest = uri.substr(kPackage.size());
    for (const auto& root : package_roots_) candidates.push_back(root / rest);
    if (package_roots_.empty()) {
      fail(owner + ": mesh '" + uri + "' is a package:// URI but no package path was given");
    }
  } else if (uri.rfind(kFile, 0) == 0) {
    candidates.push_back(uri.substr(kFile.size()));
  } else {
    candidates.push_back(std::filesystem::path(uri).is_absolute() ? std::filesystem::path(uri)
                                                                  : urdf_dir_ / uri);
  }
  for (const auto& candidate : candidates) {
    const std::filesystem::path canonical = std::filesystem::weakly_canonical(candidate, ec);
    if (ec) fail(owner + ": cannot resolve mesh '" + uri + "': " + ec.message());
    bool allowed = within(canonical, urdf_dir_);
    for (const auto& root : package_roots_) allowed = allowed || within(canonical, root);
    if (!allowed) {
      fail(owner + ": mesh '" + uri + "' resolves to '" + canonical.string() +
           "', outside the URDF's folder '" + urdf_dir_.string() +
           "' and the package paths; it is not opened");
    }
    if (std::filesystem::is_regular_file(canonical, ec)) return canonical;
  }
  fail(owner + ": mesh '" + uri + "' does not exist" +
       (candidates.size() > 1 ? " in any package path" : " ('" + candidates[0].string() + "')"));
}

Shape Builder::make_shape(const urdf::Geometry& geometry, const urdf::Pose& origin,
                          const Pose& in_body, const std::string& owner) const {
  Shape shape;
  shape.pose = compose(in_body, to_pose(origin));
  switch (geometry.type) {
    case urdf::Geometry::SPHERE:
      shape.type = ShapeType::kSphere;
      shape.radius = static_cast<const urdf::Sphere&>(geometry).radius;
      break;
    case urdf::Geometry::BOX: {
      const urdf::Vector3& size = static_cast<const urdf::Box&>(geometry).dim;
      shape.type = ShapeType::kBox;
      shape.half_extents = {size.x / 2, size.y / 2, size.z / 2};
      break;
    }
    case urdf::Geometry::CYLINDER: {
      const auto& cylinder = static_cast<const urdf::Cylinder&>(geometry);
      shape.type = ShapeType::kCylinder;
      shape.radius = cylinder.radius;
      shape.half_length = cylinder.length / 2;
      break;
    }
    case urdf::Geometry::MESH: {
      const auto& mesh = static_cast<const urdf::Mesh&>(geometry);
      shape.type = ShapeType::kMesh;
      shape.mesh_file = resolve(mesh.filename, owner);
      shape.mesh_scale = to_vec(mesh.scale);
      try {
        shape.vertices = read_mesh_vertices(shape.mesh_file, shape.mesh_scale);
      } catch (const Error& e) {
        fail(owner + ": " + e.what());
      }
      break;
    }
  }
  auto positive = [&](double x, const char* what) {
    if (!(std::isfinite(x) && x > 0)) {
      fail(owner + ": " + what + " is " + std::to_string(x) + ", expected > 0");
    }
  };
  if (shape.type == ShapeType::kSphere || shape.type == ShapeType::kCylinder) {
    positive(shape.radius, "the radius");
  }
  if (shape.type == ShapeType::kCylinder) positive(shape.half_length, "the length");
  if (shape.type == ShapeType::kBox) {
    for (double h : shape.half_extents) positive(2 * h, "a box size");
  }
  return shape;
}

void Builder::add_mass(int body, const urdf::Link& link, const Pose& in_body) {
  if (!link.inertial) return;
  check_inertial(link);
  const urdf::Inertial& in = *link.inertial;
  const Pose frame = compose(in_body, to_pose(in.origin));
  const btMatrix3x3 r = rotation_of(frame.quat);
  const btMatrix3x3 local(in.ixx, in.ixy, in.ixz, in.ixy, in.iyy, in.iyz, in.ixz, in.iyz, in.izz);
  mass_parts_[body].push_back(
      {in.mass, btVector3(frame.pos[0], frame.pos[1], frame.pos[2]), r * local * r.transpose()});
}

// Combines a body's parts (parallel axes) and puts its principal frame in the scene.
void Builder::finish_mass(int body) {
  BodyDesc& desc = scene_.bodies[body];
  const auto& parts = mass_parts_[body];
  if (parts.empty()) return;
  double mass = 0;
  btVector3 com(0, 0, 0);
  for (const MassPart& p : parts) {
    mass += p.mass;
    com += p.com * p.mass;
  }
  com /= mass;
  btMatrix3x3 tensor(0, 0, 0, 0, 0, 0, 0, 0, 0);
  for (const MassPart& p : parts) {
    const btVector3 d = p.com - com;
    const btMatrix3x3 shift(d.dot(d) - d.x() * d.x(), -d.x() * d.y(), -d.x() * d.z(),
                            -d.y() * d.x(), d.dot(d) - d.y() * d.y(), -d.y() * d.z(),
                            -d.z() * d.x(), -d.z() * d.y(), d.dot(d) - d.z() * d.z());
    tensor += p.tensor + shift.scaled(btVector3(p.mass, p.mass, p.mass));
  }
  btMatrix3x3 rotation;
  tensor.diagonalize(rotation, 1e-12, 64);
  desc.mass = mass;
  desc.inertia = {tensor[0][0], tensor[1][1], tensor[2][2]};
  desc.inertial = {{com.x(), com.y(), com.z()}, quat_of(rotation)};
}

UrdfRobot Builder::build(const urdf::ModelInterface& model) {
  scene_.name = file_.string();
  scene_.timestep = options_.timestep;
  if (options_.ground) add_ground();
  UrdfRobot robot;
  robot.name = model.getName();
  add_links(model, robot);
  check_masses(robot);
  add_actuators(robot);
  add_cameras(robot);
  robot.scene = std::make_shared<const BulletScene>(std::move(scene_));
  return robot;
}

void Builder::add_ground() {
  BodyDesc ground;
  ground.name = "ground";
  Shape plane;
  plane.type = ShapeType::kPlane;
  ground.collision.push_back(plane);
  scene_.bodies.push_back(ground);
  mass_parts_.emplace_back();
}

int Builder::new_body(const urdf::Link& link, const Pose& world) {
  BodyDesc body;
  body.name = link.name;
  body.pose = world;
  scene_.bodies.push_back(std::move(body));
  mass_parts_.emplace_back();
  return static_cast<int>(scene_.bodies.size()) - 1;
}

void Builder::add_links(const urdf::ModelInterface& model, UrdfRobot& robot) {
  // depth first from the root, without recursion (chains may be deep)
  const urdf::LinkConstSharedPtr root = model.getRoot();
  if (!root) fail("it has no root link");
  std::vector<Visit> stack;
  robot.base_body = new_body(*root, options_.base_pose);
  stack.push_back({root, robot.base_body, {}, options_.base_pose});
  while (!stack.empty()) {
    const Visit visit = stack.back();
    stack.pop_back();
    add_shapes(visit);
    for (const auto& joint : visit.link->child_joints) {
      const std::string joint_owner = "joint '" + joint->name + "'";
      const urdf::LinkConstSharedPtr child = model.getLink(joint->child_link_name);
      if (!child) fail(joint_owner + ": no child link '" + joint->child_link_name + "'");
      const Pose origin = to_pose(joint->parent_to_joint_origin_transform);
      const Pose child_world = compose(visit.world, origin);
      if (joint->type == urdf::Joint::FIXED) {  // the child is part of this body
        stack.push_back({child, visit.body, compose(visit.in_body, origin), child_world});
        continue;
      }
      JointDesc desc = moving_joint(*joint);
      desc.parent = visit.body;
      desc.frame = compose(visit.in_body, origin);
      desc.child = new_body(*child, child_world);
      scene_.joints.push_back(desc);
      robot.moving_joints.push_back(static_cast<int>(scene_.joints.size()) - 1);
      robot.moving_joint_names.push_back(joint->name);
      stack.push_back({child, desc.child, {}, child_world});
    }
  }
}

void Builder::add_shapes(const Visit& visit) {
  const urdf::Link& link = *visit.link;
  const std::string owner = link_name(link);
  // (no reference into scene_.bodies is kept: adding a child's body moves them)
  for (const auto& collision : link.collision_array) {
    if (!collision->geometry) fail(owner + ": a <collision> without geometry");
    scene_.bodies[visit.body].collision.push_back(
        make_shape(*collision->geometry, collision->origin, visit.in_body, owner));
  }
  for (const auto& visual : link.visual_array) {
    if (!visual->geometry) fail(owner + ": a <visual> without geometry");
    Shape shape = make_shape(*visual->geometry, visual->origin, visit.in_body, owner);
    if (visual->material) {
      const urdf::Color& c = visual->material->color;
      shape.rgba = {c.r, c.g, c.b, c.a};
    }
    scene_.bodies[visit.body].visual.push_back(std::move(shape));
  }
  add_mass(visit.body, link, visit.in_body);
}

JointDesc Builder::moving_joint(const urdf::Joint& joint) const {
  const std::string owner = "joint '" + joint.name + "'";
  JointDesc desc;
  desc.name = joint.name;
  switch (joint.type) {
    case urdf::Joint::REVOLUTE:
      desc.type = JointType::kRevolute;
      break;
    case urdf::Joint::CONTINUOUS:
      desc.type = JointType::kContinuous;
      break;
    case urdf::Joint::PRISMATIC:
      desc.type = JointType::kPrismatic;
      break;
    default:
      fail(owner + ": type " +
           (joint.type == urdf::Joint::FLOATING ? std::string("floating")
            : joint.type == urdf::Joint::PLANAR ? std::string("planar")
                                                : std::string("unknown")) +
           " is not supported; expected revolute, continuous, prismatic or fixed");
  }
  desc.axis = to_vec(joint.axis);
  const double norm = std::hypot(desc.axis[0], desc.axis[1], desc.axis[2]);
  if (!(std::isfinite(norm) && norm > 1e-9)) fail(owner + ": <axis> is zero or not finite");
  for (double& a : desc.axis) a /= norm;
  if (!joint.limits) {
    if (desc.type != JointType::kContinuous) {
      fail(owner + ": a revolute or prismatic joint needs <limit>");
    }
    return desc;
  }
  const urdf::JointLimits& l = *joint.limits;
  if (!std::isfinite(l.effort) || l.effort < 0 || !std::isfinite(l.velocity) || l.velocity < 0) {
    fail(owner + ": <limit> effort and velocity must be finite and >= 0");
  }
  desc.effort = l.effort;
  desc.velocity = l.velocity;
  if (desc.type == JointType::kContinuous) return desc;
  if (!std::isfinite(l.lower) || !std::isfinite(l.upper) || l.lower > l.upper) {
    fail(owner + ": <limit> lower " + std::to_string(l.lower) + " and upper " +
         std::to_string(l.upper) + " are not a finite range");
  }
  desc.lower = l.lower;
  desc.upper = l.upper;
  // a Bullet hinge measures its angle in [-pi, pi]: wider revolute limits (a UR5's +-2 pi) are
  // narrowed to that
  if (desc.type == JointType::kRevolute) {
    desc.lower = std::max(desc.lower, -std::numbers::pi);
    desc.upper = std::min(desc.upper, std::numbers::pi);
    if (desc.lower > desc.upper) {
      fail(owner + ": <limit> lies outside [-pi, pi], where Bullet measures angles");
    }
  }
  return desc;
}

void Builder::check_masses(const UrdfRobot& robot) {
  for (size_t b = 0; b < scene_.bodies.size(); ++b) {
    finish_mass(static_cast<int>(b));
    const BodyDesc& body = scene_.bodies[b];
    const bool is_ground = options_.ground && b == 0;
    const bool static_base = options_.fixed_base && static_cast<int>(b) == robot.base_body;
    if (static_base) scene_.bodies[b].mass = 0;
    if (!is_ground && !static_base && body.mass <= 0) {
      fail("link '" + body.name + "' has no <inertial>, but it moves" +
           (static_cast<int>(b) == robot.base_body ? " (a floating base; use fixed_base)" : "") +
           ": a moving link needs a mass and inertia");
    }
  }
}

void Builder::add_actuators(const UrdfRobot& robot) {
  for (int j : robot.moving_joints) {
    const JointDesc& joint = scene_.joints[j];
    if (joint.effort <= 0) continue;  // a passive joint
    const bool limited = joint.type != JointType::kContinuous;
    scene_.actuators.push_back({.name = joint.name,
                                .type = ActuatorType::kJointPosition,
                                .index = j,
                                .gain = options_.position_gain,
                                .low = limited ? joint.lower : -std::numbers::pi,
                                .high = limited ? joint.upper : std::numbers::pi});
  }
}

void Builder::add_cameras(const UrdfRobot& robot) {
  // a fixed view of the whole robot and one that follows its base
  double reach = 0.5;
  for (size_t b = options_.ground ? 1 : 0; b < scene_.bodies.size(); ++b) {
    const BodyDesc& body = scene_.bodies[b];
    const Vec3 d{body.pose.pos[0] - options_.base_pose.pos[0],
                 body.pose.pos[1] - options_.base_pose.pos[1],
                 body.pose.pos[2] - options_.base_pose.pos[2]};
    reach = std::max(reach, 1.5 * std::hypot(d[0], d[1], d[2]) + 0.3);
  }
  const Vec3 base = options_.base_pose.pos;
  const Vec3 eye{base[0] + 1.4 * reach, base[1] - 1.4 * reach, base[2] + reach};
  scene_.cameras.push_back(
      {.name = "side", .pos = eye, .look_at = {base[0], base[1], base[2] + 0.3 * reach}});
  scene_.cameras.push_back(
      {.name = "track", .pos = eye, .look_at = base, .track_body = robot.base_body});
}

}  // namespace

UrdfRobot load_urdf(const std::filesystem::path& file, const UrdfOptions& options) {
  auto fail = [&](const std::string& what) -> void {
    throw Error("urdf '" + file.string() + "': " + what);
  };
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    fail(std::filesystem::exists(file, ec) ? "not a regular file" : "no such file");
  }
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec || size > kMaxUrdfBytes) fail("larger than 64 MiB, or its size cannot be read");
  std::ifstream in(file, std::ios::binary);
  std::string xml(size, '\0');
  in.read(xml.data(), static_cast<std::streamsize>(size));
  if (!in) fail("cannot be read");

  if (const int line = too_deep_at(xml); line > 0) {
    fail("line " + std::to_string(line) + ": elements are nested more than " +
         std::to_string(kMaxXmlDepth) + " deep");
  }
  std::string messages;
  const urdf::ModelInterfaceSharedPtr model = parse_with_messages(xml, messages);
  if (!model) {
    fail("urdfdom cannot parse it: " +
         (messages.empty() ? std::string("no reason given") : messages));
  }
  return Builder(file, options).build(*model);
}

}  // namespace uw::sim
