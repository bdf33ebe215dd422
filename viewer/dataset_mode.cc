#include "viewer/dataset_mode.h"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>

#include "core/error.h"

namespace uw::viewer {
namespace {

enum Column { kEpisode, kReturn, kLength, kSuccess, kEnd };

void sort_rows(std::vector<EpisodeRow>& rows, const ImGuiTableSortSpecs* specs) {
  if (specs == nullptr || specs->SpecsCount == 0) return;
  const ImGuiTableColumnSortSpecs& s = specs->Specs[0];
  const bool ascending = s.SortDirection == ImGuiSortDirection_Ascending;
  auto key = [&](const EpisodeRow& r) -> double {
    switch (s.ColumnIndex) {
      case kReturn:
        return r.total_reward;
      case kLength:
        return static_cast<double>(r.steps);
      case kSuccess:
        return r.success.value_or(false) ? 1.0 : 0.0;
      default:
        return static_cast<double>(r.episode);
    }
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const EpisodeRow& a, const EpisodeRow& b) {
    return ascending ? key(a) < key(b) : key(a) > key(b);
  });
}

}  // namespace

DatasetMode::DatasetMode(std::unique_ptr<DatasetSession> session, int64_t position, int64_t step,
                         bool play)
    : session_(std::move(session)) {
  const int64_t size = session_->dataset().size();
  if (size == 0) {
    errors_.push_back("the dataset has no readable episode");
    return;
  }
  if (position < 0 || position >= size) {
    throw Error("--episode " + std::to_string(position) + ": the dataset has episodes 0.." +
                std::to_string(size - 1));
  }
  select(position);
  cursor_ = static_cast<double>(std::clamp<int64_t>(step, 0, steps()));
  playing_ = play;
}

void DatasetMode::add_error(std::string error) {
  errors_.push_back(std::move(error));
  constexpr size_t kKept = 20;  // an overlay failing at every step must not grow it for ever
  if (errors_.size() > kKept) errors_.erase(errors_.begin());
}

std::string DatasetMode::title() const {
  return "umwelt view: " + session_->dataset().dir().string();
}

int64_t DatasetMode::steps() const {
  const data::Episode* e = session_->episode();
  return e != nullptr ? e->steps : 0;
}

void DatasetMode::select(int64_t position) {
  try {
    session_->select(position);
  } catch (const Error& e) {
    add_error(e.what());
  }
  cursor_ = 0;
  playing_ = false;
}

void DatasetMode::handle_keys() {
  if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false)) playing_ = !playing_;
  if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT)) {
    playing_ = false;
    cursor_ = std::min<double>(static_cast<double>(steps()), std::floor(cursor_) + 1);
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_LEFT)) {
    playing_ = false;
    cursor_ = std::max(0.0, std::floor(cursor_) - 1);
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_BACKSPACE, false) || ImGui::IsKeyPressed(GLFW_KEY_HOME, false)) {
    cursor_ = 0;
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_END, false)) cursor_ = static_cast<double>(steps());
  if (ImGui::IsKeyPressed(GLFW_KEY_EQUAL)) speed_ = std::min(10.0f, speed_ * 2);
  if (ImGui::IsKeyPressed(GLFW_KEY_MINUS)) speed_ = std::max(0.1f, speed_ / 2);
  const int64_t size = session_->dataset().size();
  const int64_t at = session_->selected();
  if (ImGui::IsKeyPressed(GLFW_KEY_PAGE_DOWN) && at + 1 < size) select(at + 1);
  if (ImGui::IsKeyPressed(GLFW_KEY_PAGE_UP) && at > 0) select(at - 1);
}

void DatasetMode::update(SceneView& view, double wall_seconds) {
  if (playing_) {
    const double dt = session_->dataset().manifest().spec.control_dt();
    cursor_ += wall_seconds * speed_ / dt;
    if (cursor_ >= static_cast<double>(steps())) {
      cursor_ = static_cast<double>(steps());
      playing_ = false;
    }
  }
  const auto t = static_cast<int64_t>(cursor_);
  session_->show_step(t, view);
  if (!overlay_ || session_->episode() == nullptr) return;
  try {
    overlay_->update(stretch_from(t), view);
  } catch (const Error& e) {
    add_error(e.what());
  }
}

