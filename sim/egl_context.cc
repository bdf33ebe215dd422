#include "sim/egl_context.h"

// keep X11's headers (and their macros) out of this file
#define EGL_NO_X11
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GL/gl.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/error.h"

namespace uw::sim {
namespace {

std::string egl_error_text(EGLint code) {
  switch (code) {
    case EGL_SUCCESS:
      return "EGL_SUCCESS";
    case EGL_NOT_INITIALIZED:
      return "EGL_NOT_INITIALIZED";
    case EGL_BAD_ACCESS:
      return "EGL_BAD_ACCESS";
    case EGL_BAD_ALLOC:
      return "EGL_BAD_ALLOC";
    case EGL_BAD_ATTRIBUTE:
      return "EGL_BAD_ATTRIBUTE";
    case EGL_BAD_CONFIG:
      return "EGL_BAD_CONFIG";
    case EGL_BAD_CONTEXT:
      return "EGL_BAD_CONTEXT";
    case EGL_BAD_DISPLAY:
      return "EGL_BAD_DISPLAY";
    case EGL_BAD_MATCH:
      return "EGL_BAD_MATCH";
    case EGL_BAD_PARAMETER:
      return "EGL_BAD_PARAMETER";
  }
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%04x", static_cast<unsigned>(code));
  return hex;
}

std::string last_egl_error() { return egl_error_text(eglGetError()); }

bool has_extension(const char* list, std::string_view extension) {
  if (list == nullptr) return false;
  std::string_view rest(list);
  while (!rest.empty()) {
    const size_t space = rest.find(' ');
    if (rest.substr(0, space) == extension) return true;
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space + 1);
  }
  return false;
}

// A display to try, and the name it goes by in messages.
struct Candidate {
  std::string name;
  EGLDisplay display = EGL_NO_DISPLAY;
};

// The EGL devices, GPUs first (Mesa marks its software rasteriser EGL_MESA_device_software).
void add_devices(bool hardware, std::vector<Candidate>& out, std::string& failures) {
  const char* client = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
  if (!has_extension(client, "EGL_EXT_device_enumeration") ||
      !has_extension(client, "EGL_EXT_platform_device")) {
    if (hardware) failures += "\n  device: EGL_EXT_device_enumeration is not available";
    return;
  }
  auto query_devices =
      reinterpret_cast<PFNEGLQUERYDEVICESEXTPROC>(eglGetProcAddress("eglQueryDevicesEXT"));
  auto query_string = reinterpret_cast<PFNEGLQUERYDEVICESTRINGEXTPROC>(
      eglGetProcAddress("eglQueryDeviceStringEXT"));
  auto platform_display = reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
      eglGetProcAddress("eglGetPlatformDisplayEXT"));
  EGLint count = 0;
  if (query_devices == nullptr || query_string == nullptr || platform_display == nullptr ||
      !query_devices(0, nullptr, &count)) {
    if (hardware) failures += "\n  device: eglQueryDevicesEXT failed (" + last_egl_error() + ")";
    return;
  }
  std::vector<EGLDeviceEXT> devices(count);
  if (count > 0 && !query_devices(count, devices.data(), &count)) count = 0;
  if (hardware && count == 0) failures += "\n  device: no EGL devices";
  for (int i = 0; i < count; ++i) {
    const bool software =
        has_extension(query_string(devices[i], EGL_EXTENSIONS), "EGL_MESA_device_software");
    if (software == hardware) continue;
    out.push_back({"device " + std::to_string(i) + (software ? " (software)" : ""),
                   platform_display(EGL_PLATFORM_DEVICE_EXT, devices[i], nullptr)});
  }
}

void add_surfaceless(std::vector<Candidate>& out, std::string& failures) {
  const char* client = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
  if (!has_extension(client, "EGL_MESA_platform_surfaceless")) {
    failures += "\n  surfaceless: EGL_MESA_platform_surfaceless is not available";
    return;
  }
  auto platform_display = reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
      eglGetProcAddress("eglGetPlatformDisplayEXT"));
  if (platform_display == nullptr) {
    failures += "\n  surfaceless: eglGetPlatformDisplayEXT is not available";
    return;
  }
  out.push_back({"surfaceless",
                 platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr)});
}

std::vector<Candidate> candidates(EglPlatform platform, std::string& failures) {
  std::vector<Candidate> out;
  switch (platform) {
    case EglPlatform::kAuto:
      // a GPU first: on a machine with an NVIDIA GPU and Mesa, Mesa would also answer the
      // surfaceless platform, with its software rasteriser
      add_devices(/*hardware=*/true, out, failures);
      add_surfaceless(out, failures);
      add_devices(/*hardware=*/false, out, failures);
      out.push_back({"default display", eglGetDisplay(EGL_DEFAULT_DISPLAY)});
      break;
    case EglPlatform::kDevice:
      add_devices(/*hardware=*/true, out, failures);
      add_devices(/*hardware=*/false, out, failures);
      break;
    case EglPlatform::kSurfaceless:
      add_surfaceless(out, failures);
      break;
    case EglPlatform::kDefault:
      out.push_back({"default display", eglGetDisplay(EGL_DEFAULT_DISPLAY)});
      break;
  }
  return out;
}

