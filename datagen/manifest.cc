#include "datagen/manifest.h"

#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <map>

#include "core/error.h"
#include "core/random.h"
#include "datagen/file_io.h"
#include "sim/versions.h"

#ifndef UMWELT_VERSION
#define UMWELT_VERSION "unknown"
#endif
#ifndef UMWELT_GIT_COMMIT
#define UMWELT_GIT_COMMIT "unknown"
#endif

namespace uw::data {
namespace {

using nlohmann::json;

// The value of a required field, converted; errors name `where` and the field.
template <class T>
T field(const json& object, const std::string& key, const std::string& where) {
  if (!object.is_object() || !object.contains(key)) {
    throw Error(where + ": missing field '" + key + "'");
  }
  try {
    return object.at(key).get<T>();
  } catch (const json::exception& e) {
    throw Error(where + ": field '" + key + "' has the wrong type (" + e.what() + ")");
  }
}

// The layout must be the spec's, with sizes that keep every product in range.
void check_layout(const EpisodeLayout& l, const envs::EnvSpec& spec, const std::string& where) {
  const auto pixel_shape = [&](size_t i) {
    return spec.pixel_space ? spec.pixel_space->shape().at(i) : int64_t{0};
  };
  const std::pair<const char*, std::pair<int64_t, int64_t>> fields[] = {
      {"observation", {l.obs_size, spec.observation_space.flat_size()}},
      {"action", {l.action_size, spec.action_space.flat_size()}},
      {"goal", {l.goal_size, spec.goal_space ? spec.goal_space->flat_size() : 0}},
      {"pixel_height", {l.pixel_height, pixel_shape(0)}},
      {"pixel_width", {l.pixel_width, pixel_shape(1)}},
      {"state", {l.state_size, l.state_size}}};
  for (const auto& [name, sizes] : fields) {
    if (sizes.first != sizes.second) {
      throw Error(where + ": " + name + " is " + std::to_string(sizes.first) +
                  ", the env spec says " + std::to_string(sizes.second));
    }
    if (sizes.first < 0 || sizes.first > kMaxLayoutSize) {
      throw Error(where + ": " + name + " is " + std::to_string(sizes.first) +
                  ", expected 0..2^24");
    }
  }
}

std::string text_of(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

int64_t GenerationConfig::shard_size(int64_t shard) const {
  return std::min(shard_episodes, episodes - first_episode(shard));
}

json generation_to_json(const GenerationConfig& c) {
  return {{"env", c.env_id},
          {"options", c.options.values()},
          {"policy", c.policy},
          {"seed", c.seed},
          {"episodes", c.episodes},
          {"max_steps", c.max_steps},
          {"states", states_text(c.state_every)},
          {"shard_episodes", c.shard_episodes},
          {"shard_index", c.shard_index},
          {"shard_count", c.shard_count},
          {"zstd_level", c.zstd_level}};
}

GenerationConfig generation_from_json(const json& j, const std::string& where) {
  GenerationConfig c;
  c.env_id = field<std::string>(j, "env", where);
  for (const auto& [key, value] : field<std::map<std::string, std::string>>(j, "options", where)) {
    c.options.set(key, value);
  }
  c.policy = field<std::string>(j, "policy", where);
  c.seed = field<uint64_t>(j, "seed", where);
  c.episodes = field<int64_t>(j, "episodes", where);
  c.max_steps = field<int64_t>(j, "max_steps", where);
  // datasets from before --states kept them all
  try {
    c.state_every = parse_states(j.value("states", std::string("all")));
  } catch (const Error& e) {
    throw Error(where + ": " + e.what());
  } catch (const json::exception&) {
    throw Error(where + ": field 'states' is not a string");
  }
  c.shard_episodes = field<int64_t>(j, "shard_episodes", where);
  c.shard_index = field<int>(j, "shard_index", where);
  c.shard_count = field<int>(j, "shard_count", where);
  c.zstd_level = field<int>(j, "zstd_level", where);
  try {
    check_generation(c);
  } catch (const Error& e) {
    throw Error(where + ": " + e.what());
  }
  return c;
}

json generation_record(const GenerationConfig& config, const envs::EnvSpec& spec) {
  return {{"format", "umwelt-generation"},
          {"format_version", kFormatVersion},
          {"generation", generation_to_json(config)},
          {"env_spec", envs::spec_to_json(spec)}};
}

void check_generation(const GenerationConfig& c) {
  // bounds that keep every count and product in range (and a hostile manifest cheap to read)
  constexpr int64_t kMaxEpisodes = int64_t{1} << 40;
  constexpr int64_t kMaxSteps = int64_t{1} << 31;
  if (c.episodes < 1 || c.episodes > kMaxEpisodes) {
    throw Error("episodes is " + std::to_string(c.episodes) + ", expected 1..2^40");
  }
  if (c.shard_episodes < 1 || c.shard_episodes > kMaxEpisodes) {
    throw Error("shard_episodes is " + std::to_string(c.shard_episodes) + ", expected 1..2^40");
  }
  if (c.max_steps < 0 || c.max_steps > kMaxSteps) {
    throw Error("max_steps is " + std::to_string(c.max_steps) + ", expected 0..2^31");
  }
  if (c.shard_count < 1 || c.shard_index < 0 || c.shard_index >= c.shard_count) {
    throw Error("shard index " + std::to_string(c.shard_index) + " of " +
                std::to_string(c.shard_count) + ": expected 0 <= index < count");
  }
  if (c.state_every < 0 || c.state_every > kMaxSteps) {
    throw Error("state_every is " + std::to_string(c.state_every) + ", expected 0..2^31");
  }
  if (c.zstd_level < kMinZstdLevel || c.zstd_level == 0 || c.zstd_level > ZSTD_maxCLevel()) {
    throw Error("zstd_level is " + std::to_string(c.zstd_level) + ", expected " +
                std::to_string(kMinZstdLevel) + "..-1 (fast) or 1.." +
                std::to_string(ZSTD_maxCLevel()));
  }
}

std::vector<std::string> generation_differences(const GenerationConfig& command,
                                                const GenerationConfig& dataset,
                                                bool ignore_split) {
  const json a = generation_to_json(command);
  const json b = generation_to_json(dataset);
  std::vector<std::string> differences;
  for (const auto& [key, value] : a.items()) {
    if (ignore_split && (key == "shard_index" || key == "shard_count")) continue;
    if (value != b.at(key)) {
      differences.push_back(key + ": " + text_of(value) + " in this command, " +
                            text_of(b.at(key)) + " in the dataset");
    }
  }
  return differences;
}

std::string shard_file_name(int64_t index) {
  char name[64];
  std::snprintf(name, sizeof(name), "shards/shard-%06lld.uws", static_cast<long long>(index));
  return name;
}

int64_t Manifest::episodes() const {
  int64_t total = 0;
  for (const ShardRecord& s : shards) total += s.episodes;
  return total;
}

int64_t Manifest::steps() const {
  int64_t total = 0;
  for (const ShardRecord& s : shards) total += s.steps;
  return total;
}

int64_t Manifest::step_limit() const {
  const int64_t env_limit = spec.max_episode_steps;
  if (generation.max_steps <= 0) return env_limit;
  return env_limit > 0 ? std::min(generation.max_steps, env_limit) : generation.max_steps;
}

uint64_t Manifest::bytes() const {
  uint64_t total = 0;
  for (const ShardRecord& s : shards) total += s.bytes;
  return total;
}

json manifest_to_json(const Manifest& m) {
  json shards = json::array();
  for (const ShardRecord& s : m.shards) {
    shards.push_back({{"index", s.index},
                      {"file", s.file},
                      {"episodes", s.episodes},
                      {"steps", s.steps},
                      {"bytes", s.bytes},
                      {"xxh64", hex64(s.xxh64)}});
  }
  return {{"format", "umwelt-dataset"},
          {"format_version", kFormatVersion},
          {"env_spec", envs::spec_to_json(m.spec)},
          {"generation", generation_to_json(m.generation)},
          {"policy", m.policy},
          {"seed_scheme", seed_scheme()},
          {"layout",
           {{"observation", m.layout.obs_size},
            {"action", m.layout.action_size},
            {"state", m.layout.state_size},
            {"goal", m.layout.goal_size},
            {"pixel_height", m.layout.pixel_height},
            {"pixel_width", m.layout.pixel_width},
            {"state_every", m.layout.state_every}}},
          {"generator", m.generator},
          {"totals", {{"episodes", m.episodes()}, {"steps", m.steps()}, {"bytes", m.bytes()}}},
          {"shards", shards}};
}

Manifest manifest_from_json(const json& j, const std::string& where) {
  if (field<std::string>(j, "format", where) != "umwelt-dataset") {
    throw Error(where + ": field 'format' is not \"umwelt-dataset\"");
  }
  const int version = field<int>(j, "format_version", where);
  if (version != kFormatVersion) {
    throw Error(where + ": format_version " + std::to_string(version) +
                ", this build reads version " + std::to_string(kFormatVersion));
  }
  Manifest m;
  try {
    m.spec = envs::spec_from_json(field<json>(j, "env_spec", where));
  } catch (const Error& e) {
    throw Error(where + ": env_spec: " + e.what());
  }
  m.generation = generation_from_json(field<json>(j, "generation", where), where + ": generation");
  m.policy = field<json>(j, "policy", where);
  m.generator = field<json>(j, "generator", where);
  const json layout = field<json>(j, "layout", where);
  const std::string layout_where = where + ": layout";
  m.layout.obs_size = field<int64_t>(layout, "observation", layout_where);
  m.layout.action_size = field<int64_t>(layout, "action", layout_where);
  m.layout.state_size = field<int64_t>(layout, "state", layout_where);
  m.layout.goal_size = field<int64_t>(layout, "goal", layout_where);
  m.layout.pixel_height = field<int64_t>(layout, "pixel_height", layout_where);
  m.layout.pixel_width = field<int64_t>(layout, "pixel_width", layout_where);
  m.layout.state_every = layout.contains("state_every")
                             ? field<int64_t>(layout, "state_every", layout_where)
                             : 1;
  if (m.layout.state_every != m.generation.state_every) {
    throw Error(layout_where + ": state_every is " + std::to_string(m.layout.state_every) +
                ", the generation keeps states " + states_text(m.generation.state_every));
  }
  check_layout(m.layout, m.spec, layout_where);
  const json shards = field<json>(j, "shards", where);
  if (!shards.is_array()) throw Error(where + ": field 'shards' is not an array");
  for (size_t i = 0; i < shards.size(); ++i) {
    const std::string at = where + ": shards[" + std::to_string(i) + "]";
    ShardRecord s;
    s.index = field<int64_t>(shards[i], "index", at);
    s.file = field<std::string>(shards[i], "file", at);
    s.episodes = field<int64_t>(shards[i], "episodes", at);
    s.steps = field<int64_t>(shards[i], "steps", at);
    s.bytes = field<uint64_t>(shards[i], "bytes", at);
    const std::string hash = field<std::string>(shards[i], "xxh64", at);
    if (hash.size() != 16 || hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
      throw Error(at + ": field 'xxh64' is not 16 hex digits");
    }
    s.xxh64 = std::stoull(hash, nullptr, 16);
    // the name is ours to make: a manifest cannot point outside the dataset
    if (s.index < 0 || s.index >= m.generation.total_shards() ||
        s.file != shard_file_name(s.index)) {
      throw Error(at + ": shard " + std::to_string(s.index) + " with file '" + s.file +
                  "' is not one of the dataset's " + std::to_string(m.generation.total_shards()) +
                  " shards");
    }
    if (!m.shards.empty() && s.index <= m.shards.back().index) {
      throw Error(at + ": shards are not in increasing order");
    }
    m.shards.push_back(s);
  }
  // a part lists exactly the shards it owns
  const int64_t owned = m.generation.owned_shards();
  for (const ShardRecord& s : m.shards) {
    if (!m.generation.owns(s.index)) {
      throw Error(where + ": shard " + std::to_string(s.index) + " is not one of part " +
                  std::to_string(m.generation.shard_index) + " of " +
                  std::to_string(m.generation.shard_count));
    }
  }
  if (static_cast<int64_t>(m.shards.size()) != owned) {
    throw Error(where + ": lists " + std::to_string(m.shards.size()) +
                " shards, the generation has " + std::to_string(owned));
  }
  {
    const json totals = field<json>(j, "totals", where);
    const std::string at = where + ": totals";
    for (const auto& [key, value] :
         {std::pair{"episodes", m.episodes()}, std::pair{"steps", m.steps()},
          std::pair{"bytes", static_cast<int64_t>(m.bytes())}}) {
      const auto given = field<int64_t>(totals, key, at);
      if (given != value) {
        throw Error(at + ": " + key + " is " + std::to_string(given) + ", the shards add up to " +
                    std::to_string(value));
      }
    }
  }
  return m;
}

Manifest read_manifest(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / "manifest.json";
  if (!std::filesystem::exists(path)) {
    throw Error(quoted(dir) + " is not a finished dataset: it has no manifest.json" +
                (std::filesystem::exists(dir / "generation.json")
                     ? " (generation is not finished: run the same `umwelt gen` again to resume)"
                     : ""));
  }
  json j;
  try {
    j = json::parse(read_text_file(path));
  } catch (const json::parse_error& e) {
    throw Error(quoted(path) + ": not valid JSON: " + e.what());
  }
  return manifest_from_json(j, quoted(path));
}

void write_manifest(const std::filesystem::path& dir, const Manifest& manifest) {
  write_file_atomically(dir / "manifest.json", manifest_to_json(manifest).dump(2) + "\n");
}

uint64_t episode_seed(uint64_t base_seed, int64_t episode) {
  return derive_seed(base_seed, static_cast<uint64_t>(episode));
}

uint64_t policy_seed(uint64_t seed) { return derive_seed(seed, 0x706f6c696379ULL); }

std::string seed_scheme() {
  return "episode k: env.reset(seed_k) with seed_k = derive_seed(seed, k); its policy draws from "
         "Rng(derive_seed(seed_k, 0x706f6c696379)); derive_seed(b, i) = "
         "splitmix64(b ^ splitmix64(i))";
}

std::string engine_difference(const Manifest& manifest) {
  const std::map<std::string, std::string> now = sim::engine_versions_for(manifest.spec.engine);
  std::map<std::string, std::string> recorded = manifest.spec.engine_versions;
  if (recorded.empty()) {
    for (const auto& [engine, version] : now) {
      const json& v =
          manifest.generator.is_object() ? manifest.generator.value(engine, json()) : json();
      recorded[engine] = v.is_string() ? v.get<std::string>() : "an unknown version";
    }
  }
  if (recorded == now) return {};
  const auto describe = [](const std::map<std::string, std::string>& versions) {
    static const std::map<std::string, std::string> kNames = {{"mujoco", "MuJoCo"},
                                                              {"bullet", "Bullet"}};
    std::string text;
    for (const auto& [engine, version] : versions) {
      const auto name = kNames.find(engine);
      text += (text.empty() ? "" : " and ") + (name == kNames.end() ? engine : name->second) + " " +
              version;
    }
    return text.empty() ? std::string("no engine") : text;
  };
  return "recorded with " + describe(recorded) + "; this build runs " + describe(now);
}

json generator_versions() {
  json versions = {{"umwelt", UMWELT_VERSION},
                   {"git_commit", UMWELT_GIT_COMMIT},
                   {"zstd", ZSTD_versionString()},
                   {"xxhash", std::to_string(XXH_versionNumber() / 10000) + "." +
                                  std::to_string(XXH_versionNumber() / 100 % 100) + "." +
                                  std::to_string(XXH_versionNumber() % 100)}};
  for (const auto& [engine, version] : sim::engine_versions()) versions[engine] = version;
  return versions;
}

}  // namespace uw::data
