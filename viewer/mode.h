#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "viewer/scene_view.h"

namespace uw::viewer {

// What the viewer shows: a live env, a dataset's episodes (and later a model's imagination).
// The app owns the window, the scene view and the frame loop; a mode advances what it shows,
// puts it into the scene, and draws its panels.
class Mode {
 public:
  virtual ~Mode() = default;
  // The window's title.
  virtual std::string title() const = 0;
  // The mode's keyboard shortcuts (ImGui does not want the keyboard).
  virtual void handle_keys() = 0;
  // Advances by `wall_seconds` of real time and puts the current state into the view.
  virtual void update(SceneView& view, double wall_seconds) = 0;
  virtual void draw_panels() = 0;
  // Scripted runs take their last screenshot once this is true (a dataset's check finished).
  virtual bool settled() const { return true; }
  // The mode's part of `umwelt view --json`.
  virtual nlohmann::json summary() const = 0;
};

}  // namespace uw::viewer
