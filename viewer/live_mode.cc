#include "viewer/live_mode.h"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>

#include "core/error.h"

namespace uw::viewer {
namespace {

// The behaviour policies offered in the UI (manual starts at zero actions); any other spec
// comes from --policy.
constexpr const char* kPolicies[] = {"manual", "random", "scripted"};

}  // namespace

LiveMode::LiveMode(std::unique_ptr<LiveSession> session)
    : session_(std::move(session)),
      manual_(static_cast<size_t>(session_->spec().action_space.flat_size()), 0.0f) {}

void LiveMode::add_error(std::string error) {
  errors_.push_back(std::move(error));
  constexpr size_t kKept = 20;  // an overlay failing at every step must not grow it for ever
  if (errors_.size() > kKept) errors_.erase(errors_.begin());
}

std::string LiveMode::title() const { return "umwelt view: " + session_->spec().id; }

void LiveMode::handle_keys() {
  if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false)) session_->set_playing(!snapshot_.playing);
  if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT)) session_->step_once();
  if (ImGui::IsKeyPressed(GLFW_KEY_BACKSPACE, false)) {
    session_->reset(static_cast<uint64_t>(seed_));
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_EQUAL)) session_->set_speed(session_->speed() * 2);
  if (ImGui::IsKeyPressed(GLFW_KEY_MINUS)) session_->set_speed(session_->speed() / 2);
  // held keys drive the first three action dims while the policy is manual
  static constexpr int kKeys[][2] = {
      {GLFW_KEY_J, GLFW_KEY_L}, {GLFW_KEY_K, GLFW_KEY_I}, {GLFW_KEY_U, GLFW_KEY_O}};
  bool any = false;
  for (size_t i = 0; i < std::min<size_t>(3, manual_.size()); ++i) {
    const bool down = ImGui::IsKeyDown(kKeys[i][0]), up = ImGui::IsKeyDown(kKeys[i][1]);
    if (down || up) {
      manual_[i] = up ? 1.0f : -1.0f;
      any = true;
    }
  }
  if (any) session_->set_manual_action(manual_);
}

void LiveMode::update(SceneView& view, double) {
  session_->snapshot(view, snapshot_);
  if (!overlay_) return;
  try {
    overlay_->update(recent_stretch(), view);
  } catch (const Error& e) {
    add_error(e.what());
  }
}

EpisodeStretch LiveMode::recent_stretch() const {
  const envs::EnvSpec& spec = session_->spec();
  const auto d = static_cast<int64_t>(spec.observation_space.flat_size());
  const auto a = static_cast<int64_t>(spec.action_space.flat_size());
  EpisodeStretch out;
  out.episode = snapshot_.episode;
  out.start = snapshot_.step;
  if (d == 0 || a == 0) return out;
  // the last observation row is now, the last action row led to it (the reset's observation is
  // the first row until the history is trimmed)
  const auto obs_rows = static_cast<int64_t>(snapshot_.observations.size()) / d;
  const auto action_rows = static_cast<int64_t>(snapshot_.actions.size()) / a;
  const int64_t m = std::min({overlay_->reach(), action_rows, obs_rows - 1});
  if (m < 0) return out;
  const int64_t first = obs_rows - 1 - m;
  out.start = snapshot_.step - m;
  out.start_obs = std::span(snapshot_.observations).subspan(first * d, d);
  out.actions = std::span(snapshot_.actions).subspan((action_rows - m) * a);
  out.next_obs = std::span(snapshot_.observations).subspan((first + 1) * d);
  return out;
}

void LiveMode::draw_panels() {
  draw_controls();
  draw_plots();
  const envs::EnvSpec& spec = session_->spec();
  if (spec.pixel_space && !snapshot_.pixels.empty()) {
    const std::vector<int64_t>& shape = spec.pixel_space->shape();  // [H, W, 3]
    ImGui::SetNextWindowPos(ImVec2(1000, 10), ImGuiCond_FirstUseEver);
    ImGui::Begin("Pixel observation");
    pixels_.show(snapshot_.pixels, static_cast<int>(shape[1]), static_cast<int>(shape[0]),
                 std::max(1.0f, 192.0f / static_cast<float>(shape[1])));
    ImGui::End();
  }
  if (overlay_) overlay_->draw_panel();
  if (!snapshot_.errors.empty() || !errors_.empty()) {
    ImGui::SetNextWindowPos(ImVec2(340, 10), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(520, 140), ImGuiCond_FirstUseEver);
    ImGui::Begin("Errors");
    show_lines(errors_);
    show_lines(snapshot_.errors);
    ImGui::End();
  }
}

