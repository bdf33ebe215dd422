#include "viewer/plan_overlay.h"

#include <imgui.h>

#include <algorithm>

#include "core/error.h"

namespace uw::viewer {
namespace {

constexpr std::array<float, 3> kPlan = {0.15f, 0.85f, 0.35f};
constexpr std::array<float, 3> kCandidate = {0.8f, 0.8f, 0.8f};
constexpr size_t kPlanTimes = 200;  // plans kept for the time plot
constexpr int64_t kCandidates = 6;  // candidates drawn beside the plan

}  // namespace

PlanOverlay::PlanOverlay(std::unique_ptr<Imaginer> imaginer,
                         std::shared_ptr<const agents::PlanWatch> watch, std::string agent,
                         envs::Space action_space)
    : imaginer_(std::move(imaginer)),
      watch_(std::move(watch)),
      agent_(std::move(agent)),
      action_space_(std::move(action_space)) {}

void PlanOverlay::update(const EpisodeStretch& /*stretch*/, SceneView& view) {
  if (!watch_->latest(trace_.number, trace_)) return;
  ++plans_seen_;
  plan_ms_.push_back(static_cast<float>(trace_.seconds * 1000));
  if (plan_ms_.size() > kPlanTimes) plan_ms_.erase(plan_ms_.begin());
  view.clear_ghosts();
  ghosts_ = 0;
  add_paths(trace_.candidates, -1, kCandidate, 0.18f, view);
  add_paths(trace_.plan, 0, kPlan, 0.0f, view);
  ghosts_ = view.ghost_count();
}

void PlanOverlay::add_paths(std::span<const float> sequences, int64_t first,
                            const std::array<float, 3>& rgb, float alpha, SceneView& view) {
  const int64_t f = imaginer_->frameskip(), a = imaginer_->action_size(), d = imaginer_->obs_size();
  const int64_t size = static_cast<int64_t>(trace_.plan.size());  // horizon * F * A
  if (size == 0 || sequences.empty()) return;
  const int64_t n = static_cast<int64_t>(sequences.size()) / size, horizon = size / (f * a);
  chunks_.resize(sequences.size());
  for (int64_t i = 0; i < n * horizon * f; ++i) {
    envs::to_action_space(action_space_, sequences.subspan(i * a, a),
                          std::span(chunks_).subspan(i * a, a));
  }
  imaginer_->imagine(trace_.observation, trace_.pixels, n, horizon, chunks_, decoded_);
  for (int64_t row = 0; row < n; ++row) {
    // first < 0: only the last chunk
    for (int64_t c = first < 0 ? horizon - 1 : first; c < horizon; ++c) {
      std::array<float, 4> colour = ghost_colour(rgb, c, horizon);
      if (alpha > 0) colour[3] = alpha;
      imaginer_->add_ghost(
          view, std::span<const float>(decoded_).subspan((row * horizon + c) * d, d), {}, colour);
    }
  }
}

void PlanOverlay::draw_panel() {
  ImGui::SetNextWindowPos(ImVec2(960, 250), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(310, 300), ImGuiCond_FirstUseEver);
  ImGui::Begin("Agent");
  ImGui::TextWrapped("%s", agent_.c_str());
  if (trace_.number == 0) {
    ImGui::TextDisabled("no plan yet");
    ImGui::End();
    return;
  }
  ImGui::Text("plan %lld at step %lld", static_cast<long long>(trace_.number),
              static_cast<long long>(trace_.step));
  ImGui::Text("%.1f ms, %lld predictor calls", trace_.seconds * 1000,
              static_cast<long long>(trace_.predictor_calls));
  ImGui::TextColored(ImVec4(kPlan[0], kPlan[1], kPlan[2], 1), "the plan, imagined");
  ImGui::TextColored(ImVec4(kCandidate[0], kCandidate[1], kCandidate[2], 1),
                     "best candidates' last chunk");
  const std::vector<float>& costs = trace_.iteration_costs;
  if (!costs.empty()) {
    ImGui::Text("cost over %zu iterations", costs.size());
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "%.4g -> %.4g", costs.front(), costs.back());
    ImGui::PlotLines("##cost", costs.data(), static_cast<int>(costs.size()), 0, overlay, FLT_MAX,
                     FLT_MAX, ImVec2(ImGui::GetContentRegionAvail().x, 70));
  }
  ImGui::Text("planning ms, latest %zu plans", plan_ms_.size());
  ImGui::PlotLines("##ms", plan_ms_.data(), static_cast<int>(plan_ms_.size()), 0, nullptr, 0.0f,
                   FLT_MAX, ImVec2(ImGui::GetContentRegionAvail().x, 60));
  ImGui::End();
}

nlohmann::json PlanOverlay::summary() const {
  return {{"agent", agent_},
          {"plans_seen", plans_seen_},
          {"plan_step", trace_.step},
          {"plan_ms", trace_.seconds * 1000},
          {"iteration_costs", trace_.iteration_costs},
          {"candidates", trace_.plan.empty() ? 0 : trace_.candidates.size() / trace_.plan.size()},
          {"ghosts", ghosts_}};
}

AgentView make_agent_view(const envs::Registry& registry, const std::string& agent_spec,
                          const std::filesystem::path& model, const envs::EnvSpec& spec) {
  std::string full = agent_spec;
  if (agent_spec.starts_with("latent-") && agent_spec.find("model=") == std::string::npos) {
    full += agent_spec.find(':') == std::string::npos ? ":" : ",";
    full += "model=" + model.string();
  }
  auto imaginer = std::make_unique<Imaginer>(registry, model, spec);
  agents::WatchedAgentPolicy watched =
      agents::make_watched_agent_policy(registry, full, spec, kCandidates);
  AgentView out;
  out.policy = std::move(watched.policy);
  out.overlay = std::make_unique<PlanOverlay>(std::move(imaginer), std::move(watched.watch),
                                              agent_spec, spec.action_space);
  return out;
}

}  // namespace uw::viewer
