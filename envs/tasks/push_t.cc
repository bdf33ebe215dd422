// push-t: the disc of pusher-push pushes a T-shaped block to a goal pose, position and angle
// (Diffusion Policy's Push-T, on which DINO-WM, PLDM and LeWM report). The task and its
// scripted controller, in one file.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "core/error.h"
#include "envs/mujoco_env.h"
#include "envs/registry.h"
#include "envs/tasks/controllers.h"

namespace uw::envs {
namespace {

constexpr double kPi = std::numbers::pi;

double wrap_angle(double a) { return std::remainder(a, 2 * kPi); }

// The T of push_t.xml in its own frame: origin at the centre of mass, the bar along x on top,
// the stem pointing to -y. Each part is a box (centre y, half sizes).
struct Box {
  double cy, hx, hy;
};
constexpr Box kBar{0.042857, 0.1, 0.025};
constexpr Box kStem{-0.057143, 0.025, 0.075};
constexpr Box kParts[] = {kBar, kStem};
constexpr double kDiscRadius = 0.04;
// The T's keypoints for the planning cost: the bar's two ends and the stem's foot.
constexpr Point2 kKeypoints[] = {{-kBar.hx, kBar.cy}, {kBar.hx, kBar.cy}, {0, kStem.cy - kStem.hy}};
// The planning cost draws the disc to within this of the T's centre, where it touches the T's
// middle (against the stem's side it is 0.087 m away) and its pushes move it.
constexpr double kContact = 0.1;

// Observation: disc (x, y, vx, vy), T (x, y, cos yaw, sin yaw, vx, vy, yaw rate). Goal: the T's
// pose (x, y, yaw). Success: within 2 cm and 10 degrees. Reward: minus the pose error (yaw
// weighted 0.115 m per radian, so that both tolerances count alike), minus a tenth of the
// disc's distance to the T.
class PushT final : public MujocoEnv {
 public:
  // the observation's fields
  static constexpr int kDisc = 0;
  static constexpr int kDiscVelocity = 2;
  static constexpr int kT = 4;
  static constexpr int kTHeading = 6;  // cos, sin of the yaw
  static constexpr int kTVelocity = 8;
  static constexpr int kTSpin = 10;
  static constexpr int kObsSize = 11;
  static constexpr double kPositionTolerance = 0.02;
  static constexpr double kYawTolerance = 10.0 * kPi / 180.0;
  static constexpr double kMetresPerRadian = 0.115;  // 2 cm for 10 degrees

  PushT(std::shared_ptr<const sim::MujocoModel> model, const std::string& id,
        const Options& options)
      : MujocoEnv(model,
                  task_spec(id, options, Space::box({kObsSize}, -INFINITY, INFINITY),
                            Space::box({3}, {-0.55f, -0.55f, -3.1416f}, {0.55f, 0.55f, 3.1416f}))) {
    const mjModel* m = model->get();
    for (const char* joint : {"pusher_x", "pusher_y", "t_x", "t_y", "t_yaw"}) {
      const int j = model->require_id(mjOBJ_JOINT, joint);
      qpos_.push_back(m->jnt_qposadr[j]);
      dof_.push_back(m->jnt_dofadr[j]);
    }
    goal_mocap_ = m->body_mocapid[model->require_id(mjOBJ_BODY, "goal")];
    const std::string& goals = options.get_string("goal");
    if (goals != "board" && goals != "near") {
      throw Error("option 'goal' of env '" + id + "': expected board or near, got '" + goals + "'");
    }
    near_goal_ = goals == "near";
  }

 private:
  enum Joint { kDiscX, kDiscY, kTX, kTY, kTYaw };

  void place(mjData* d, double disc_x, double disc_y, double t_x, double t_y, double yaw) const {
    d->qpos[qpos_[kDiscX]] = disc_x;
    d->qpos[qpos_[kDiscY]] = disc_y;
    d->qpos[qpos_[kTX]] = t_x;
    d->qpos[qpos_[kTY]] = t_y;
    d->qpos[qpos_[kTYaw]] = yaw;
  }

