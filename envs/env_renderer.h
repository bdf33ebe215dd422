#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "envs/env.h"
#include "sim/renderer.h"
#include "sim/world.h"

namespace uw::envs {

// Draws an env's world: what an Env needs for render_into and camera_names, in one member.
// Makes a renderer (an OpenGL context) per quality on first use, since most envs never render
// and a context is expensive; an env's clone gets its own. Not copyable.
class EnvRenderer {
 public:
  EnvRenderer() = default;
  EnvRenderer(const EnvRenderer&) = delete;
  EnvRenderer& operator=(const EnvRenderer&) = delete;

  void render(const sim::World& world, const RenderRequest& request, std::span<uint8_t> rgb);
  static std::vector<std::string> camera_names(const sim::World& world);

 private:
  std::array<std::unique_ptr<sim::Renderer>, 2> renderers_;  // by quality
};

}  // namespace uw::envs
