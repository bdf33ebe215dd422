#include "sim/bullet_twin.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/error.h"
#include "core/markup.h"
#include "sim/renderer.h"

namespace uw::sim {
namespace {

// Full precision, so a twin body sits exactly where its Bullet body is.
std::string num(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

std::string vec(const Vec3& v) { return num(v[0]) + " " + num(v[1]) + " " + num(v[2]); }
std::string quat(const Quat& q) { return num(q[0]) + " " + vec({q[1], q[2], q[3]}); }

Vec3 rotate(const Quat& q, const Vec3& v) { return compose({{0, 0, 0}, q}, {v, {1, 0, 0, 0}}).pos; }

Vec3 normalized(const Vec3& v) {
  const double n = std::hypot(v[0], v[1], v[2]);
  return n > 0 ? Vec3{v[0] / n, v[1] / n, v[2] / n} : Vec3{0, 0, 0};
}

Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

// The geom element of a shape at `pose` (in its MuJoCo body's frame).
std::string geom_xml(const Shape& shape, const Pose& pose, int mesh_index, int group = 0) {
  std::ostringstream out;
  out << "<geom group=\"" << group << "\" contype=\"0\" conaffinity=\"0\" pos=\"" << vec(pose.pos)
      << "\" quat=\"" << quat(pose.quat) << "\" rgba=\"" << shape.rgba[0] << ' ' << shape.rgba[1]
      << ' ' << shape.rgba[2] << ' ' << shape.rgba[3] << '"';
  switch (shape.type) {
    case ShapeType::kBox:
      out << " type=\"box\" size=\"" << vec(shape.half_extents) << '"';
      break;
    case ShapeType::kSphere:
      out << " type=\"sphere\" size=\"" << num(shape.radius) << '"';
      break;
    case ShapeType::kCylinder:
      out << " type=\"cylinder\" size=\"" << num(shape.radius) << ' ' << num(shape.half_length)
          << '"';
      break;
    case ShapeType::kCapsule:
      out << " type=\"capsule\" size=\"" << num(shape.radius) << ' ' << num(shape.half_length)
          << '"';
      break;
    case ShapeType::kPlane:
      // MuJoCo draws a plane as squares of size[2]: a few large ones are fast on a software
      // rasteriser (0.05 made 100,000 of them and pictures 5 times slower)
      out << " type=\"plane\" size=\"8 8 0.5\" material=\"floor\"";
      break;
    case ShapeType::kMesh:
      out << " type=\"mesh\" mesh=\"mesh" << mesh_index << '"';
      break;
  }
  out << "/>\n";
  return out.str();
}

}  // namespace

std::string bullet_twin_xml(const BulletScene& scene) {
  std::ostringstream assets;
  std::ostringstream world;
  int meshes = 0;
  auto add_geoms = [&](const BodyDesc& body, const Pose& frame) {
    const std::vector<Shape>& shapes = body.visual.empty() ? body.collision : body.visual;
    for (const Shape& shape : shapes) {
      if (shape.type == ShapeType::kMesh) {
        // the vertices alone: MuJoCo draws their convex hull, which is what Bullet collides with
        assets << "<mesh name=\"mesh" << meshes << "\" vertex=\"";
        for (const Vec3& v : shape.vertices) assets << vec(v) << ' ';
        assets << "\"/>\n";
      }
      world << geom_xml(shape, compose(frame, shape.pose), meshes);
      if (shape.type == ShapeType::kMesh) ++meshes;
    }
  };
  auto camera_xml = [](const CameraDesc& camera, const Pose& frame, const char* mode) {
    // MuJoCo cameras look along their -z axis with +y up in the image
    const Vec3 forward =
        normalized({camera.look_at[0] - camera.pos[0], camera.look_at[1] - camera.pos[1],
                    camera.look_at[2] - camera.pos[2]});
    Vec3 right = normalized(cross(forward, {0, 0, 1}));
    if (right == Vec3{0, 0, 0}) right = {1, 0, 0};
    const Vec3 up = cross(right, forward);
    const Pose inverse_frame = inverse(frame);
    return "<camera name=\"" + escape_markup(camera.name) + "\" mode=\"" + mode + "\" pos=\"" +
           vec(compose(inverse_frame, {camera.pos, {1, 0, 0, 0}}).pos) + "\" xyaxes=\"" +
           vec(rotate(inverse_frame.quat, right)) + " " + vec(rotate(inverse_frame.quat, up)) +
           "\"/>\n";
  };

  // a camera that tracks a static body stays where it is
  auto tracks_moving_body = [&](const CameraDesc& camera) {
    return camera.track_body >= 0 && scene.bodies[camera.track_body].mass > 0;
  };
  for (const CameraDesc& camera : scene.cameras) {
    if (!tracks_moving_body(camera)) world << camera_xml(camera, {}, "fixed");
  }
  for (size_t i = 0; i < scene.bodies.size(); ++i) {
    const BodyDesc& body = scene.bodies[i];
    if (body.mass > 0) {
      world << "<body name=\"body" << i << "\" mocap=\"true\" pos=\"" << vec(body.pose.pos)
            << "\" quat=\"" << quat(body.pose.quat) << "\">\n";
      add_geoms(body, {});
      for (const CameraDesc& camera : scene.cameras) {
        if (camera.track_body == static_cast<int>(i))
          world << camera_xml(camera, body.pose, "track");
      }
      world << "</body>\n";
    } else {
      add_geoms(body, body.pose);
    }
  }
  for (size_t i = 0; i < scene.markers.size(); ++i) {
    const MarkerDesc& marker = scene.markers[i];
    world << "<body name=\"marker" << i << "\" mocap=\"true\" pos=\"" << vec(marker.pose.pos)
          << "\" quat=\"" << quat(marker.pose.quat) << "\">\n"
          << geom_xml(marker.shape, marker.shape.pose, -1, kMarkerGeomGroup) << "</body>\n";
  }
  std::ostringstream xml;
  xml << "<mujoco model=\"" << escape_markup(scene.name) << "\">\n"
      << "<visual><headlight ambient=\"0.25 0.25 0.25\" diffuse=\"0.35 0.35 0.35\" specular=\"0.1 "
         "0.1 0.1\"/></visual>\n"
      << "<asset>\n"
      << "<texture name=\"floor\" type=\"2d\" builtin=\"checker\" rgb1=\"0.25 0.3 0.35\" "
         "rgb2=\"0.18 0.22 0.26\" width=\"256\" height=\"256\"/>\n"
      << "<material name=\"floor\" texture=\"floor\" texrepeat=\"4 4\" texuniform=\"true\" "
         "reflectance=\"0.1\"/>\n"
      << "<texture type=\"skybox\" builtin=\"gradient\" rgb1=\"0.5 0.65 0.8\" rgb2=\"0.1 0.1 "
         "0.15\" width=\"256\" height=\"256\"/>\n"
      << assets.str() << "</asset>\n"
      << "<worldbody>\n"
      << "<light pos=\"0 0 5\" dir=\"0 0 -1\" directional=\"true\" diffuse=\"0.6 0.6 0.6\"/>\n"
      << world.str() << "</worldbody>\n</mujoco>\n";
  return xml.str();
}

BulletTwin::BulletTwin(const BulletScene& scene)
    : model_(MujocoModel::from_xml(bullet_twin_xml(scene), scene.name + " (drawing twin)")),
      data_(mj_makeData(model_->get())) {
  const mjModel* m = model_->get();
  for (size_t i = 0; i < scene.bodies.size(); ++i) {
    if (scene.bodies[i].mass > 0) {
      const std::string name = "body" + std::to_string(i);
      mocap_of_body_.push_back(m->body_mocapid[model_->require_id(mjOBJ_BODY, name.c_str())]);
    } else {
      mocap_of_body_.push_back(-1);
    }
  }
  for (size_t i = 0; i < scene.markers.size(); ++i) {
    const std::string name = "marker" + std::to_string(i);
    mocap_of_marker_.push_back(m->body_mocapid[model_->require_id(mjOBJ_BODY, name.c_str())]);
  }
}

BulletTwin::~BulletTwin() = default;

DrawView BulletTwin::update(std::span<const Pose> poses, std::span<const Pose> markers) {
  UW_CHECK(poses.size() == mocap_of_body_.size() && markers.size() == mocap_of_marker_.size(),
           "one pose per scene body and marker");
  mjData* d = data_.get();
  auto place = [d](int mocap, const Pose& pose) {
    std::copy(pose.pos.begin(), pose.pos.end(), d->mocap_pos + 3 * mocap);
    std::copy(pose.quat.begin(), pose.quat.end(), d->mocap_quat + 4 * mocap);
  };
  for (size_t i = 0; i < poses.size(); ++i) {
    if (mocap_of_body_[i] >= 0) place(mocap_of_body_[i], poses[i]);
  }
  for (size_t i = 0; i < markers.size(); ++i) place(mocap_of_marker_[i], markers[i]);
  mj_forward(model_->get(), d);
  return {model_->get(), d};
}

}  // namespace uw::sim
