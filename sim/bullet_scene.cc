#include "sim/bullet_scene.h"

#include <cmath>

#include "core/error.h"

namespace uw::sim {
namespace {

Quat multiply(const Quat& a, const Quat& b) {
  return {a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3],
          a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2],
          a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1],
          a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0]};
}

Vec3 rotate(const Quat& q, const Vec3& v) {
  const Quat p = multiply(multiply(q, {0, v[0], v[1], v[2]}), {q[0], -q[1], -q[2], -q[3]});
  return {p[1], p[2], p[3]};
}

}  // namespace

Pose compose(const Pose& a, const Pose& b) {
  const Vec3 moved = rotate(a.quat, b.pos);
  return {{a.pos[0] + moved[0], a.pos[1] + moved[1], a.pos[2] + moved[2]},
          multiply(a.quat, b.quat)};
}

Pose inverse(const Pose& pose) {
  const Quat conjugate{pose.quat[0], -pose.quat[1], -pose.quat[2], -pose.quat[3]};
  const Vec3 back = rotate(conjugate, pose.pos);
  return {{-back[0], -back[1], -back[2]}, conjugate};
}

int BulletScene::body(const std::string& body_name) const {
  for (size_t i = 0; i < bodies.size(); ++i) {
    if (bodies[i].name == body_name) return static_cast<int>(i);
  }
  throw Error("scene '" + name + "' has no body named '" + body_name + "'");
}

}  // namespace uw::sim