  void reset_task(Rng& rng) override {
    const double tx = rng.uniform(-0.25, 0.25), ty = rng.uniform(-0.25, 0.25);
    const double yaw = rng.uniform(-kPi, kPi);
    double px = 0, py = 0;
    do {  // clear of the T: its farthest point is 0.135 m from its centre
      px = rng.uniform(-0.4, 0.4);
      py = rng.uniform(-0.4, 0.4);
    } while (std::hypot(px - tx, py - ty) < 0.22);
    double gx = 0, gy = 0, goal_yaw = 0;
    if (near_goal_) {  // a push or two away
      const double distance = rng.uniform(0.05, 0.10), direction = rng.uniform(-kPi, kPi);
      gx = std::clamp(tx + distance * std::cos(direction), -0.3, 0.3);
      gy = std::clamp(ty + distance * std::sin(direction), -0.3, 0.3);
      goal_yaw = wrap_angle(yaw + rng.uniform(-kPi / 4, kPi / 4));
    } else {
      do {
        gx = rng.uniform(-0.25, 0.25);
        gy = rng.uniform(-0.25, 0.25);
      } while (std::hypot(gx - tx, gy - ty) < 0.15);
      goal_yaw = rng.uniform(-kPi, kPi);
    }

    mjData* d = mutable_world().data();
    place(d, px, py, tx, ty, yaw);
    double* marker = d->mocap_pos + 3 * goal_mocap_;
    marker[0] = gx;
    marker[1] = gy;
    double* marker_quat = d->mocap_quat + 4 * goal_mocap_;
    marker_quat[0] = std::cos(goal_yaw / 2);
    marker_quat[1] = marker_quat[2] = 0;
    marker_quat[3] = std::sin(goal_yaw / 2);

    // goal state: the T at rest on the goal, the disc just past the end of its stem
    const double behind = kStem.cy - kStem.hy - kDiscRadius - 0.01;
    const float goal[] = {static_cast<float>(gx), static_cast<float>(gy),
                          static_cast<float>(goal_yaw)};
    set_goal(goal, [&](mjData* posed) {
      place(posed, gx - behind * std::sin(goal_yaw), gy + behind * std::cos(goal_yaw), gx, gy,
            goal_yaw);
      for (int dof : dof_) posed->qvel[dof] = 0;
    });
  }

  void observe(std::span<float> obs) const override {
    const mjData* d = world()->data();
    const double yaw = d->qpos[qpos_[kTYaw]];
    obs[kDisc + 0] = static_cast<float>(d->qpos[qpos_[kDiscX]]);
    obs[kDisc + 1] = static_cast<float>(d->qpos[qpos_[kDiscY]]);
    obs[kDiscVelocity + 0] = static_cast<float>(d->qvel[dof_[kDiscX]]);
    obs[kDiscVelocity + 1] = static_cast<float>(d->qvel[dof_[kDiscY]]);
    obs[kT + 0] = static_cast<float>(d->qpos[qpos_[kTX]]);
    obs[kT + 1] = static_cast<float>(d->qpos[qpos_[kTY]]);
    obs[kTHeading + 0] = static_cast<float>(std::cos(yaw));
    obs[kTHeading + 1] = static_cast<float>(std::sin(yaw));
    obs[kTVelocity + 0] = static_cast<float>(d->qvel[dof_[kTX]]);
    obs[kTVelocity + 1] = static_cast<float>(d->qvel[dof_[kTY]]);
    obs[kTSpin] = static_cast<float>(d->qvel[dof_[kTYaw]]);
  }

  bool pose_task(std::span<const float> obs) override {
    place(still_data(), obs[kDisc + 0], obs[kDisc + 1], obs[kT + 0], obs[kT + 1],
          std::atan2(obs[kTHeading + 1], obs[kTHeading + 0]));
    return true;
  }

  // The achieved goal: the T's pose (x, y, yaw).
  void achieved_goal(std::span<const float> obs, std::span<float> out) const override {
    out[0] = obs[kT];
    out[1] = obs[kT + 1];
    out[2] = static_cast<float>(std::atan2(obs[kTHeading + 1], obs[kTHeading]));
  }

  bool goal_reached(std::span<const float> obs, std::span<const float> goal) const override {
    return std::hypot(obs[kT] - goal[0], obs[kT + 1] - goal[1]) <= kPositionTolerance &&
           std::abs(yaw_error(obs, goal)) <= kYawTolerance;
  }

  static double yaw_error(std::span<const float> obs, std::span<const float> goal) {
    return wrap_angle(goal[2] - std::atan2(obs[kTHeading + 1], obs[kTHeading]));
  }

