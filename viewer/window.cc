#include "viewer/window.h"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <cstring>
#include <vector>

#include "core/error.h"

namespace uw::viewer {
namespace {

// GLFW reports errors through a callback; the last one explains a failed call.
std::string& last_glfw_error() {
  thread_local std::string text;
  return text;
}

void on_glfw_error(int code, const char* description) {
  last_glfw_error() = std::string(description) + " (GLFW error " + std::to_string(code) + ")";
}

}  // namespace

Window::Window(int width, int height, const std::string& title) {
  glfwSetErrorCallback(on_glfw_error);
  if (glfwInit() != GLFW_TRUE) {
    throw Error("viewer: GLFW could not start: " + last_glfw_error() +
                "; it needs a display (DISPLAY set, e.g. `Xvfb :99 &` and DISPLAY=:99)");
  }
  // MuJoCo's renderer draws with the compatibility profile; ImGui's OpenGL3 backend works there.
  // No multisampling: on a software rasteriser it costs more than the whole scene.
  window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (window_ == nullptr) {
    const std::string why = last_glfw_error();
    glfwTerminate();
    throw Error("viewer: could not open a " + std::to_string(width) + "x" + std::to_string(height) +
                " window: " + why);
  }
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(0);  // the viewer paces itself; vsync would hide the frame rate

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // the same layout on every start (and in tests)
  ImGui::StyleColorsDark();
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  ImGui_ImplOpenGL3_Init("#version 130");
}

Window::~Window() {
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window_);
  glfwTerminate();
}

bool Window::should_close() const { return glfwWindowShouldClose(window_) != 0; }

void Window::begin_frame() {
  glfwPollEvents();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
  ui_rendered_ = false;
}

void Window::render_ui() {
  ImGui::Render();
  glViewport(0, 0, framebuffer_width(), framebuffer_height());
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  ui_rendered_ = true;
}

void Window::end_frame() {
  if (!ui_rendered_) render_ui();
  glfwSwapBuffers(window_);
}

sim::Image Window::read_pixels() const {
  const int w = framebuffer_width(), h = framebuffer_height();
  sim::Image image;
  image.width = w;
  image.height = h;
  image.rgb.resize(static_cast<size_t>(w) * h * 3);
  std::vector<uint8_t> rows(image.rgb.size());
  glReadBuffer(GL_BACK);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, rows.data());
  // OpenGL's first row is the bottom one
  const size_t stride = static_cast<size_t>(w) * 3;
  for (int y = 0; y < h; ++y) {
    std::memcpy(image.rgb.data() + static_cast<size_t>(y) * stride,
                rows.data() + static_cast<size_t>(h - 1 - y) * stride, stride);
  }
  return image;
}

int Window::framebuffer_width() const {
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  return w;
}

int Window::framebuffer_height() const {
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  return h;
}

}  // namespace uw::viewer
