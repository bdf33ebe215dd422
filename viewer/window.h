#pragma once

#include <memory>
#include <string>

#include "sim/image.h"

struct GLFWwindow;

namespace uw::viewer {

// A GLFW window with its OpenGL context current on the calling thread, and Dear ImGui set up
// on it (the GLFW and OpenGL3 backends). One per process: GLFW and ImGui keep global state.
class Window {
 public:
  // Throws uw::Error when GLFW cannot start (no display: set DISPLAY, e.g. under Xvfb) or the
  // window or its OpenGL context cannot be made.
  Window(int width, int height, const std::string& title);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  bool should_close() const;
  // Polls events and starts an ImGui frame.
  void begin_frame();
  // Draws ImGui over what was rendered and shows the frame.
  void end_frame();
  // Draws ImGui into the back buffer without showing it yet; end_frame() after it only swaps.
  void render_ui();
  // The back buffer as an RGB picture (top row first), after render_ui().
  sim::Image read_pixels() const;

  int framebuffer_width() const;
  int framebuffer_height() const;
  GLFWwindow* handle() const { return window_; }

 private:
  GLFWwindow* window_ = nullptr;
  bool ui_rendered_ = false;
};

}  // namespace uw::viewer
