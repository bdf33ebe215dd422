#include "viewer/viewer_app.h"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "core/error.h"
#include "sim/image.h"
#include "viewer/dataset_mode.h"
#include "viewer/live_mode.h"
#include "viewer/panels.h"
#include "viewer/scene_view.h"
#include "viewer/window.h"

namespace uw::viewer {
namespace {

using Clock = std::chrono::steady_clock;

// The live mode, with the agent acting and its plans drawn (--agent), or the model's
// imagination drawn (--model). An overlay that cannot be made is an error in the window's panel.
std::unique_ptr<Mode> make_live_mode(const envs::Registry& registry, const ViewerConfig& c) {
  auto mode = std::make_unique<LiveMode>(
      std::make_unique<LiveSession>(registry, c.env, c.options, c.seed, c.policy));
  const envs::EnvSpec& spec = mode->session().spec();
  try {
    if (!c.agent.empty()) {
      AgentView agent = make_agent_view(registry, c.agent, c.model, spec);
      mode->session().use_policy(std::move(agent.policy), c.agent);
      mode->set_overlay(std::move(agent.overlay));
    } else if (!c.model.empty()) {
      mode->set_overlay(make_model_overlay(registry, c.model, spec));
    }
  } catch (const Error& e) {
    std::string error = c.agent.empty() ? "--model: " : "--agent: ";
    error += e.what();  // (appended: g++ 12 warns falsely on "x" + std::string)
    mode->add_error(std::move(error));
  }
  return mode;
}

std::unique_ptr<Mode> make_mode(const envs::Registry& registry, const ViewerConfig& c) {
  if (c.env.empty() == c.dataset.empty()) {
    throw Error("umwelt view: give either --env ID or --dataset DIR");
  }
  if (!c.agent.empty() && (c.env.empty() || c.model.empty())) {
    throw Error(
        "umwelt view --agent: give --env ID and --model DIR too (the agent acts in the "
        "env; its plans are drawn as the model imagines them)");
  }
  if (!c.model.empty() && !std::filesystem::is_directory(c.model)) {
    throw Error("--model: '" + c.model.string() + "' is not a folder (a model umwelt train wrote)");
  }
  if (!c.env.empty()) return make_live_mode(registry, c);
  auto mode = std::make_unique<DatasetMode>(std::make_unique<DatasetSession>(registry, c.dataset),
                                            c.episode, c.step, c.play);
  if (!c.model.empty()) {
    try {
      mode->set_overlay(
          make_model_overlay(registry, c.model, mode->session().dataset().manifest().spec));
    } catch (const Error& e) {
      std::string error = "--model: ";
      error += e.what();
      mode->add_error(std::move(error));
    }
  }
  return mode;
}

void check_writable_folder(const std::filesystem::path& folder, const char* what) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder.empty() ? "." : folder, ec)) {
    throw Error(std::string(what) + ": folder '" + folder.string() + "' does not exist");
  }
}

std::string numbered(const std::filesystem::path& dir, const char* stem, int64_t n) {
  char name[64];
  std::snprintf(name, sizeof name, "%s-%06lld.png", stem, static_cast<long long>(n));
  return (dir / name).string();
}

// The scene's camera and toggles, and the help.
class SceneControls {
 public:
  void handle_input(SceneView& view) {
    const ImGuiIO& io = ImGui::GetIO();
    if (!io.WantCaptureKeyboard) {
      if (ImGui::IsKeyPressed(GLFW_KEY_C, false)) view.toggles.contacts ^= true;
      if (ImGui::IsKeyPressed(GLFW_KEY_F, false)) view.toggles.contact_forces ^= true;
      if (ImGui::IsKeyPressed(GLFW_KEY_B, false)) view.toggles.frames ^= true;
      if (ImGui::IsKeyPressed(GLFW_KEY_T, false)) view.toggles.transparent ^= true;
      if (ImGui::IsKeyPressed(GLFW_KEY_M, false)) view.toggles.markers ^= true;
      if (ImGui::IsKeyPressed(GLFW_KEY_P, false)) view.toggles.pretty ^= true;
      if (ImGui::IsKeyPressed(GLFW_KEY_F1, false)) help_ ^= true;
    }
    if (io.WantCaptureMouse) return;
    const double h = std::max(1.0f, io.DisplaySize.y);
    const bool shift = io.KeyShift;
    if (ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
      view.drag(io.MouseDelta.x / h, io.MouseDelta.y / h, false, shift);
    } else if (ImGui::IsMouseDragging(ImGuiMouseButton_Right)) {
      view.drag(io.MouseDelta.x / h, io.MouseDelta.y / h, true, shift);
    }
    if (io.MouseWheel != 0) view.zoom(io.MouseWheel);
  }

