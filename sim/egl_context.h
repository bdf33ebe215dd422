#pragma once

#include <string>
#include <string_view>

namespace uw::sim {

// Where an offscreen OpenGL context comes from.
enum class EglPlatform {
  kAuto,         // $UMWELT_EGL_PLATFORM when set, else: a GPU device, surfaceless, any device,
                 // the default display (in that order)
  kDevice,       // EGL_EXT_platform_device: the first device that works (GPUs first)
  kSurfaceless,  // EGL_MESA_platform_surfaceless: Mesa, software when there is no GPU
  kDefault,      // eglGetDisplay(EGL_DEFAULT_DISPLAY)
};

// "auto", "device", "surfaceless", "default"; parse throws uw::Error on another name.
std::string_view egl_platform_name(EglPlatform platform);
EglPlatform parse_egl_platform(std::string_view name);

// An OpenGL (compatibility profile) context with no window and no display server, made through
// EGL. Nothing process-wide is changed: no environment variables are set. Usable from any
// thread, current on at most one at a time (see Current).
class EglContext {
 public:
  // Throws uw::Error naming each platform tried, the step that failed and the EGL error code,
  // when none gives a context.
  explicit EglContext(EglPlatform platform = EglPlatform::kAuto);
  ~EglContext();
  EglContext(const EglContext&) = delete;
  EglContext& operator=(const EglContext&) = delete;

  // The context made current on the calling thread for the guard's lifetime, released after.
  class Current {
   public:
    explicit Current(const EglContext& context);  // throws uw::Error when it cannot be made current
    ~Current();
    Current(const Current&) = delete;
    Current& operator=(const Current&) = delete;

   private:
    const EglContext& context_;
  };

  // Which platform gave the context and the OpenGL renderer it runs on, e.g. "surfaceless:
  // llvmpipe (LLVM 15.0.6, 256 bits)".
  const std::string& description() const { return description_; }

 private:
  void* display_ = nullptr;  // EGLDisplay, shared by every context on the platform
  void* context_ = nullptr;  // EGLContext
  std::string description_;
};

}  // namespace uw::sim
