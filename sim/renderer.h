#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/egl_context.h"
#include "sim/image.h"
#include "sim/world.h"

namespace uw::sim {

// How a picture is drawn.
enum class RenderQuality {
  // MuJoCo's defaults as the model sets them: shadows, reflections, skybox, multisampling. For
  // pictures and the viewer.
  kPretty,
  // None of those, and an offscreen buffer the size of the image: for pixel observations
  // (about 13x faster on a software rasteriser).
  kFast,
};

// Largest width or height of a rendered image.
inline constexpr int kMaxImageSize = 4096;

// Geoms in this group are task markers (a goal, a target): drawn for people, left out of pixel
// observations, where a world model would otherwise learn the marker, which stands still
// through an episode, instead of what moves (the goal of a pixel planner is a picture instead).
inline constexpr int kMarkerGeomGroup = 3;

// The names of the named cameras of a view's model, in model order.
std::vector<std::string> camera_names(const DrawView& view);

// Draws MuJoCo scenes offscreen (EGL, no window, no display server) into RGB images. Owns its
// OpenGL context, scene and MuJoCo render context; one per env. Not thread-safe, but not tied
// to a thread either: each render makes the context current and releases it at the end, so
// the envs of a batch can render from whichever worker thread steps them.
class Renderer {
 public:
  // Makes the OpenGL context (expensive: do it once, lazily). Throws uw::Error when no EGL
  // platform gives one.
  explicit Renderer(RenderQuality quality = RenderQuality::kPretty,
                    EglPlatform platform = EglPlatform::kAuto);
  ~Renderer();
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  // Draws the view from `camera` into rgb ([height, width, 3], top row first). The camera is a
  // named camera of the model (fixed or tracking); "" is the model's first camera, or a free
  // camera framing the whole model when it has none. Throws uw::Error on an unknown camera
  // (listing the known ones), a size outside [1, kMaxImageSize], or an rgb of the wrong size.
  // Reads the view only: the world's state is unchanged. `markers` draws the task markers
  // (geoms of kMarkerGeomGroup).
  void render(const DrawView& view, std::string_view camera, int width, int height,
              std::span<uint8_t> rgb, bool markers = true);
  Image render(const DrawView& view, std::string_view camera, int width, int height,
               bool markers = true);

  RenderQuality quality() const;
  // The EGL platform and OpenGL renderer in use, e.g. "surfaceless: llvmpipe (LLVM 15.0.6...)".
  const std::string& backend() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace uw::sim
