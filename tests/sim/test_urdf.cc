#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "core/error.h"
#include "core/random.h"
#include "sim/bullet_world.h"
#include "sim/renderer.h"
#include "sim/urdf_loader.h"
#include "tests/test_util.h"

using Catch::Matchers::Contains;
using uw::sim::load_urdf;
using uw::sim::UrdfOptions;
using uw::test::TempDir;
namespace fs = std::filesystem;

namespace {

const fs::path kCorpus = fs::path(UMWELT_TEST_DATA) / "urdf";
const fs::path kAssets = fs::path(UMWELT_ASSET_DIR) / "urdf";

void write(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
}

std::string error_of(const fs::path& file, const UrdfOptions& options = {}) {
  try {
    load_urdf(file, options);
  } catch (const uw::Error& e) {
    return e.what();
  }
  return "(loaded without an error)";
}

const char* kLink =
    "<link name=\"%s\"><inertial><mass value=\"1\"/><inertia ixx=\"0.01\" ixy=\"0\" ixz=\"0\" "
    "iyy=\"0.01\" iyz=\"0\" izz=\"0.01\"/></inertial><collision><geometry><box size=\"0.1 0.1 "
    "0.1\"/></geometry></collision></link>\n";

std::string link(const std::string& name) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, kLink, name.c_str());
  return buffer;
}

}  // namespace

TEST_CASE("urdf: every file of the broken corpus is a clear error") {
  // file, then what the message must say besides the file's name
  const std::vector<std::pair<std::string, std::vector<std::string>>> corpus = {
      {"missing_inertial.urdf", {"link 'arm'", "no <inertial>"}},
      {"unknown_joint_type.urdf", {"twist", "no known type [weird]"}},
      {"dangling_parent.urdf", {"nowhere", "elbow", "not found"}},
      {"cycle.urdf", {"No root link"}},
      {"two_roots.urdf", {"Two root links", "base", "other"}},
      {"missing_mesh.urdf", {"link 'base'", "meshes/nothing.stl", "does not exist"}},
      {"nan_mass.urdf", {"mass [nan]", "Link [base]"}},
      {"negative_mass.urdf", {"link 'base'", "<mass> is -2", "expected a finite number > 0"}},
      {"non_positive_inertia.urdf", {"link 'base'", "not positive definite"}},
      {"triangle_inequality.urdf", {"link 'base'", "triangle inequality"}},
      {"escape_root.urdf", {"link 'base'", "../outside.obj", "outside the URDF's folder"}},
      {"absolute_escape.urdf", {"link 'base'", "/etc/passwd.stl", "not opened"}},
      {"bad_xyz.urdf", {"2 elements but 3 expected", "[1 2]", "Link [base]"}},
      {"planar_joint.urdf", {"joint 'slide'", "planar is not supported"}},
      {"corrupt_mesh.urdf", {"link 'base'", "corrupt.stl", "neither a binary STL"}},
      {"flat_mesh.urdf", {"link 'base'", "flat.obj", "span no volume"}},
      {"unknown_package.urdf", {"link 'base'", "package://robot_meshes", "no package path"}},
      {"no_limit.urdf", {"elbow", "does not specify limits"}},
      {"zero_axis.urdf", {"joint 'elbow'", "<axis> is zero"}},
      {"negative_radius.urdf", {"link 'base'", "radius is -0.1"}},
      {"floating_massless_base.urdf", {"link 'base'", "no <inertial>", "fixed_base"}},
      {"empty.urdf", {"document empty"}},
      {"unclosed.urdf", {"urdfdom cannot parse it"}},
  };
  for (const auto& [file, fragments] : corpus) {
    INFO(file);
    const std::string message = error_of(kCorpus / file);
    CHECK_THAT(message, Contains(file));
    for (const std::string& fragment : fragments) CHECK_THAT(message, Contains(fragment));
  }
  // every file of the corpus is in the table
  int files = 0;
  for (const auto& entry : fs::directory_iterator(kCorpus))
    files += entry.path().extension() == ".urdf";
  CHECK(files == static_cast<int>(corpus.size()));
}