  void draw(SceneView& view, double fps, const std::string& status) {
    ImGui::SetNextWindowPos(ImVec2(1060, 560), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(210, 0), ImGuiCond_FirstUseEver);
    ImGui::Begin("Scene");
    ImGui::Text("%.0f frames/s", fps);
    ImGui::Checkbox("contacts (C)", &view.toggles.contacts);
    ImGui::Checkbox("contact forces (F)", &view.toggles.contact_forces);
    ImGui::Checkbox("body frames (B)", &view.toggles.frames);
    ImGui::Checkbox("transparent (T)", &view.toggles.transparent);
    ImGui::Checkbox("task markers (M)", &view.toggles.markers);
    ImGui::Checkbox("shadows, reflections (P)", &view.toggles.pretty);
    const std::vector<std::string> bodies = view.body_names();
    const int followed = view.followed();
    const std::string current =
        followed < 0 ? "free camera" : "follow " + bodies[static_cast<size_t>(followed)];
    if (ImGui::BeginCombo("##camera", current.c_str())) {
      if (ImGui::Selectable("free camera", followed < 0)) view.follow(-1);
      for (size_t i = 1; i < bodies.size(); ++i) {  // body 0 is the world
        const std::string label =
            "follow " + (bodies[i].empty() ? "body " + std::to_string(i) : bodies[i]);
        if (ImGui::Selectable(label.c_str(), followed == static_cast<int>(i))) {
          view.follow(static_cast<int>(i));
        }
      }
      ImGui::EndCombo();
    }
    ImGui::Checkbox("help (F1)", &help_);
    if (!status.empty()) ImGui::TextWrapped("%s", status.c_str());
    ImGui::End();
    if (help_) {
      ImGui::SetNextWindowPos(ImVec2(560, 480), ImGuiCond_FirstUseEver);
      ImGui::Begin("Help", &help_, ImGuiWindowFlags_AlwaysAutoResize);
      show_help();
      ImGui::End();
    }
  }

 private:
  bool help_ = false;
};

}  // namespace

nlohmann::json run_viewer(const envs::Registry& registry, const ViewerConfig& config) {
  if (config.width < 200 || config.height < 150 || config.width > 8192 || config.height > 8192) {
    throw Error("--size " + std::to_string(config.width) + "x" + std::to_string(config.height) +
                ": expected a window from 200x150 to 8192x8192");
  }
  if (!config.screenshot.empty()) {
    check_writable_folder(config.screenshot.parent_path(), "--screenshot");
  }
  if (!config.record.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(config.record, ec);
    if (ec)
      throw Error("--record: cannot make folder '" + config.record.string() + "': " + ec.message());
  }
  std::unique_ptr<Mode> mode = make_mode(registry, config);
  Window window(config.width, config.height, mode->title());
  SceneView view;
  SceneControls controls;
  std::string status;
  int64_t frames = 0, screenshots = 0;
  // the rate counts the frames after the first few (the window and the first scene set up)
  constexpr int64_t kWarmFrames = 10;
  const auto start = Clock::now();
  auto last = start, warm = start;
  double fps = 0;
  for (;;) {
    const bool scripted_end = config.frames > 0 && frames + 1 >= config.frames && mode->settled();
    window.begin_frame();
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - last).count();
    last = now;
    fps = 0.9 * fps + 0.1 * (elapsed > 0 ? 1.0 / elapsed : 0.0);
    if (!ImGui::GetIO().WantCaptureKeyboard) mode->handle_keys();
    controls.handle_input(view);
    mode->update(view, elapsed);

    glViewport(0, 0, window.framebuffer_width(), window.framebuffer_height());
    glClearColor(0.1f, 0.1f, 0.12f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    view.render(0, 0, window.framebuffer_width(), window.framebuffer_height());
    mode->draw_panels();
    controls.draw(view, fps, status);
    window.render_ui();

    const bool shot_key =
        !ImGui::GetIO().WantCaptureKeyboard && ImGui::IsKeyPressed(GLFW_KEY_S, false);
    if (shot_key || scripted_end || !config.record.empty()) {
      const sim::Image image = window.read_pixels();
      if (!config.record.empty()) sim::write_png(image, numbered(config.record, "frame", frames));
      if (shot_key) {
        const std::string path = numbered(".", "umwelt-view", screenshots++);
        sim::write_png(image, path);
        status = "saved " + path;
      }
      if (scripted_end && !config.screenshot.empty()) sim::write_png(image, config.screenshot);
    }
    window.end_frame();
    if (++frames == kWarmFrames) warm = Clock::now();
    if (scripted_end || window.should_close()) break;
  }
  const auto end = Clock::now();
  const double seconds = std::chrono::duration<double>(end - start).count();
  const double steady = std::chrono::duration<double>(end - warm).count();
  nlohmann::json out = mode->summary();
  out["frames"] = frames;
  out["seconds"] = seconds;
  out["frames_per_second"] =
      frames > kWarmFrames && steady > 0 ? static_cast<double>(frames - kWarmFrames) / steady : 0.0;
  if (!config.screenshot.empty()) out["screenshot"] = config.screenshot.string();
  return out;
}

}  // namespace uw::viewer
