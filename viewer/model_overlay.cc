#include "viewer/model_overlay.h"

#include <imgui.h>

#include <algorithm>

#include "core/error.h"

namespace uw::viewer {
namespace {

constexpr std::array<float, 3> kImagined = {0.8f, 0.25f, 1.0f};  // violet
constexpr std::array<float, 3> kReal = {1.0f, 0.75f, 0.1f};      // amber

}  // namespace

ModelOverlay::ModelOverlay(std::unique_ptr<Imaginer> imaginer, std::string model)
    : imaginer_(std::move(imaginer)), model_(std::move(model)) {}

void ModelOverlay::update(const EpisodeStretch& stretch, SceneView& view) {
  const int64_t f = imaginer_->frameskip(), a = imaginer_->action_size();
  const int64_t chunks =
      std::min<int64_t>(horizon_, static_cast<int64_t>(stretch.actions.size()) / (f * a));
  if (!dirty_ && stretch.episode == episode_ && stretch.start == start_ && chunks == chunks_) {
    return;
  }
  // what is computed now is not retried on an error (it would fail the same way every frame)
  dirty_ = false;
  episode_ = stretch.episode;
  start_ = stretch.start;
  chunks_ = chunks;
  view.clear_ghosts();
  imagined_.clear();
  errors_.clear();
  ghosts_ = 0;
  if (chunks > 0) imagine(stretch, chunks, view);
}

void ModelOverlay::imagine(const EpisodeStretch& stretch, int64_t chunks, SceneView& view) {
  const int64_t d = imaginer_->obs_size(), f = imaginer_->frameskip(), a = imaginer_->action_size();
  if (static_cast<int64_t>(stretch.start_obs.size()) != d) {
    throw Error(
        "model mode compares the model's imagination with the observations, and this "
        "env observes " +
        std::to_string(stretch.start_obs.size()) + " state values, not " + std::to_string(d) +
        " (pixel envs: --option pixels_and_state=1)");
  }
  imaginer_->imagine(stretch.start_obs, stretch.start_pixels, 1, chunks,
                     stretch.actions.first(static_cast<size_t>(chunks * f * a)), imagined_);
  for (int64_t c = 0; c < chunks; ++c) {
    const auto imagined = std::span<const float>(imagined_).subspan(c * d, d);
    const auto real = stretch.next_obs.subspan(((c + 1) * f - 1) * d, d);
    errors_.push_back(static_cast<float>(imaginer_->error(imagined, real)));
    if (show_real_) {
      imaginer_->add_ghost(view, real, stretch.start_state, ghost_colour(kReal, c, chunks));
    }
    if (show_imagined_) {
      imaginer_->add_ghost(view, imagined, stretch.start_state, ghost_colour(kImagined, c, chunks));
    }
  }
  ghosts_ = view.ghost_count();
}

void ModelOverlay::draw_panel() {
  ImGui::SetNextWindowPos(ImVec2(960, 250), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(310, 250), ImGuiCond_FirstUseEver);
  ImGui::Begin("Model");
  ImGui::TextWrapped("%s", model_.c_str());
  dirty_ |= ImGui::SliderInt("horizon", &horizon_, 1, 20, "%d chunks");
  ImGui::Text("%lld actions per chunk", static_cast<long long>(imaginer_->frameskip()));
  ImGui::TextColored(ImVec4(kImagined[0], kImagined[1], kImagined[2], 1), "imagined");
  ImGui::SameLine();
  dirty_ |= ImGui::Checkbox("##imagined", &show_imagined_);
  ImGui::SameLine();
  ImGui::TextColored(ImVec4(kReal[0], kReal[1], kReal[2], 1), "what happened");
  ImGui::SameLine();
  dirty_ |= ImGui::Checkbox("##real", &show_real_);
  ImGui::Text("from step %lld, %lld chunks ahead", static_cast<long long>(start_),
              static_cast<long long>(std::max<int64_t>(chunks_, 0)));
  ImGui::Text("%s per chunk", imaginer_->error_name().c_str());
  if (!errors_.empty()) {
    const float top = *std::max_element(errors_.begin(), errors_.end());
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "first %.3f, last %.3f", errors_.front(),
                  errors_.back());
    ImGui::PlotLines("##error", errors_.data(), static_cast<int>(errors_.size()), 0, overlay, 0.0f,
                     std::max(top * 1.1f, 1e-6f), ImVec2(ImGui::GetContentRegionAvail().x, 80));
  } else {
    ImGui::TextDisabled("nothing imagined: no actions ahead of this step");
  }
  ImGui::End();
}

nlohmann::json ModelOverlay::summary() const {
  return {{"model", model_},
          {"frameskip", imaginer_->frameskip()},
          {"start", start_},
          {"chunks", std::max<int64_t>(chunks_, 0)},
          {"error_measure", imaginer_->error_name()},
          {"error", errors_},
          {"ghosts", ghosts_}};
}

std::unique_ptr<Overlay> make_model_overlay(const envs::Registry& registry,
                                            const std::filesystem::path& model,
                                            const envs::EnvSpec& spec) {
  return std::make_unique<ModelOverlay>(std::make_unique<Imaginer>(registry, model, spec),
                                        model.string());
}

}  // namespace uw::viewer
