#include "envs/registry.h"

#include <cstdlib>

#include "core/error.h"
#include "envs/pixel_env.h"

namespace uw::envs {

void Registry::add(EnvEntry entry) {
  for (const EnvEntry& existing : entries_) {
    UW_CHECK(existing.id != entry.id, "env id registered twice: " + entry.id);
  }
  UW_CHECK(entry.factory != nullptr, "env entry without a factory: " + entry.id);
  for (const OptionSpec& option : entry.options) {
    UW_CHECK(!is_pixel_option(option.name),
             "env " + entry.id + " declares '" + option.name + "', a pixel option of every env");
  }
  entries_.push_back(std::move(entry));
}

void Registry::add_policy_kind(PolicyKind kind) {
  for (const PolicyKind& existing : policy_kinds_) {
    UW_CHECK(existing.name != kind.name, "policy kind registered twice: " + kind.name);
  }
  UW_CHECK(kind.make != nullptr && kind.describe != nullptr,
           "policy kind without a maker: " + kind.name);
  policy_kinds_.push_back(std::move(kind));
}

const EnvEntry& Registry::find(const std::string& id) const {
  for (const EnvEntry& entry : entries_) {
    if (!entry.is_family() && entry.id == id) return entry;
  }
  for (const EnvEntry& entry : entries_) {
    if (entry.is_family() && id.starts_with(entry.id)) {
      if (id.size() == entry.id.size()) {
        throw Error("env id '" + id + "' needs a path after '" + entry.id + "'");
      }
      return entry;
    }
  }
  std::string known;
  for (const EnvEntry& entry : entries_) {
    known += (known.empty() ? "" : ", ") + entry.id + (entry.is_family() ? "<path>" : "");
  }
  throw Error("unknown env id '" + id + "'; known ids: " + known);
}

std::unique_ptr<Env> Registry::make(const std::string& id, const Options& options) const {
  const EnvEntry& entry = find(id);
  // every env takes the pixel options besides its own
  std::vector<OptionSpec> specs = entry.options;
  for (OptionSpec& option : pixel_options()) specs.push_back(std::move(option));
  const std::string owner = "env '" + id + "'";
  const Options resolved = resolve_options(options, specs, owner);
  Options own;
  Options pixel;
  own.set_owner(owner);
  for (const auto& [key, value] : resolved.values()) {
    (is_pixel_option(key) ? pixel : own).set(key, value);
  }
  const std::optional<PixelConfig> pixels = parse_pixel_config(pixel, owner);
  std::unique_ptr<Env> env = entry.factory(id, own);
  return pixels ? make_pixel_env(std::move(env), *pixels) : std::move(env);
}

std::vector<std::string> Registry::ids() const {
  std::vector<std::string> ids;
  for (const EnvEntry& entry : entries_) {
    if (!entry.is_family()) ids.push_back(entry.id);
  }
  return ids;
}

std::filesystem::path default_asset_dir() {
  if (const char* dir = std::getenv("UMWELT_ASSET_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return UMWELT_DEFAULT_ASSET_DIR;
}

Registry make_default_registry() {
  Registry registry;
  register_all(registry, RegistryConfig{default_asset_dir()});
  return registry;
}

}  // namespace uw::envs
