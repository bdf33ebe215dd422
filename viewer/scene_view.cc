#include "viewer/scene_view.h"

#include <mujoco/mujoco.h>

#include <algorithm>

#include "core/error.h"
#include "sim/renderer.h"

namespace uw::viewer {

struct SceneView::Impl {
  const mjModel* model = nullptr;
  mjData* data = nullptr;
  mjvScene scene{};
  mjrContext context{};
  mjvCamera camera{};
  mjvOption option{};
  bool made = false;
  // ghosts: data posed for each, its colour; the first `ghosts` entries are in use
  std::vector<mjData*> ghost_data;
  std::vector<std::array<float, 4>> ghost_rgba;
  size_t ghosts = 0;
  mjvOption ghost_option{};

  Impl() {
    mjv_defaultScene(&scene);
    mjr_defaultContext(&context);
    mjv_defaultCamera(&camera);
    mjv_defaultOption(&option);
    mjv_defaultOption(&ghost_option);
    ghost_option.geomgroup[sim::kMarkerGeomGroup] = 0;  // the task's markers are not posed
  }
  ~Impl() { release(); }

  void release() {
    if (!made) return;
    mjr_freeContext(&context);
    mjv_freeScene(&scene);
    mj_deleteData(data);
    data = nullptr;
    for (mjData* d : ghost_data) mj_deleteData(d);
    ghost_data.clear();
    ghost_rgba.clear();
    ghosts = 0;
    made = false;
  }

  void make(const mjModel* m) {
    release();
    model = m;
    data = mj_makeData(m);
    if (data == nullptr) throw Error("viewer: MuJoCo could not make the scene's data");
    mjv_makeScene(m, &scene, 2000 + 2 * (m->ngeom + m->nsite + m->nbody));
    mjr_makeContext(m, &context, mjFONTSCALE_100);
    mjv_defaultFreeCamera(m, &camera);
    camera.distance *= 0.75;  // the default frames the whole extent with a wide margin
    made = true;
  }

  // Appends the moving bodies of each ghost to the scene, in its colour.
  void add_ghosts_to_scene() {
    for (size_t i = 0; i < ghosts; ++i) {
      const int first = scene.ngeom;
      mjv_addGeoms(model, ghost_data[i], &ghost_option, nullptr, mjCAT_ALL, &scene);
      int kept = first;
      for (int g = first; g < scene.ngeom; ++g) {
        mjvGeom geom = scene.geoms[g];
        if (geom.objtype != mjOBJ_GEOM) continue;
        const int body = model->geom_bodyid[geom.objid];
        if (model->body_weldid[body] == 0 && model->body_mocapid[body] < 0) continue;  // static
        std::copy(ghost_rgba[i].begin(), ghost_rgba[i].end(), geom.rgba);
        geom.transparent = geom.rgba[3] < 1.0f;
        geom.emission = 0.3f;
        scene.geoms[kept++] = geom;
      }
      scene.ngeom = kept;
    }
  }
};

SceneView::SceneView() : impl_(std::make_unique<Impl>()) {}
SceneView::~SceneView() = default;

void SceneView::sync(const sim::DrawView& view) {
  UW_CHECK(view.model != nullptr && view.data != nullptr, "a draw view without a world");
  if (!impl_->made || view.model != impl_->model) {
    impl_->make(view.model);
    followed_ = -1;
  }
  mj_copyData(impl_->data, view.model, view.data);
}

void SceneView::render(int x, int y, int width, int height) {
  if (!impl_->made || width <= 0 || height <= 0) return;
  mjvOption& o = impl_->option;
  o.flags[mjVIS_CONTACTPOINT] = toggles.contacts;
  o.flags[mjVIS_CONTACTFORCE] = toggles.contact_forces;
  o.flags[mjVIS_TRANSPARENT] = toggles.transparent;
  o.frame = toggles.frames ? mjFRAME_BODY : mjFRAME_NONE;
  o.geomgroup[sim::kMarkerGeomGroup] = toggles.markers;
  impl_->scene.flags[mjRND_SHADOW] = toggles.pretty;
  impl_->scene.flags[mjRND_REFLECTION] = toggles.pretty;
  impl_->scene.flags[mjRND_SKYBOX] = toggles.pretty;
  mjv_updateScene(impl_->model, impl_->data, &o, nullptr, &impl_->camera, mjCAT_ALL, &impl_->scene);
  impl_->add_ghosts_to_scene();
  mjr_setBuffer(mjFB_WINDOW, &impl_->context);
  mjr_render(mjrRect{x, y, width, height}, &impl_->scene, &impl_->context);
}

void SceneView::clear_ghosts() { impl_->ghosts = 0; }

void SceneView::add_ghost(const sim::DrawView& view, const std::array<float, 4>& rgba) {
  Impl& s = *impl_;
  if (!s.made) return;
  UW_CHECK(view.model != nullptr && view.data != nullptr && view.model->nbody == s.model->nbody &&
               view.model->ngeom == s.model->ngeom && view.model->nq == s.model->nq,
           "a ghost of another model");
  if (s.ghosts == s.ghost_data.size()) {
    mjData* d = mj_makeData(s.model);
    if (d == nullptr) throw Error("viewer: MuJoCo could not make a ghost's data");
    s.ghost_data.push_back(d);
    s.ghost_rgba.emplace_back();
  }
  mj_copyData(s.ghost_data[s.ghosts], s.model, view.data);
  s.ghost_rgba[s.ghosts] = rgba;
  ++s.ghosts;
}

size_t SceneView::ghost_count() const { return impl_->ghosts; }

void SceneView::drag(double dx, double dy, bool right_button, bool shift) {
  if (!impl_->made) return;
  const int action = !right_button ? (shift ? mjMOUSE_ROTATE_H : mjMOUSE_ROTATE_V)
                                   : (shift ? mjMOUSE_ZOOM : mjMOUSE_MOVE_V);
  mjv_moveCamera(impl_->model, action, dx, dy, &impl_->camera);
}

void SceneView::zoom(double amount) {
  if (!impl_->made) return;
  mjv_moveCamera(impl_->model, mjMOUSE_ZOOM, 0, -0.05 * amount, &impl_->camera);
}

void SceneView::follow(int body) {
  if (!impl_->made) return;
  followed_ = body;
  if (body < 0) {
    impl_->camera.type = mjCAMERA_FREE;
    return;
  }
  impl_->camera.type = mjCAMERA_TRACKING;
  impl_->camera.trackbodyid = body;
}

std::vector<std::string> SceneView::body_names() const {
  std::vector<std::string> names;
  if (!impl_->made) return names;
  for (int i = 0; i < impl_->model->nbody; ++i) {
    const char* name = mj_id2name(impl_->model, mjOBJ_BODY, i);
    names.emplace_back(name != nullptr ? name : "");
  }
  return names;
}

}  // namespace uw::viewer