// A desktop OpenGL context on the display, or EGL_NO_CONTEXT with the reason in `why`. A display
// initialised here stays initialised: EGL hands every caller the same display, so terminating it
// would pull it from under the other renderers of the process.
EGLContext make_context(EGLDisplay display, std::string& why) {
  if (display == EGL_NO_DISPLAY) {
    why = "no display (" + last_egl_error() + ")";
    return EGL_NO_CONTEXT;
  }
  EGLint major = 0;
  EGLint minor = 0;
  if (!eglInitialize(display, &major, &minor)) {
    why = "eglInitialize failed (" + last_egl_error() + ")";
    return EGL_NO_CONTEXT;
  }
  if (!eglBindAPI(EGL_OPENGL_API)) {
    why = "eglBindAPI(EGL_OPENGL_API) failed (" + last_egl_error() + ")";
    return EGL_NO_CONTEXT;
  }
  const EGLint attributes[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE,
                               EGL_OPENGL_BIT, EGL_NONE};
  EGLConfig config = nullptr;
  EGLint count = 0;
  if (!eglChooseConfig(display, attributes, &config, 1, &count) || count == 0) {
    // the context is never drawn to a surface, so no config is needed where that is allowed
    if (!has_extension(eglQueryString(display, EGL_EXTENSIONS), "EGL_KHR_no_config_context")) {
      why = "no OpenGL config (" + last_egl_error() + ")";
      return EGL_NO_CONTEXT;
    }
    config = EGL_NO_CONFIG_KHR;
  }
  EGLContext context = eglCreateContext(display, config, EGL_NO_CONTEXT, nullptr);
  if (context == EGL_NO_CONTEXT) {
    why = "eglCreateContext failed (" + last_egl_error() + ")";
    return EGL_NO_CONTEXT;
  }
  if (!eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, context)) {
    why = "eglMakeCurrent without a surface failed (" + last_egl_error() + ")";
    eglDestroyContext(display, context);
    return EGL_NO_CONTEXT;
  }
  return context;
}

EglPlatform platform_from_environment() {
  const char* name = std::getenv("UMWELT_EGL_PLATFORM");
  if (name == nullptr || *name == '\0') return EglPlatform::kAuto;
  try {
    return parse_egl_platform(name);
  } catch (const Error& e) {
    throw Error(std::string("UMWELT_EGL_PLATFORM: ") + e.what());
  }
}

}  // namespace

std::string_view egl_platform_name(EglPlatform platform) {
  switch (platform) {
    case EglPlatform::kAuto:
      return "auto";
    case EglPlatform::kDevice:
      return "device";
    case EglPlatform::kSurfaceless:
      return "surfaceless";
    case EglPlatform::kDefault:
      return "default";
  }
  return "?";
}

EglPlatform parse_egl_platform(std::string_view name) {
  for (EglPlatform platform : {EglPlatform::kAuto, EglPlatform::kDevice, EglPlatform::kSurfaceless,
                               EglPlatform::kDefault}) {
    if (egl_platform_name(platform) == name) return platform;
  }
  throw Error("unknown EGL platform '" + std::string(name) +
              "'; expected auto, device, surfaceless or default");
}

EglContext::EglContext(EglPlatform platform) {
  if (platform == EglPlatform::kAuto) platform = platform_from_environment();
  std::string failures;
  for (const Candidate& candidate : candidates(platform, failures)) {
    std::string why;
    EGLContext context = make_context(candidate.display, why);
    if (context == EGL_NO_CONTEXT) {
      failures += "\n  " + candidate.name + ": " + why;
      continue;
    }
    const auto* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    description_ = candidate.name + ": " + (renderer != nullptr ? renderer : "unknown renderer");
    eglMakeCurrent(candidate.display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    display_ = candidate.display;
    context_ = context;
    return;
  }
  throw Error("cannot make an offscreen OpenGL context through EGL (platform " +
              std::string(egl_platform_name(platform)) +
              "); tried:" + (failures.empty() ? std::string(" nothing") : failures) +
              "\n(install libegl1 and Mesa's libgl1-mesa-dri, or a GPU driver with EGL)");
}

EglContext::~EglContext() {
  if (context_ != nullptr) eglDestroyContext(display_, context_);
}

EglContext::Current::Current(const EglContext& context) : context_(context) {
  // the release in the destructor acts on the thread's bound API, so bind it on this thread
  if (!eglBindAPI(EGL_OPENGL_API) ||
      !eglMakeCurrent(context_.display_, EGL_NO_SURFACE, EGL_NO_SURFACE, context_.context_)) {
    throw Error("cannot make the OpenGL context current on this thread (" + last_egl_error() +
                "); is it current on another one?");
  }
}

EglContext::Current::~Current() {
  eglMakeCurrent(context_.display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
}

}  // namespace uw::sim
