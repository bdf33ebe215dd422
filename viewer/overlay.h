#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "envs/policy.h"
#include "envs/registry.h"
#include "viewer/scene_view.h"

namespace uw::viewer {

// A stretch of the episode a mode shows: the observation (and picture) at its first step, the
// actions taken from there, and the observation after each of them.
struct EpisodeStretch {
  int64_t episode = 0;                    // which episode (a new one invalidates the last)
  int64_t start = 0;                      // the step it starts at
  std::span<const float> start_obs;       // [D]
  std::span<const uint8_t> start_pixels;  // [H, W, 3] for pixel envs, else empty
  std::span<const double> start_state;    // the env state then, when known, else empty
  std::span<const float> actions;         // [n, A], env units
  std::span<const float> next_obs;        // [n, D]
};

// What is drawn over a mode's scene besides the world: a world model's imagination next to what
// really happened (model mode), a planner's imagined futures (agent mode). It puts ghosts into
// the scene view and draws its own panel. Errors (a model that cannot read this episode) are
// thrown as uw::Error for the mode's error panel.
class Overlay {
 public:
  virtual ~Overlay() = default;
  // How many steps of actions the overlay looks at from a stretch's start (0: none needed). A
  // live mode gives it the last `reach()` steps, a dataset the steps from the cursor.
  virtual int64_t reach() const = 0;
  // Called every frame after the view is synced; recomputes and replaces the ghosts when the
  // stretch or the overlay's settings changed.
  virtual void update(const EpisodeStretch& stretch, SceneView& view) = 0;
  virtual void draw_panel() = 0;
  // The overlay's part of `umwelt view --json`.
  virtual nlohmann::json summary() const = 0;
};

// The overlays that need a world model exist when the viewer is built with LibTorch; without
// it these throw uw::Error saying so.

// Model mode (ModelOverlay): the model at `model` for envs of `spec`.
std::unique_ptr<Overlay> make_model_overlay(const envs::Registry& registry,
                                            const std::filesystem::path& model,
                                            const envs::EnvSpec& spec);

// Agent mode (PlanOverlay): the agent of `agent_spec` (an agent policy spec, "latent-cem:
// samples=100"; latent agents plan with `model`), and the overlay that draws its plans as the
// model imagines them.
struct AgentView {
  std::unique_ptr<envs::Policy> policy;  // of one row, for the live session
  std::unique_ptr<Overlay> overlay;
};
AgentView make_agent_view(const envs::Registry& registry, const std::string& agent_spec,
                          const std::filesystem::path& model, const envs::EnvSpec& spec);

}  // namespace uw::viewer