TEST_CASE("urdf: 10 MB of garbage, deep XML nesting and a missing file are errors") {
  TempDir dir("hostile");
  uw::Rng rng(5);
  std::string garbage(10 << 20, '\0');
  for (char& c : garbage) c = static_cast<char>(rng.uniform_int(256));
  write(dir.path / "garbage.urdf", garbage);
  CHECK_THAT(error_of(dir.path / "garbage.urdf"), Contains("garbage.urdf"));
  // the same without '<', so that it reaches urdfdom's parser rather than the depth check
  std::replace(garbage.begin(), garbage.end(), '<', ' ');
  write(dir.path / "tagless.urdf", garbage);
  CHECK_THAT(error_of(dir.path / "tagless.urdf"), Contains("tagless.urdf") && Contains("urdfdom"));

  std::string nested = "<robot name=\"deep\">";
  for (int i = 0; i < 100000; ++i) nested += "<a>";
  for (int i = 0; i < 100000; ++i) nested += "</a>";
  write(dir.path / "nested.urdf", nested + "</robot>");
  CHECK_THAT(error_of(dir.path / "nested.urdf"),
             Contains("nested.urdf") && Contains("nested more than 256"));

  // tricks that once hid nesting from the depth check: a quote inside a <!...> node (TinyXML
  // ends it at the first '>'), and stray end tags before the nest
  std::string quoted = "<robot name=\"deep\"><!x '>";
  for (int i = 0; i < 100000; ++i) quoted += "<a>";
  write(dir.path / "quoted.urdf", quoted + "'></robot>");
  CHECK_THAT(error_of(dir.path / "quoted.urdf"), Contains("nested more than 256"));
  std::string closers = "<robot name=\"deep\">";
  for (int i = 0; i < 100000; ++i) closers += "</a>";
  for (int i = 0; i < 100000; ++i) closers += "<a>";
  write(dir.path / "closers.urdf", closers + "</robot>");
  CHECK_THAT(error_of(dir.path / "closers.urdf"), Contains("nested more than 256"));

  CHECK_THAT(error_of(dir.path / "absent.urdf"),
             Contains("absent.urdf") && Contains("no such file"));
  CHECK_THAT(error_of(dir.path), Contains("not a regular file"));
}

TEST_CASE("urdf: a chain thousands of links deep loads without recursion") {
  TempDir dir("chain");
  auto name = [](const char* prefix, int i) {
    std::string s = prefix;
    s += std::to_string(i);
    return s;
  };
  std::string xml = "<robot name=\"chain\">" + link("link0");
  const int depth = 3000;
  for (int i = 1; i <= depth; ++i) {
    xml += link(name("link", i));
    xml += "<joint name=\"" + name("joint", i) + "\" type=\"continuous\"><parent link=\"" +
           name("link", i - 1) + "\"/><child link=\"" + name("link", i) +
           "\"/><origin xyz=\"0 0 0.1\"/></joint>";
  }
  write(dir.path / "chain.urdf", xml + "</robot>");
  const uw::sim::UrdfRobot robot = load_urdf(dir.path / "chain.urdf");
  CHECK(robot.moving_joints.size() == depth);
  CHECK(robot.scene->bodies.size() == depth + 2);  // the links and the ground
  CHECK(robot.scene->actuators.empty());           // no <limit>, so no effort: passive joints
}

TEST_CASE("urdf: the arm merges fixed links and finds its meshes") {
  const uw::sim::UrdfRobot robot = load_urdf(kAssets / "arm.urdf");
  const uw::sim::BulletScene& scene = *robot.scene;
  REQUIRE(scene.bodies.size() == 4);  // ground, base, upper arm, forearm with hand and finger
  CHECK(robot.moving_joint_names == std::vector<std::string>{"shoulder", "elbow"});
  const uw::sim::BodyDesc& forearm = scene.bodies[3];
  CHECK(forearm.name == "forearm");
  CHECK(forearm.collision.size() == 3);
  CHECK(forearm.collision[1].type == uw::sim::ShapeType::kMesh);
  CHECK(forearm.collision[1].vertices.size() == 8);  // palm.obj
  CHECK(forearm.collision[2].vertices.size() == 8);  // finger.stl, duplicates removed
  CHECK(forearm.mass == Approx(0.85));
  // centre of mass along the forearm: 0.6 kg at 0.15, 0.2 kg at 0.32, 0.05 kg at 0.37
  CHECK(forearm.inertial.pos[2] == Approx((0.6 * 0.15 + 0.2 * 0.32 + 0.05 * 0.37) / 0.85));
  CHECK(forearm.visual[0].rgba[2] == Approx(0.85f));  // the "blue" material
  REQUIRE(scene.actuators.size() == 2);
  CHECK(scene.actuators[0].low == -2.5);
  CHECK(scene.actuators[1].high == 2.0);
}