EpisodeStretch DatasetMode::stretch_from(int64_t t) const {
  const data::Episode& e = *session_->episode();
  const data::EpisodeLayout& layout = session_->dataset().manifest().layout;
  const int64_t d = layout.obs_size, a = layout.action_size, pixels = layout.pixel_size();
  t = std::clamp<int64_t>(t, 0, e.steps);
  const int64_t n = std::min(overlay_->reach(), e.steps - t);
  EpisodeStretch out;
  out.episode = e.index;
  out.start = t;
  out.start_obs = std::span(e.observations).subspan(t * d, d);
  if (pixels > 0 && !e.pixels.empty())
    out.start_pixels = std::span(e.pixels).subspan(t * pixels, pixels);
  out.start_state = session_->state(t);
  out.actions = std::span(e.actions).subspan(t * a, n * a);
  out.next_obs = std::span(e.observations).subspan((t + 1) * d, n * d);
  return out;
}

void DatasetMode::draw_panels() {
  draw_browser();
  draw_timeline();
  draw_plots();
  const data::Episode* e = session_->episode();
  const data::EpisodeLayout& layout = session_->dataset().manifest().layout;
  if (e != nullptr && layout.pixel_size() > 0 && !e->pixels.empty()) {
    const auto t = static_cast<size_t>(cursor_);
    const auto size = static_cast<size_t>(layout.pixel_size());
    ImGui::SetNextWindowPos(ImVec2(1000, 10), ImGuiCond_FirstUseEver);
    ImGui::Begin("Stored pixels");
    pixels_.show(std::span(e->pixels).subspan(t * size, size), static_cast<int>(layout.pixel_width),
                 static_cast<int>(layout.pixel_height),
                 std::max(1.0f, 192.0f / static_cast<float>(layout.pixel_width)));
    ImGui::End();
  }
  if (overlay_) overlay_->draw_panel();
  std::vector<std::string> lines = session_->problems();
  lines.insert(lines.end(), errors_.begin(), errors_.end());
  if (!session_->divergence().empty()) lines.push_back(session_->divergence());
  if (!lines.empty()) {
    ImGui::SetNextWindowPos(ImVec2(340, 10), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(560, 140), ImGuiCond_FirstUseEver);
    ImGui::Begin("Problems");
    show_lines(lines);
    ImGui::End();
  }
}

void DatasetMode::draw_browser() {
  ImGui::SetNextWindowPos(ImVec2(10, 10), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(320, 330), ImGuiCond_FirstUseEver);
  ImGui::Begin("Episodes");
  const data::Dataset& dataset = session_->dataset();
  ImGui::Text("%s: %lld episodes, %lld steps", dataset.manifest().generation.env_id.c_str(),
              static_cast<long long>(dataset.size()), static_cast<long long>(dataset.steps()));
  const int64_t checked = session_->checked();
  if (checked < dataset.size()) {
    ImGui::Text("checking frames: %lld of %lld", static_cast<long long>(checked),
                static_cast<long long>(dataset.size()));
  }
  rows_ = session_->rows();
  constexpr ImGuiTableFlags kFlags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg |
                                     ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV;
  if (ImGui::BeginTable("episodes", 5, kFlags)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_DefaultSort);
    ImGui::TableSetupColumn("return");
    ImGui::TableSetupColumn("length");
    ImGui::TableSetupColumn("success");
    ImGui::TableSetupColumn("end", ImGuiTableColumnFlags_NoSort);
    ImGui::TableHeadersRow();
    sort_rows(rows_, ImGui::TableGetSortSpecs());
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows_.size()));
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const EpisodeRow& r = rows_[static_cast<size_t>(i)];
        const bool damaged = !r.fault.empty();
        if (damaged) ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 110, 110, 255));
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        const std::string label = std::to_string(r.episode) + (damaged ? " damaged" : "");
        if (ImGui::Selectable(label.c_str(), r.position == session_->selected(),
                              ImGuiSelectableFlags_SpanAllColumns)) {
          select(r.position);
        }
        if (damaged && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", r.fault.c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%.2f", r.total_reward);
        ImGui::TableNextColumn();
        ImGui::Text("%lld", static_cast<long long>(r.steps));
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(!r.success ? "-" : (*r.success ? "yes" : "no"));
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(r.end_reason.c_str());
        if (damaged) ImGui::PopStyleColor();
      }
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

