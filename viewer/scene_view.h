#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "sim/world.h"

namespace uw::viewer {

// What the scene shows besides the bodies (the toggles of MuJoCo's `simulate`).
struct SceneToggles {
  bool contacts = false;        // contact points
  bool contact_forces = false;  // contact force arrows
  bool frames = false;          // body frames
  bool transparent = false;     // dynamic geoms see-through
  bool markers = true;          // task markers (goals, targets: geom group 3)
  bool pretty = false;          // shadows, reflections, skybox (several times slower on llvmpipe)
};

// Draws a world with MuJoCo's renderer into the current window's OpenGL context, from a mouse
// camera (orbit, pan, zoom, follow a body) like `simulate`. It keeps its own copy of the world's
// data: sync() copies it (under the simulation's lock, briefly), render() draws the copy
// outside that lock. Both engines draw through it (a Bullet world's MuJoCo twin).
class SceneView {
 public:
  SceneView();
  ~SceneView();
  SceneView(const SceneView&) = delete;
  SceneView& operator=(const SceneView&) = delete;

  // Copies the view's state; a new model resets the camera to frame it.
  void sync(const sim::DrawView& view);
  // Draws the copy into the viewport (pixels from the window's bottom left). Nothing before
  // the first sync.
  void render(int x, int y, int width, int height);

  // Ghosts: other poses of the same world (what a model imagines, what really happened next)
  // drawn see-through over the scene, their moving bodies in one colour each. add_ghost copies
  // the view's poses; they stay until clear_ghosts. Ignored before the first sync; the view
  // must be of the synced world's model.
  void clear_ghosts();
  void add_ghost(const sim::DrawView& view, const std::array<float, 4>& rgba);
  size_t ghost_count() const;

  // Mouse camera: drags of the left (orbit) or right button (pan; with shift, zoom), relative
  // to the viewport's height; the wheel zooms.
  void drag(double dx, double dy, bool right_button, bool shift);
  void zoom(double amount);
  // Follows body `id` (tracking camera), or frees the camera with -1.
  void follow(int body);
  int followed() const { return followed_; }
  // The model's body names (id order; "" for unnamed), for the follow list.
  std::vector<std::string> body_names() const;

  SceneToggles toggles;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int followed_ = -1;
};

}  // namespace uw::viewer
