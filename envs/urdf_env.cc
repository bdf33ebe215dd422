#include "envs/urdf_env.h"

#include <cmath>
#include <sstream>

#include "core/error.h"
#include "envs/bullet_env.h"
#include "sim/urdf_loader.h"

namespace uw::envs {
namespace {

constexpr std::string_view kPrefix = "urdf:";

sim::UrdfOptions urdf_options(const std::string& id, const Options& options) {
  sim::UrdfOptions out;
  out.fixed_base = options.get_bool("fixed_base");
  out.ground = options.get_bool("ground");
  out.base_pose.pos[2] = options.get_double("base_z");
  out.position_gain = options.get_double("position_gain");
  if (!(std::isfinite(out.position_gain) && out.position_gain > 0)) {
    throw Error("option 'position_gain' of env '" + id + "' must be a number > 0");
  }
  if (!std::isfinite(out.base_pose.pos[2])) {
    throw Error("option 'base_z' of env '" + id + "' must be a finite number");
  }
  std::istringstream paths(options.get_string("package_path"));
  for (std::string path; std::getline(paths, path, ':');) {
    if (!path.empty()) out.package_paths.push_back(path);
  }
  return out;
}

// Observation: positions of the moving joints, their velocities, then the base's position
// and orientation (w, x, y, z). No reward: a model to explore, not a task.
class UrdfEnv final : public BulletEnv {
 public:
  UrdfEnv(std::shared_ptr<const sim::UrdfRobot> robot, const std::string& id,
          const Options& options)
      : BulletEnv(robot->scene,
                  task_spec(id, options,
                            Space::box({2 * static_cast<int64_t>(robot->moving_joints.size()) + 7},
                                       -INFINITY, INFINITY),
                            std::nullopt, /*stochastic_reset=*/false)),
        robot_(std::move(robot)) {}

 private:
  void reset_task(Rng&) override {}

  void observe(std::span<float> obs) const override {
    const sim::BulletWorld& w = *world();
    const size_t n = robot_->moving_joints.size();
    for (size_t i = 0; i < n; ++i) {
      obs[i] = static_cast<float>(w.joint_position(robot_->moving_joints[i]));
      obs[n + i] = static_cast<float>(w.joint_velocity(robot_->moving_joints[i]));
    }
    const sim::Pose base = w.body_pose(robot_->base_body);
    float* out = obs.data() + 2 * n;
    for (double v : base.pos) *out++ = static_cast<float>(v);
    for (double v : base.quat) *out++ = static_cast<float>(v);
  }

  float reward(std::span<const float>) const override { return 0.0f; }

  std::shared_ptr<const sim::UrdfRobot> robot_;
};

}  // namespace

void register_urdf_family(Registry& registry) {
  std::vector<OptionSpec> options = task_options(/*substeps=*/10, /*max_steps=*/1000);
  options.push_back({"fixed_base", "0", "weld the root link to the world"});
  options.push_back({"ground", "1", "add a ground plane at z = 0"});
  options.push_back({"base_z", "0", "initial height of the root link"});
  options.push_back({"position_gain", "20", "motor target speed per unit of position error (1/s)"});
  options.push_back({"package_path", "", "':'-separated folders that package:// URIs resolve in"});
  registry.add({std::string(kPrefix),
                "any URDF file on Bullet: joint targets in, joints and base out",
                std::move(options),
                [](const std::string& id, const Options& options) -> std::unique_ptr<Env> {
                  const std::string path = id.substr(kPrefix.size());
                  auto robot = std::make_shared<const sim::UrdfRobot>(
                      sim::load_urdf(path, urdf_options(id, options)));
                  return make_task<UrdfEnv>(robot, id, options);
                }});
}

}  // namespace uw::envs
