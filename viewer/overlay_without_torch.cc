// The viewer built without LibTorch: no world models, so no model or agent mode.
#include "core/error.h"
#include "viewer/overlay.h"

namespace uw::viewer {
namespace {

constexpr const char* kWhy =
    "this umwelt was built without LibTorch (UMWELT_WITH_TORCH=OFF): no world models to draw";

}  // namespace

std::unique_ptr<Overlay> make_model_overlay(const envs::Registry&, const std::filesystem::path&,
                                            const envs::EnvSpec&) {
  throw Error(kWhy);
}

AgentView make_agent_view(const envs::Registry&, const std::string&, const std::filesystem::path&,
                          const envs::EnvSpec&) {
  throw Error(kWhy);
}

}  // namespace uw::viewer
