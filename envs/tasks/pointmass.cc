#include <algorithm>
#include <cmath>

#include "envs/mujoco_env.h"
#include "envs/registry.h"
#include "envs/tasks/controllers.h"

namespace uw::envs {
namespace {

enum class Layout { kOpenArena, kTwoRooms };

struct Point {
  double x = 0, y = 0;
};

double distance(Point a, Point b) { return std::hypot(a.x - b.x, a.y - b.y); }

// The two rooms of pointmaze_tworooms.xml: x < 0 and x > 0, joined by a door on x = 0 that the
// point mass's centre passes within |y| < 0.1 (the opening is 0.3 wide, the ball 0.1 across).
constexpr double kDoorHalfWidth = 0.04;  // well off the door posts

// The length of the shortest path from a to b through the rooms: straight within a room;
// between rooms, through the point of the door closest to the straight line (the path's length
// is convex in where it crosses x = 0, so clamping the straight line's crossing is optimal).
double two_rooms_distance(Point a, Point b) {
  if ((a.x < 0) == (b.x < 0)) return distance(a, b);
  const double crossing = a.y + (b.y - a.y) * (a.x / (a.x - b.x));
  const Point door{0.0, std::clamp(crossing, -kDoorHalfWidth, kDoorHalfWidth)};
  return distance(a, door) + distance(door, b);
}

// Observation: position (x, y), velocity (vx, vy). Goal: a position. Reward: minus the
// distance to the goal.
class PointMass final : public MujocoEnv {
 public:
  // the observation's fields
  static constexpr int kPosition = 0;
  static constexpr int kVelocity = 2;
  static constexpr int kObsSize = 4;
  static constexpr float kSuccessRadius = 0.1f;

  PointMass(std::shared_ptr<const sim::MujocoModel> model, const std::string& id,
            const Options& options, Layout layout)
      : MujocoEnv(model, spec_for(id, options, layout)),
        layout_(layout),
        x_(model->get()->jnt_qposadr[model->require_id(mjOBJ_JOINT, "x")]),
        y_(model->get()->jnt_qposadr[model->require_id(mjOBJ_JOINT, "y")]),
        vx_(model->get()->jnt_dofadr[model->require_id(mjOBJ_JOINT, "x")]),
        vy_(model->get()->jnt_dofadr[model->require_id(mjOBJ_JOINT, "y")]),
        goal_mocap_(model->get()->body_mocapid[model->require_id(mjOBJ_BODY, "goal")]) {
    use_goal_slice(kPosition, kSuccessRadius);
  }

 private:
  static EnvSpec spec_for(const std::string& id, const Options& options, Layout layout) {
    const float half_height = layout == Layout::kOpenArena ? 1.0f : 0.5f;
    Space goal_space = Space::box({2}, {-1.0f, -half_height}, {1.0f, half_height});
    return task_spec(id, options, Space::box({kObsSize}, -INFINITY, INFINITY), goal_space);
  }

  // Start and goal anywhere in the arena, at least 0.5 apart.
  static std::pair<Point, Point> sample_open_arena(Rng& rng) {
    auto sample = [&] { return Point{rng.uniform(-0.9, 0.9), rng.uniform(-0.9, 0.9)}; };
    const Point start = sample();
    Point goal = sample();
    while (distance(start, goal) < 0.5) goal = sample();
    return {start, goal};
  }

  // Start in a random room; the goal in the other room with probability 0.8.
  static std::pair<Point, Point> sample_two_rooms(Rng& rng) {
    auto sample_in = [&](int room) {
      const double x = rng.uniform(0.1, 0.9);
      return Point{room == 0 ? -x : x, rng.uniform(-0.4, 0.4)};
    };
    const int start_room = static_cast<int>(rng.uniform_int(2));
    const int goal_room = rng.uniform() < 0.8 ? 1 - start_room : start_room;
    const Point start = sample_in(start_room);
    Point goal = sample_in(goal_room);
    while (distance(start, goal) < 0.3) goal = sample_in(goal_room);
    return {start, goal};
  }