  float reward(std::span<const float>) const override {
    const std::span<const float> obs = observation();
    const std::span<const float> goal = goal_values();
    const double pose_error = std::hypot(obs[kT] - goal[0], obs[kT + 1] - goal[1]) +
                              kMetresPerRadian * std::abs(yaw_error(obs, goal));
    const double disc_to_t = std::hypot(obs[kDisc] - obs[kT], obs[kDisc + 1] - obs[kT + 1]);
    return static_cast<float>(-pose_error - 0.1 * disc_to_t);
  }

  // Goal::cost: how far the T's keypoints (the bar's ends, the stem's foot) are from where the
  // goal pose puts them, on average, plus a tenth of the disc's distance beyond kContact.
  // The keypoints price position and angle in one unit and reward the off-centre pushes that
  // turn the T; a cost of centre distance plus yaw error led every plan to push the centre home
  // and leave the angle (the oracle solved none of 10 episodes).
  double planning_cost(std::span<const float> obs, std::span<const float> goal) const override {
    // a keypoint's offset from the goal's is the centres' offset plus the turned point's
    const double c = obs[kTHeading], s = obs[kTHeading + 1];
    const double goal_c = std::cos(goal[2]), goal_s = std::sin(goal[2]);
    double keypoint_error = 0;
    for (const Point2 k : kKeypoints) {
      const double turned_x = (c - goal_c) * k.x - (s - goal_s) * k.y;
      const double turned_y = (s - goal_s) * k.x + (c - goal_c) * k.y;
      keypoint_error += std::hypot(obs[kT] - goal[0] + turned_x, obs[kT + 1] - goal[1] + turned_y);
    }
    const double disc_to_t = std::hypot(obs[kDisc] - obs[kT], obs[kDisc + 1] - obs[kT + 1]);
    return keypoint_error / std::size(kKeypoints) + 0.1 * std::max(0.0, disc_to_t - kContact);
  }