TEST_CASE("urdf: revolute limits beyond +-pi are narrowed to it; a fixed base keeps a camera") {
  TempDir dir("wide");
  write(dir.path / "wide.urdf",
        "<robot name=\"wide\">" + link("base") + link("arm") +
            "<joint name=\"turn\" type=\"revolute\"><parent link=\"base\"/><child "
            "link=\"arm\"/><axis xyz=\"0 0 1\"/><limit lower=\"-6.28\" upper=\"6.28\" "
            "effort=\"5\" velocity=\"2\"/></joint></robot>");
  UrdfOptions fixed;
  fixed.fixed_base = true;
  const uw::sim::UrdfRobot robot = load_urdf(dir.path / "wide.urdf", fixed);
  REQUIRE(robot.scene->actuators.size() == 1);
  CHECK(robot.scene->actuators[0].low == Approx(-std::numbers::pi));
  CHECK(robot.scene->actuators[0].high == Approx(std::numbers::pi));
  // the tracking camera of a welded base is a fixed one
  uw::sim::BulletWorld world(robot.scene);
  CHECK(uw::sim::camera_names(world.draw()) == std::vector<std::string>{"side", "track"});
}

TEST_CASE("urdf: position motors drive the arm and the cart to their targets") {
  UrdfOptions fixed;
  fixed.fixed_base = true;
  uw::sim::BulletWorld arm(load_urdf(kAssets / "arm.urdf", fixed).scene);
  const std::vector<double> targets = {0.8, -0.6};
  arm.set_control(targets);
  arm.step(1500);  // 3 s
  CHECK(arm.joint_position(0) == Approx(0.8).margin(0.03));
  CHECK(arm.joint_position(1) == Approx(-0.6).margin(0.03));
  CHECK(arm.health().ok);

  const uw::sim::UrdfRobot cartpole = load_urdf(kAssets / "cartpole.urdf");
  REQUIRE(cartpole.scene->actuators.size() == 1);  // the pole's hinge has no motor
  uw::sim::BulletWorld world(cartpole.scene);
  const std::vector<double> cart = {0.5};
  world.set_control(cart);
  world.step(1500);
  CHECK(world.joint_position(cartpole.moving_joints[0]) == Approx(0.5).margin(0.03));
}

TEST_CASE("urdf: package:// URIs resolve in the package paths, and never out of them") {
  TempDir dir("packages");
  fs::create_directories(dir.path / "robots");
  fs::create_directories(dir.path / "share" / "my_robot" / "meshes");
  fs::copy_file(kAssets / "meshes" / "palm.obj",
                dir.path / "share" / "my_robot" / "meshes" / "palm.obj");
  const std::string body =
      "<inertial><mass value=\"1\"/><inertia ixx=\"0.01\" ixy=\"0\" ixz=\"0\" iyy=\"0.01\" "
      "iyz=\"0\" izz=\"0.01\"/></inertial>";
  write(dir.path / "robots" / "hand.urdf",
        "<robot name=\"hand\"><link name=\"palm\">" + body +
            "<collision><geometry><mesh filename=\"package://my_robot/meshes/palm.obj\"/>"
            "</geometry></collision></link></robot>");
  UrdfOptions options;
  options.package_paths = {dir.path / "elsewhere", dir.path / "share"};
  CHECK(load_urdf(dir.path / "robots" / "hand.urdf", options).scene->bodies[1].collision.size() ==
        1);

  // a link inside the package that points out of it is refused
  fs::create_directory_symlink(kCorpus.parent_path(), dir.path / "share" / "my_robot" / "escape");
  write(dir.path / "robots" / "sly.urdf",
        "<robot name=\"sly\"><link name=\"palm\">" + body +
            "<collision><geometry><mesh filename=\"package://my_robot/escape/outside.obj\"/>"
            "</geometry></collision></link></robot>");
  CHECK_THAT(error_of(dir.path / "robots" / "sly.urdf", options), Contains("not opened"));
  CHECK_THAT(error_of(dir.path / "robots" / "hand.urdf"), Contains("no package path"));
}
