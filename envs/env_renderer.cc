#include "envs/env_renderer.h"

namespace uw::envs {

void EnvRenderer::render(const sim::World& world, const RenderRequest& request,
                         std::span<uint8_t> rgb) {
  std::unique_ptr<sim::Renderer>& renderer = renderers_[static_cast<int>(request.quality)];
  if (renderer == nullptr) renderer = std::make_unique<sim::Renderer>(request.quality);
  renderer->render(world.draw(), request.camera, request.width, request.height, rgb,
                   request.markers);
}

std::vector<std::string> EnvRenderer::camera_names(const sim::World& world) {
  return sim::camera_names(world.draw());
}

}  // namespace uw::envs