  void reset_task(Rng& rng) override {
    const auto [start, goal] =
        layout_ == Layout::kOpenArena ? sample_open_arena(rng) : sample_two_rooms(rng);
    mjData* d = mutable_world().data();
    d->qpos[x_] = start.x;
    d->qpos[y_] = start.y;
    d->mocap_pos[3 * goal_mocap_ + 0] = goal.x;
    d->mocap_pos[3 * goal_mocap_ + 1] = goal.y;
    const float goal_values[] = {static_cast<float>(goal.x), static_cast<float>(goal.y)};
    set_goal(goal_values, [&](mjData* posed) {
      posed->qpos[x_] = goal.x;
      posed->qpos[y_] = goal.y;
    });
  }

  void observe(std::span<float> obs) const override {
    const mjData* d = world()->data();
    obs[kPosition + 0] = static_cast<float>(d->qpos[x_]);
    obs[kPosition + 1] = static_cast<float>(d->qpos[y_]);
    obs[kVelocity + 0] = static_cast<float>(d->qvel[vx_]);
    obs[kVelocity + 1] = static_cast<float>(d->qvel[vy_]);
  }

  bool pose_task(std::span<const float> obs) override {
    mjData* d = still_data();
    d->qpos[x_] = obs[kPosition + 0];
    d->qpos[y_] = obs[kPosition + 1];
    return true;
  }

  float reward(std::span<const float>) const override { return -goal_distance(); }

  // Goal::cost: in two rooms, the squared length of the way through the door, so that plans
  // head for the door (the straight distance leads into the dividing wall whenever the goal is
  // in the other room).
  double planning_cost(std::span<const float> obs, std::span<const float> goal) const override {
    if (layout_ == Layout::kOpenArena) return MujocoEnv::planning_cost(obs, goal);
    const double d = two_rooms_distance({obs[kPosition], obs[kPosition + 1]}, {goal[0], goal[1]});
    return d * d;
  }

  Layout layout_;
  int x_;
  int y_;
  int vx_;
  int vy_;
  int goal_mocap_;
};

// A damped spring towards the goal.
void reach(std::span<const float> obs, std::span<const float> goal, std::span<float> action) {
  const PointState p = PointState::of(obs, PointMass::kPosition, PointMass::kVelocity);
  steer_point(p, {goal[0], goal[1]}, 3.0, 1.5, action);
}

// Two rooms side by side (x < 0 and x > 0), joined by a door at y in [-0.15, 0.15] on x = 0:
// when the goal is in the other room, line up with the door, then go through it.
void through_the_door(std::span<const float> obs, std::span<const float> goal,
                      std::span<float> action) {
  const PointState p = PointState::of(obs, PointMass::kPosition, PointMass::kVelocity);
  const bool other_room = (p.x < 0) != (goal[0] < 0) && std::abs(p.x) > 0.03;
  if (!other_room) return steer_point(p, {goal[0], goal[1]}, 3.0, 1.5, action);
  const double side = p.x < 0 ? -1.0 : 1.0;
  if (std::abs(p.y) > 0.06 && std::abs(p.x) > 0.08) {
    return steer_point(p, {side * 0.15, 0.0}, 3.0, 1.5, action);  // in front of the door
  }
  steer_point(p, {-side * 0.2, 0.0}, 3.0, 1.5, action);  // through it
}

}  // namespace

void register_pointmass(Registry& registry, const RegistryConfig& config) {
  auto factory = [dir = config.asset_dir](const char* file, Layout layout) {
    return [dir, file, layout](const std::string& id, const Options& options) {
      return make_task<PointMass>(sim::MujocoModel::load(dir / file), id, options, layout);
    };
  };
  registry.add({"pointmass-reach", "a point mass reaches a random goal in a walled 2 x 2 m arena",
                goal_task_options(/*substeps=*/5, /*max_steps=*/200),
                factory("pointmass.xml", Layout::kOpenArena), reach});
  registry.add({"pointmaze-tworooms",
                "the point mass reaches a goal, usually in the other of two rooms joined by a door",
                goal_task_options(/*substeps=*/5, /*max_steps=*/300),
                factory("pointmaze_tworooms.xml", Layout::kTwoRooms), through_the_door});
}

}  // namespace uw::envs
