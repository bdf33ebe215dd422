#include "viewer/scene_view.h"

#include <mujoco/mujoco.h>

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

  Impl() {
    mjv_defaultScene(&scene);
    mjr_defaultContext(&context);
    mjv_defaultCamera(&camera);
    mjv_defaultOption(&option);
  }
  ~Impl() { release(); }

  void release() {
    if (!made) return;
    mjr_freeContext(&context);
    mjv_freeScene(&scene);
    mj_deleteData(data);
    data = nullptr;
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
  mjr_setBuffer(mjFB_WINDOW, &impl_->context);
  mjr_render(mjrRect{x, y, width, height}, &impl_->scene, &impl_->context);
}

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