void DatasetMode::draw_timeline() {
  ImGui::SetNextWindowPos(ImVec2(10, 350), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(320, 0), ImGuiCond_FirstUseEver);
  ImGui::Begin("Timeline");
  const data::Episode* e = session_->episode();
  if (e == nullptr) {
    ImGui::TextUnformatted("no episode selected");
    ImGui::End();
    return;
  }
  ImGui::Text("episode %lld, seed %llu, policy %s", static_cast<long long>(e->index),
              static_cast<unsigned long long>(e->seed), e->policy.c_str());
  ImGui::Text("return %.3f, %s%s", e->total_reward(),
              std::string(envs::end_reason_name(e->reason)).c_str(),
              !e->success ? "" : (*e->success ? ", success" : ", no success"));
  if (ImGui::Button(playing_ ? "Pause" : "Play")) playing_ = !playing_;
  ImGui::SameLine();
  if (ImGui::Button("<")) cursor_ = std::max(0.0, std::floor(cursor_) - 1);
  ImGui::SameLine();
  if (ImGui::Button(">"))
    cursor_ = std::min<double>(static_cast<double>(steps()), std::floor(cursor_) + 1);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(120);
  ImGui::SliderFloat("speed", &speed_, 0.1f, 10.0f, "%.2fx", ImGuiSliderFlags_Logarithmic);
  int step = static_cast<int>(cursor_);
  if (ImGui::SliderInt("step", &step, 0, static_cast<int>(e->steps))) {
    cursor_ = step;
    playing_ = false;
  }
  ImGui::End();
}

void DatasetMode::draw_plots() {
  const data::Episode* e = session_->episode();
  if (e == nullptr) return;
  const data::EpisodeLayout& layout = session_->dataset().manifest().layout;
  const int d = static_cast<int>(layout.obs_size), a = static_cast<int>(layout.action_size);
  const int t = static_cast<int>(cursor_);
  ImGui::SetNextWindowPos(ImVec2(10, 560), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(520, 230), ImGuiCond_FirstUseEver);
  ImGui::Begin("Plots");
  const int n = static_cast<int>(e->steps);
  // rewards and actions belong to the step from t to t + 1
  plot_with_cursor("reward", e->rewards.data(), n, 1, std::min(t, n - 1), 50);
  if (d > 0) {
    ImGui::SliderInt("observation dim", &observation_dim_, 0, d - 1);
    plot_with_cursor("##obs", e->observations.data() + observation_dim_, n + 1, d, t, 50);
  }
  if (a > 0) {
    ImGui::SliderInt("action dim", &action_dim_, 0, a - 1);
    plot_with_cursor("##action", e->actions.data() + action_dim_, n, a, std::min(t, n - 1), 40);
  }
  ImGui::End();
}

bool DatasetMode::settled() const { return session_->checked() >= session_->dataset().size(); }

nlohmann::json DatasetMode::summary() const {
  nlohmann::json damaged = nlohmann::json::array();
  for (const EpisodeRow& r : session_->rows()) {
    if (!r.fault.empty()) damaged.push_back(r.episode);
  }
  nlohmann::json out = {{"mode", "dataset"},
                        {"dataset", session_->dataset().dir().string()},
                        {"episodes", session_->dataset().size()},
                        {"selected", session_->episode() ? session_->episode()->index : -1},
                        {"step", static_cast<int64_t>(cursor_)},
                        {"damaged", damaged},
                        {"problems", session_->problems()},
                        {"divergence", session_->divergence()},
                        {"errors", errors_}};
  if (overlay_) out["overlay"] = overlay_->summary();
  return out;
}

}  // namespace uw::viewer
