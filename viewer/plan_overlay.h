#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agents/agent_policy.h"
#include "envs/space.h"
#include "viewer/imagination.h"
#include "viewer/overlay.h"

namespace uw::viewer {

// `umwelt view --agent SPEC --model M --env ID`: each plan the agent makes (published by its
// PlanWatch from the session's thread), imagined by the model from the observation it was made
// at: the plan's chunks as green ghosts, the last chunk of its best few candidates as faint grey
// ones. The panel shows the cost over the planner's iterations and the planning time.
class PlanOverlay final : public Overlay {
 public:
  PlanOverlay(std::unique_ptr<Imaginer> imaginer, std::shared_ptr<const agents::PlanWatch> watch,
              std::string agent, envs::Space action_space);

  int64_t reach() const override { return 0; }
  void update(const EpisodeStretch& stretch, SceneView& view) override;
  void draw_panel() override;
  nlohmann::json summary() const override;

 private:
  // Imagines `sequences` [n, horizon, F, A] (normalised) from the trace's observation and adds
  // the ghosts of chunks [first, horizon) of each.
  void add_paths(std::span<const float> sequences, int64_t first, const std::array<float, 3>& rgb,
                 float alpha, SceneView& view);

  std::unique_ptr<Imaginer> imaginer_;
  std::shared_ptr<const agents::PlanWatch> watch_;
  std::string agent_;
  envs::Space action_space_;
  agents::PlanTrace trace_;  // the latest plan drawn
  int64_t plans_seen_ = 0;
  std::vector<float> chunks_, decoded_;  // env units; the probe's decoding
  std::vector<float> plan_ms_;           // of the latest plans, for the plot
  size_t ghosts_ = 0;
};

}  // namespace uw::viewer
