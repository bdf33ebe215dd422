#include "sim/renderer.h"

#include <GL/gl.h>
#include <mujoco/mujoco.h>

#include <algorithm>
#include <tuple>

#include "core/error.h"
#include "sim/mujoco_model.h"

namespace uw::sim {
namespace {

struct ModelDeleter {
  void operator()(mjModel* m) const { mj_deleteModel(m); }
};

struct SceneDeleter {
  void operator()(mjvScene* scene) const {
    mjv_freeScene(scene);
    delete scene;
  }
};

// Needs the context's OpenGL context current.
struct RenderContextDeleter {
  void operator()(mjrContext* context) const {
    mjr_freeContext(context);
    delete context;
  }
};

// The counts a scene and a render context are built for; a model that differs in any of them
// is another model, even at the same address.
auto shape_of(const mjModel* m) {
  return std::make_tuple(m->nbody, m->ngeom, m->nsite, m->ntendon, m->nmesh, m->nskin, m->nhfield,
                         m->ntex, m->nmat, m->ncam, m->nlight);
}
using ModelShape = decltype(shape_of(nullptr));

// Room for every geom, site and tendon segment drawn by default, so that the scene never fills
// up (MuJoCo would count a warning on the world's data).
int scene_capacity(const mjModel* m) {
  return 1000 + 2 * (m->ngeom + m->nsite + m->nbody) + 64 * m->ntendon + 8 * m->nsensor;
}

std::string camera_list(const mjModel* m) {
  std::string names;
  for (int i = 0; i < m->ncam; ++i) {
    const char* name = mj_id2name(m, mjOBJ_CAMERA, i);
    if (name == nullptr) continue;
    names += (names.empty() ? "'" : ", '") + std::string(name) + "'";
  }
  return names;
}

}  // namespace

std::vector<std::string> camera_names(const DrawView& view) {
  UW_CHECK(view.model != nullptr, "a draw view without a model");
  std::vector<std::string> names;
  for (int i = 0; i < view.model->ncam; ++i) {
    if (const char* name = mj_id2name(view.model, mjOBJ_CAMERA, i)) names.emplace_back(name);
  }
  return names;
}

struct Renderer::Impl {
  Impl(RenderQuality quality, EglPlatform platform) : quality(quality), egl(platform) {
    mjv_defaultOption(&option);
  }

  ~Impl() {
    if (context == nullptr) return;
    try {
      EglContext::Current current(egl);
      context.reset();
    } catch (const Error&) {
      // its OpenGL objects go with the EGL context
      delete context.release();
    }
  }

  // The camera id for a name: -1 for the free camera; throws before anything is drawn.
  int resolve_camera(const mjModel* m, std::string_view name) {
    if (name.empty()) return m->ncam > 0 ? 0 : -1;
    if (m == camera_model && name == camera_name && camera_id < m->ncam) return camera_id;
    const std::string key(name);
    const int id = mj_name2id(m, mjOBJ_CAMERA, key.c_str());
    if (id < 0) {
      const std::string known = camera_list(m);
      throw Error("unknown camera '" + key + "'; " +
                  (known.empty() ? std::string("the model has no named cameras")
                                 : "the model's cameras: " + known) +
                  " (\"\" is the default view)");
    }
    camera_model = m;
    camera_name = key;
    camera_id = id;
    return id;
  }

  // Makes the scene and the render context for the model and the image size, when they are not
  // made for them already. The OpenGL context is current.
  void prepare(const mjModel* m, int width, int height) {
    if (m != source || shape_of(m) != shape) {
      context.reset();
      scene.reset();
      copy.reset();
      source = nullptr;
      // mjr_makeContext takes its quality settings and buffer size from the model: a private
      // copy gets ours without touching the model the worlds share
      copy.reset(mj_copyModel(nullptr, m));
      if (copy == nullptr) throw Error("renderer: MuJoCo could not copy the model");
      scene.reset(new mjvScene);
      mjv_defaultScene(scene.get());
      mjv_makeScene(m, scene.get(), scene_capacity(m));
      if (quality == RenderQuality::kFast) {
        scene->flags[mjRND_SHADOW] = 0;
        scene->flags[mjRND_REFLECTION] = 0;
        scene->flags[mjRND_SKYBOX] = 0;
      }
      source = m;
      shape = shape_of(m);
    }
    int buffer_width = width;
    int buffer_height = height;
    if (quality == RenderQuality::kPretty) {
      buffer_width = std::max(width, m->vis.global.offwidth);
      buffer_height = std::max(height, m->vis.global.offheight);
    }
    if (context != nullptr && context->offWidth == buffer_width &&
        context->offHeight == buffer_height) {
      return;
    }
    context.reset();
    copy->vis.global.offwidth = buffer_width;
    copy->vis.global.offheight = buffer_height;
    if (quality == RenderQuality::kFast) {
      copy->vis.quality.shadowsize = 0;
      copy->vis.quality.offsamples = 0;
    }
    // made aside, so that a failure leaves no half-made context behind
    std::unique_ptr<mjrContext, RenderContextDeleter> made(new mjrContext);
    mjr_defaultContext(made.get());
    mjr_makeContext(copy.get(), made.get(), mjFONTSCALE_50);
    mjr_setBuffer(mjFB_OFFSCREEN, made.get());
    if (made->currentBuffer != mjFB_OFFSCREEN) {
      throw Error("renderer: the OpenGL context has no offscreen framebuffer");
    }
    context = std::move(made);
  }

