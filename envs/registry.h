#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/options.h"
#include "envs/env.h"
#include "envs/policy.h"
#include "envs/scripted.h"

namespace uw::envs {

// Makes an env from its full id and resolved options (every declared option present).
using EnvFactory = std::function<std::unique_ptr<Env>(const std::string& id, const Options&)>;

struct EnvEntry {
  // An exact id ("cheetah-run"), or a family prefix ending in ':' ("mjcf:") that takes any
  // id starting with it.
  std::string id;
  std::string summary;
  std::vector<OptionSpec> options;
  EnvFactory factory;
  // The task's goal-directed controller, or nullptr when it has none.
  ScriptedController scripted = nullptr;

  bool is_family() const { return !id.empty() && id.back() == ':'; }
};

// The set of known envs. Built explicitly by register_all; no static self-registration.
class Registry {
 public:
  // Adds an entry; a repeated id is a programming error.
  void add(EnvEntry entry);

  // The entry for an id; throws uw::Error naming the id and listing the known ones.
  const EnvEntry& find(const std::string& id) const;
  // Makes an env; throws uw::Error on an unknown id or option, a bad option value, or a model
  // that does not load. Every env also takes the pixel options (pixels=N, pixels_and_state,
  // camera; see pixel_env.h) and is then wrapped to observe pixels.
  std::unique_ptr<Env> make(const std::string& id, const Options& options = {}) const;

  const std::vector<EnvEntry>& entries() const { return entries_; }

  // Policy kinds beyond make_policy's own (the agents' planners); a repeated name is a
  // programming error.
  void add_policy_kind(PolicyKind kind);
  std::span<const PolicyKind> policy_kinds() const { return policy_kinds_; }
  // The exact ids, in registration order (families excluded).
  std::vector<std::string> ids() const;

 private:
  std::vector<EnvEntry> entries_;
  std::vector<PolicyKind> policy_kinds_;
};

struct RegistryConfig {
  std::filesystem::path asset_dir;  // where the project's MJCF files are
};

// The asset folder: $UMWELT_ASSET_DIR when set, else the source tree's assets/.
std::filesystem::path default_asset_dir();

// Registers every task Umwelt ships.
void register_all(Registry& registry, const RegistryConfig& config);

// A registry with every task and the default asset folder.
Registry make_default_registry();

}  // namespace uw::envs
