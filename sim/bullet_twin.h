#pragma once

#include <mujoco/mujoco.h>

#include <memory>
#include <span>

#include "sim/bullet_scene.h"
#include "sim/mujoco_model.h"
#include "sim/world.h"

namespace uw::sim {

// A MuJoCo model that looks like a Bullet scene, for the renderer: static bodies are world
// geoms, dynamic bodies are mocap bodies that follow the Bullet bodies' poses, and the scene's
// cameras are MuJoCo cameras (tracking cameras ride on their body, at a fixed offset). So
// both engines are drawn by the same code with the same lights and materials.
class BulletTwin {
 public:
  explicit BulletTwin(const BulletScene& scene);
  ~BulletTwin();
  BulletTwin(const BulletTwin&) = delete;
  BulletTwin& operator=(const BulletTwin&) = delete;

  // Moves the twin's bodies to the poses of the scene's bodies (one per body, in scene order)
  // and its markers to theirs.
  DrawView update(std::span<const Pose> poses, std::span<const Pose> markers);

  const MujocoModel& model() const { return *model_; }

 private:
  struct DataDeleter {
    void operator()(mjData* d) const { mj_deleteData(d); }
  };

  std::shared_ptr<const MujocoModel> model_;
  std::unique_ptr<mjData, DataDeleter> data_;
  std::vector<int> mocap_of_body_;  // -1 for static bodies
  std::vector<int> mocap_of_marker_;
};

// The MJCF text of a scene's twin.
std::string bullet_twin_xml(const BulletScene& scene);

}  // namespace uw::sim