  void draw(const DrawView& view, int camera_id, int width, int height, std::span<uint8_t> rgb,
            bool markers) {
    const mjModel* m = view.model;
    option.geomgroup[kMarkerGeomGroup] = markers ? 1 : 0;
    prepare(m, width, height);
    mjvCamera camera;
    mjv_defaultCamera(&camera);
    if (camera_id >= 0) {
      camera.type = mjCAMERA_FIXED;
      camera.fixedcamid = camera_id;
    } else {
      mjv_defaultFreeCamera(m, &camera);
    }
    // mjv_updateScene only reads the state; it takes a mutable mjData for scratch memory on
    // the data's stack, which it gives back. It places an infinite plane's drawn patch around
    // the scene's camera before it moves that camera to this frame's: updating the camera first
    // makes the picture a function of the state, not of the previous frame.
    mjv_updateCamera(m, const_cast<mjData*>(view.data), &camera, scene.get());
    mjv_updateScene(m, const_cast<mjData*>(view.data), &option, nullptr, &camera, mjCAT_ALL,
                    scene.get());
    const mjrRect viewport = {0, 0, width, height};
    mjr_setBuffer(mjFB_OFFSCREEN, context.get());
    mjr_render(viewport, scene.get(), context.get());
    // rows of any width are packed (the default alignment of 4 would pad them)
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    mjr_readPixels(rgb.data(), nullptr, viewport, context.get());
    // OpenGL gives the bottom row first
    const size_t stride = size_t(width) * 3;
    row.resize(std::max(row.size(), stride));
    for (int top = 0, bottom = height - 1; top < bottom; ++top, --bottom) {
      uint8_t* a = rgb.data() + top * stride;
      uint8_t* b = rgb.data() + bottom * stride;
      std::copy(a, a + stride, row.begin());
      std::copy(b, b + stride, a);
      std::copy(row.begin(), row.begin() + stride, b);
    }
  }

  RenderQuality quality;
  EglContext egl;
  mjvOption option;
  std::vector<uint8_t> row;  // scratch for flipping rows
  // what the scene and the render context are made for
  const mjModel* source = nullptr;
  ModelShape shape{};
  std::unique_ptr<mjModel, ModelDeleter> copy;
  std::unique_ptr<mjvScene, SceneDeleter> scene;
  std::unique_ptr<mjrContext, RenderContextDeleter> context;
  // the last named camera looked up
  const mjModel* camera_model = nullptr;
  std::string camera_name;
  int camera_id = -1;
};

Renderer::Renderer(RenderQuality quality, EglPlatform platform)
    : impl_(std::make_unique<Impl>(quality, platform)) {
  install_mujoco_handlers();
}

Renderer::~Renderer() = default;

RenderQuality Renderer::quality() const { return impl_->quality; }

const std::string& Renderer::backend() const { return impl_->egl.description(); }

void Renderer::render(const DrawView& view, std::string_view camera, int width, int height,
                      std::span<uint8_t> rgb, bool markers) {
  UW_CHECK(view.model != nullptr && view.data != nullptr, "a draw view without a model");
  if (width < 1 || height < 1 || width > kMaxImageSize || height > kMaxImageSize) {
    throw Error("image size " + std::to_string(width) + "x" + std::to_string(height) +
                ": expected a width and height in [1, " + std::to_string(kMaxImageSize) + "]");
  }
  const size_t expected = size_t(width) * height * 3;
  if (rgb.size() != expected) {
    throw Error("image buffer has " + std::to_string(rgb.size()) + " bytes, expected " +
                std::to_string(expected) + " for " + std::to_string(width) + "x" +
                std::to_string(height) + " RGB");
  }
  const int camera_id = impl_->resolve_camera(view.model, camera);
  EglContext::Current current(impl_->egl);
  try {
    impl_->draw(view, camera_id, width, height, rgb, markers);
  } catch (const Error&) {
    throw;
  } catch (...) {
    // while another thread loads a model, MuJoCo's error handler is the compiler's own
    throw Error("renderer: MuJoCo raised an error while drawing");
  }
}

Image Renderer::render(const DrawView& view, std::string_view camera, int width, int height,
                       bool markers) {
  Image image;
  if (width >= 1 && height >= 1 && width <= kMaxImageSize && height <= kMaxImageSize) {
    image.rgb.resize(size_t(width) * height * 3);
  }
  image.width = width;
  image.height = height;
  render(view, camera, width, height, image.rgb, markers);
  return image;
}

}  // namespace uw::sim
