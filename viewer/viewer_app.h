#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/options.h"
#include "envs/registry.h"

namespace uw::viewer {

struct ViewerConfig {
  // live: an env id with its options, the seed of the first episode, the acting policy
  std::string env;
  Options options;
  uint64_t seed = 0;
  std::string policy = "random";
  // dataset: its folder, the episode (position) and step shown first
  std::filesystem::path dataset;
  int64_t episode = 0;
  int64_t step = 0;
  bool play = false;  // start playing the episode
  // model mode: a world model drawn over the live env or the dataset; agent mode (with --env):
  // an agent spec whose plans are drawn as the model imagines them
  std::filesystem::path model;
  std::string agent;
  // window
  int width = 1280;
  int height = 800;
  // scripted runs (tests, docs): render `frames` frames, save the last to `screenshot`, exit
  int frames = 0;
  std::filesystem::path screenshot;
  // every frame as a PNG into this folder (frame-000000.png, ...)
  std::filesystem::path record;
};

// Opens the window and runs the viewer until it is closed (or `frames` frames are drawn).
// Throws uw::Error before opening a window on a bad config (an unknown env, a folder that holds
// no dataset, an unwritable screenshot path) and when no window can be made (no display).
// Returns the summary `umwelt view --json` prints: the mode's, plus frames and frames/s.
nlohmann::json run_viewer(const envs::Registry& registry, const ViewerConfig& config);

}  // namespace uw::viewer