  std::vector<int> qpos_;
  std::vector<int> dof_;
  int goal_mocap_ = 0;
  bool near_goal_ = false;
};

// --- the scripted controller ---
//
// Quasi-static pushing with a point pusher. A fixed table of candidate pushes in the T's frame
// (a contact point on its outline, a direction inside the friction cone) is scored each step by
// how well the motion it would cause (viscous model: velocity = F / b, yaw rate = (c x F) / b_r)
// points along the wanted motion (the pose error), less the disc's travel to it. The disc pushes
// through the best candidate when it is on its line, else goes to a point behind it, around the
// T when the way is blocked. Memoryless: a pure function of observation and goal.

constexpr double kLever = 0.073;     // sqrt(b_r / b) of the model: the T's radius of gyration
constexpr double kPushAngle = 0.30;  // candidate directions: the inward normal and +- this
constexpr double kTravelCost = 2.0;  // score per metre of the disc's travel to a candidate
constexpr double kDiscDamping = 10.0, kGear = 6.0;  // push_t.xml's pusher

struct Interval {
  double enter, leave;
};

// Where o + s d lies within a box (centre (0, cy), half sizes hx, hy) of the T frame.
bool ray_box(Point2 o, Point2 d, double cy, double hx, double hy, Interval& out) {
  double lo = -1e9, hi = 1e9;
  const double origin[] = {o.x, o.y}, dir[] = {d.x, d.y}, centre[] = {0.0, cy}, half[] = {hx, hy};
  for (int k = 0; k < 2; ++k) {
    if (std::abs(dir[k]) < 1e-12) {
      if (origin[k] < centre[k] - half[k] || origin[k] > centre[k] + half[k]) return false;
      continue;
    }
    double a = (centre[k] - half[k] - origin[k]) / dir[k];
    double b = (centre[k] + half[k] - origin[k]) / dir[k];
    if (a > b) std::swap(a, b);
    lo = std::max(lo, a);
    hi = std::min(hi, b);
  }
  if (lo > hi) return false;
  out = {lo, hi};
  return true;
}

bool ray_circle(Point2 o, Point2 d, Point2 c, double r, Interval& out) {
  const double fx = o.x - c.x, fy = o.y - c.y;
  const double a = d.x * d.x + d.y * d.y, b = fx * d.x + fy * d.y;
  const double q = b * b - a * (fx * fx + fy * fy - r * r);
  if (q < 0 || a < 1e-12) return false;
  out = {(-b - std::sqrt(q)) / a, (-b + std::sqrt(q)) / a};
  return true;
}

// Where o + s d comes within `inflate` of the T (its boxes with rounded corners), as intervals.
std::vector<Interval> ray_intervals(Point2 o, Point2 d, double inflate) {
  std::vector<Interval> out;
  Interval hit{};
  for (const Box& box : kParts) {
    if (ray_box(o, d, box.cy, box.hx + inflate, box.hy, hit)) out.push_back(hit);
    if (ray_box(o, d, box.cy, box.hx, box.hy + inflate, hit)) out.push_back(hit);
    for (double sx : {-1.0, 1.0}) {
      for (double sy : {-1.0, 1.0}) {
        if (ray_circle(o, d, {sx * box.hx, box.cy + sy * box.hy}, inflate, hit)) {
          out.push_back(hit);
        }
      }
    }
  }
  return out;
}

// Whether the way from a to b passes within `inflate` of the T (leaving it within 2 cm of a, or
// entering it within the last 1 cm before b, allowed).
bool way_blocked(Point2 a, Point2 b, double inflate) {
  const Point2 d{b.x - a.x, b.y - a.y};
  const double length = std::hypot(d.x, d.y);
  for (const Interval& i : ray_intervals(a, d, inflate)) {
    if (i.enter * length < length - 0.01 && i.leave > 0 &&
        (i.enter > 0 || i.leave * length > 0.02)) {
      return true;
    }
  }
  return false;
}

struct Candidate {
  Point2 disc;       // the disc's centre at contact, T frame
  Point2 direction;  // of the push, T frame
  double torque;     // (contact x push direction) per unit force
};

std::vector<Candidate> build_candidates() {
  const double top = kBar.cy + kBar.hy, under = kBar.cy - kBar.hy, foot = kStem.cy - kStem.hy;
  struct Contact {
    double x, y, nx, ny;  // a point of the outline and its outward normal
  };
  std::vector<Contact> contacts;
  for (int i = 0; i < 7; ++i) contacts.push_back({-0.088 + i * 0.176 / 6, top, 0, 1});
  for (double sx : {-1.0, 1.0}) {
    for (double y : {under + 0.012, 0.5 * (under + top), top - 0.012}) {
      contacts.push_back({sx * 0.1, y, sx, 0});
    }
    for (double x : {0.07, 0.088}) contacts.push_back({sx * x, under, 0, -1});
    for (int i = 0; i < 4; ++i) {
      contacts.push_back({sx * 0.025, foot + 0.012 + i * (-0.03 - foot - 0.012) / 3, sx, 0});
    }
  }
  for (double x : {-0.013, 0.0, 0.013}) contacts.push_back({x, foot, 0, -1});

  std::vector<Candidate> candidates;
  for (const Contact& c : contacts) {
    for (double angle : {-kPushAngle, 0.0, kPushAngle}) {
      const double ca = std::cos(angle), sa = std::sin(angle);
      const Point2 d{-(ca * c.nx - sa * c.ny), -(sa * c.nx + ca * c.ny)};  // inward, turned
      const Point2 disc{c.x + kDiscRadius * c.nx, c.y + kDiscRadius * c.ny};
      // only if the disc, coming along d, touches the T first here
      double entry = 1e9;
      for (const Interval& i : ray_intervals({disc.x - d.x, disc.y - d.y}, d, kDiscRadius - 1e-6)) {
        entry = std::min(entry, i.enter);
      }
      if (std::abs(entry - 1.0) > 2e-3) continue;
      candidates.push_back({disc, d, c.x * d.y - c.y * d.x});
    }
  }
  return candidates;
}

// A wanted disc velocity as motor controls: the damping's feedforward plus a velocity loop,
// scaled into [-1, 1].
void velocity_to_action(Point2 wanted, Point2 velocity, double max_speed, std::span<float> action) {
  const double speed = std::hypot(wanted.x, wanted.y);
  if (speed > max_speed) wanted = {wanted.x * max_speed / speed, wanted.y * max_speed / speed};
  const double ux = (kDiscDamping * wanted.x + 8.0 * (wanted.x - velocity.x)) / kGear;
  const double uy = (kDiscDamping * wanted.y + 8.0 * (wanted.y - velocity.y)) / kGear;
  const double scale = std::max({std::abs(ux), std::abs(uy), 1.0});
  action[0] = static_cast<float>(ux / scale);
  action[1] = static_cast<float>(uy / scale);
}

void push_t(std::span<const float> obs, std::span<const float> goal, std::span<float> action) {
  static const std::vector<Candidate> candidates = build_candidates();
  const Point2 disc_velocity{obs[PushT::kDiscVelocity], obs[PushT::kDiscVelocity + 1]};
  const double c = obs[PushT::kTHeading], s = obs[PushT::kTHeading + 1];
  const double ex = goal[0] - obs[PushT::kT], ey = goal[1] - obs[PushT::kT + 1];
  const double yaw_error = wrap_angle(goal[2] - std::atan2(s, c));
  if (std::hypot(ex, ey) < 0.008 && std::abs(yaw_error) < 0.05) {  // inside the tolerances: hold
    return velocity_to_action({0, 0}, disc_velocity, 1.0, action);
  }
  // the wanted T motion and the disc, in the T frame
  const double wx = c * ex + s * ey, wy = -s * ex + c * ey,
               wz = PushT::kMetresPerRadian * yaw_error;
  const double wanted = std::sqrt(wx * wx + wy * wy + wz * wz);
  const double rx = obs[PushT::kDisc] - obs[PushT::kT],
               ry = obs[PushT::kDisc + 1] - obs[PushT::kT + 1];
  const Point2 disc{c * rx + s * ry, -s * rx + c * ry};
  auto to_world = [&](double lx, double ly) { return Point2{c * lx - s * ly, s * lx + c * ly}; };

  const double turn = PushT::kMetresPerRadian / (kLever * kLever);
  const Candidate* best = nullptr;
  double best_score = -1e9;
  for (const Candidate& k : candidates) {
    const double uz = turn * k.torque;
    const double alignment =
        (wx * k.direction.x + wy * k.direction.y + wz * uz) / (wanted * std::sqrt(1 + uz * uz));
    const double score = alignment - kTravelCost * std::hypot(k.disc.x - disc.x, k.disc.y - disc.y);
    if (score > best_score) best = &k, best_score = score;
  }
  UW_CHECK(best != nullptr, "push-t: no candidate push scored (a non-finite observation?)");
  const Point2 d = best->direction, n{-d.y, d.x};
  const double along = (disc.x - best->disc.x) * d.x + (disc.y - best->disc.y) * d.y;
  const double across = (disc.x - best->disc.x) * n.x + (disc.y - best->disc.y) * n.y;

  if (std::abs(across) < 0.012 && along > -0.05 && along < 0.02) {  // on the line: push
    const double speed = std::clamp(4.0 * wanted, 0.05, 0.3) + 3.0 * std::max(0.0, -along - 0.003);
    const Point2 v = to_world(speed * d.x - 8.0 * across * n.x, speed * d.y - 8.0 * across * n.y);
    return velocity_to_action(v, disc_velocity, 1.0, action);
  }
  const Point2 pre{best->disc.x - 0.03 * d.x, best->disc.y - 0.03 * d.y};
  if (!way_blocked(disc, pre, kDiscRadius + 0.005)) {  // straight to the point behind it
    const Point2 v = to_world(6.0 * (pre.x - disc.x), 6.0 * (pre.y - disc.y));
    return velocity_to_action(v, disc_velocity, 0.6, action);
  }
  // round the T on a circle, towards that point
  const double radius = std::hypot(disc.x, disc.y), at = std::atan2(disc.y, disc.x);
  const double to_go = wrap_angle(std::atan2(pre.y, pre.x) - at);
  const double sign = to_go > 0 ? 1.0 : -1.0;
  const double ux = disc.x / std::max(radius, 1e-6), uy = disc.y / std::max(radius, 1e-6);
  const double tangential = 0.5 * std::min(1.0, std::abs(to_go) / 0.3 + 0.3);
  const double radial = 5.0 * (0.21 - radius);
  const Point2 v =
      to_world(sign * tangential * -uy + radial * ux, sign * tangential * ux + radial * uy);
  velocity_to_action(v, disc_velocity, 0.6, action);
}

}  // namespace

void register_push_t(Registry& registry, const RegistryConfig& config) {
  std::vector<OptionSpec> options = goal_task_options(/*substeps=*/10, /*max_steps=*/300);
  options.push_back({"goal", "board",
                     "where goals lie: board (anywhere, at any angle) or near (5-10 cm and up to "
                     "45 degrees from the T's start: a push or two, as the goals of DINO-WM's "
                     "Push-T, 25 steps along a demonstration)"});
  EnvEntry entry = mujoco_task_entry<PushT>(
      "push-t", "a disc pushes a T-shaped block to a goal position and angle (Push-T)",
      std::move(options), config.asset_dir / "push_t.xml");
  entry.scripted = push_t;
  registry.add(std::move(entry));
}

}  // namespace uw::envs