void LiveMode::draw_controls() {
  ImGui::SetNextWindowPos(ImVec2(10, 10), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(320, 0), ImGuiCond_FirstUseEver);
  ImGui::Begin("Simulation");
  ImGui::Text("%s", session_->spec().id.c_str());
  if (ImGui::Button(snapshot_.playing ? "Pause" : "Play"))
    session_->set_playing(!snapshot_.playing);
  ImGui::SameLine();
  if (ImGui::Button("Step")) session_->step_once();
  ImGui::SameLine();
  if (ImGui::Button("Reset")) session_->reset(static_cast<uint64_t>(seed_));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90);
  ImGui::InputInt("seed", &seed_);
  seed_ = std::max(seed_, 0);
  float speed = static_cast<float>(session_->speed());
  if (ImGui::SliderFloat("speed", &speed, 0.1f, 10.0f, "%.2fx", ImGuiSliderFlags_Logarithmic)) {
    session_->set_speed(speed);
  }
  ImGui::Text("episode %lld, step %lld, return %.3f", static_cast<long long>(snapshot_.episode),
              static_cast<long long>(snapshot_.step), snapshot_.episode_return);
  ImGui::Text("%.0f steps/s (real time: %.0f)", snapshot_.steps_per_second,
              1.0 / session_->control_dt());
  if (!snapshot_.last_end.empty()) ImGui::TextWrapped("last: %s", snapshot_.last_end.c_str());

  const std::string current = session_->policy();
  if (ImGui::BeginCombo("policy", current.c_str())) {
    for (const char* name : kPolicies) {
      if (ImGui::Selectable(name, current == name)) session_->set_policy(name);
    }
    ImGui::EndCombo();
  }
  if (current == "manual") {
    bool changed = false;
    for (size_t i = 0; i < manual_.size(); ++i) {
      std::string label = "a";  // (appended: g++ 12 warns falsely on "a" + std::string)
      label += std::to_string(i);
      changed |= ImGui::SliderFloat(label.c_str(), &manual_[i], -1.0f, 1.0f);
    }
    if (ImGui::Button("zero")) {
      std::fill(manual_.begin(), manual_.end(), 0.0f);
      changed = true;
    }
    if (changed) session_->set_manual_action(manual_);
  }
  ImGui::End();
}

void LiveMode::draw_plots() {
  const envs::EnvSpec& spec = session_->spec();
  const int d = static_cast<int>(spec.observation_space.flat_size());
  const int a = static_cast<int>(spec.action_space.flat_size());
  ImGui::SetNextWindowPos(ImVec2(10, 560), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(520, 230), ImGuiCond_FirstUseEver);
  ImGui::Begin("Plots");
  const int n = static_cast<int>(snapshot_.rewards.size());
  plot_with_cursor("reward", snapshot_.rewards.data(), n, 1, n - 1, 50);
  if (d > 0 && !snapshot_.observations.empty()) {
    ImGui::SliderInt("observation dim", &observation_dim_, 0, d - 1);
    const int rows = static_cast<int>(snapshot_.observations.size()) / d;
    plot_with_cursor("##obs", snapshot_.observations.data() + observation_dim_, rows, d, rows - 1,
                     50);
  }
  if (a > 0 && !snapshot_.actions.empty()) {
    ImGui::SliderInt("action dim", &action_dim_, 0, a - 1);
    const int rows = static_cast<int>(snapshot_.actions.size()) / a;
    plot_with_cursor("##action", snapshot_.actions.data() + action_dim_, rows, a, rows - 1, 40);
  }
  ImGui::End();
}

nlohmann::json LiveMode::summary() const {
  std::vector<std::string> errors = errors_;
  errors.insert(errors.end(), snapshot_.errors.begin(), snapshot_.errors.end());
  nlohmann::json out = {
      {"mode", "env"},          {"env", session_->spec().id},   {"episodes", snapshot_.episode},
      {"step", snapshot_.step}, {"policy", session_->policy()}, {"errors", errors}};
  if (overlay_) out["overlay"] = overlay_->summary();
  return out;
}

}  // namespace uw::viewer
