#include "bench/suite.h"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "agents/config_fields.h"
#include "core/error.h"
#include "datagen/episode.h"
#include "datagen/file_io.h"

namespace uw::bench {

// The flat parts of each object, read and written field by field (config_fields.h; found by
// argument-dependent lookup, so in the namespace of the struct).
void visit(DatasetRecipe& r, const auto& f) {
  f("episodes", r.episodes);
  f("policy", r.policy);
  f("states", r.states);
  f("max_steps", r.max_steps);
}

namespace {

using agents::detail::section_from_json;

struct ModelFields {
  std::string config;
  std::vector<std::string> set;
  int64_t steps = 0;  // 0: the config's
};
void visit(ModelFields& m, const auto& f) {
  f("config", m.config);
  f("set", m.set);
  f("steps", m.steps);
}

struct AgentFields {
  std::string name, agent;
  int64_t episodes = 100;
  std::vector<std::string> set;
};
void visit(AgentFields& a, const auto& f) {
  f("name", a.name);
  f("agent", a.agent);
  f("episodes", a.episodes);
  f("set", a.set);
}

struct TaskFields {
  std::string name, env;
  std::vector<std::string> options;
};
void visit(TaskFields& t, const auto& f) {
  f("name", t.name);
  f("env", t.env);
  f("options", t.options);
}

struct SuiteFields {
  std::string name, description;
  std::vector<int64_t> seeds = {0};
};
void visit(SuiteFields& s, const auto& f) {
  f("name", s.name);
  f("description", s.description);
  f("seeds", s.seeds);
}

// `json` without the keys read elsewhere, for section_from_json's unknown-key check.
nlohmann::json without(nlohmann::json json, std::initializer_list<const char*> keys) {
  for (const char* key : keys) json.erase(key);
  return json;
}

void require(bool ok, const std::string& where, const std::string& what) {
  if (!ok) throw Error(where + ": " + what);
}

AgentRun agent_from_json(const nlohmann::json& json, const std::string& where) {
  AgentFields fields;
  section_from_json(json, where, fields);
  require(!fields.agent.empty(), where, "expected \"agent\" (random, latent-cem, ...)");
  require(fields.episodes > 0, where + ".episodes", "expected a positive number");
  return {fields.name.empty() ? fields.agent : fields.name, fields.agent, fields.episodes,
          fields.set};
}

SuiteTask task_from_json(const nlohmann::json& json, const std::string& where,
                         const std::filesystem::path& base_dir) {
  require(json.is_object(), where, "expected an object");
  TaskFields fields;
  section_from_json(without(json, {"dataset", "model", "agents"}), where, fields);
  require(!fields.env.empty(), where, "expected \"env\" (an env id, see `umwelt envs`)");
  SuiteTask task;
  task.env = fields.env;
  task.name = fields.name.empty() ? fields.env : fields.name;
  task.options = Options::parse(fields.options);
  if (json.contains("dataset"))
    section_from_json(json["dataset"], where + ".dataset", task.dataset);
  require(task.dataset.episodes > 0, where + ".dataset.episodes", "expected a positive number");
  data::parse_states(task.dataset.states);  // throws on a bad value
  if (json.contains("model")) {
    ModelFields model;
    section_from_json(json["model"], where + ".model", model);
    if (!model.config.empty()) task.model.config = base_dir / model.config;
    task.model.overrides = model.set;
    if (model.steps > 0) task.model.steps = model.steps;
  }
  require(json.contains("agents") && json["agents"].is_array() && !json["agents"].empty(), where,
          "expected \"agents\": a non-empty list of {\"agent\": ..., \"episodes\": ...}");
  std::set<std::string> names;
  for (size_t i = 0; i < json["agents"].size(); ++i) {
    const std::string at = where + ".agents[" + std::to_string(i) + "]";
    task.agents.push_back(agent_from_json(json["agents"][i], at));
    require(names.insert(task.agents.back().name).second, at,
            "a second agent named '" + task.agents.back().name + "' (give \"name\")");
  }
  return task;
}

}  // namespace

bool SuiteTask::needs_model() const {
  for (const AgentRun& run : agents) {
    if (run.agent.starts_with("latent-")) return true;
  }
  return false;
}

Suite suite_from_json(const nlohmann::json& json, const std::string& where,
                      const std::filesystem::path& base_dir) {
  require(json.is_object(), where, "expected a JSON object");
  SuiteFields fields;
  section_from_json(without(json, {"tasks"}), where, fields);
  require(!fields.name.empty(), where, "expected \"name\"");
  require(!fields.seeds.empty(), where + ".seeds", "expected at least one seed");
  Suite suite;
  suite.name = fields.name;
  suite.description = fields.description;
  suite.seeds.clear();
  for (const int64_t seed : fields.seeds) {
    require(seed >= 0, where + ".seeds", "expected seeds >= 0");
    suite.seeds.push_back(static_cast<uint64_t>(seed));
  }
  require(json.contains("tasks") && json["tasks"].is_array() && !json["tasks"].empty(), where,
          "expected \"tasks\": a non-empty list");
  std::set<std::string> names;
  for (size_t i = 0; i < json["tasks"].size(); ++i) {
    const std::string at = where + ".tasks[" + std::to_string(i) + "]";
    suite.tasks.push_back(task_from_json(json["tasks"][i], at, base_dir));
    require(names.insert(suite.tasks.back().name).second, at,
            "a second task named '" + suite.tasks.back().name + "' (give \"name\")");
  }
  return suite;
}

Suite load_suite(const std::filesystem::path& path) {
  const std::string text = data::read_text_file(path);
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) throw Error("suite " + data::quoted(path) + " is not valid JSON");
  return suite_from_json(json, "suite " + data::quoted(path), path.parent_path());
}

nlohmann::json suite_to_json(const Suite& suite) {
  nlohmann::json tasks = nlohmann::json::array();
  for (const SuiteTask& t : suite.tasks) {
    nlohmann::json agents = nlohmann::json::array();
    for (const AgentRun& a : t.agents) {
      agents.push_back(
          {{"name", a.name}, {"agent", a.agent}, {"episodes", a.episodes}, {"set", a.overrides}});
    }
    tasks.push_back({{"name", t.name},
                     {"env", t.env},
                     {"options", t.options.items()},
                     {"dataset", agents::detail::section_to_json(t.dataset)},
                     {"model",
                      {{"config", t.model.config ? t.model.config->string() : std::string()},
                       {"set", t.model.overrides},
                       {"steps", t.model.steps.value_or(0)}}},
                     {"agents", agents}});
  }
  return {{"name", suite.name},
          {"description", suite.description},
          {"seeds", suite.seeds},
          {"tasks", tasks}};
}

std::filesystem::path find_suite(const std::string& name_or_path) {
  std::error_code ec;
  if (name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".json")) {
    return name_or_path;
  }
  std::filesystem::path dir = UMWELT_DEFAULT_SUITE_DIR;
  if (const char* env = std::getenv("UMWELT_SUITE_DIR"); env != nullptr && *env != '\0') {
    dir = env;
  }
  const std::filesystem::path path = dir / (name_or_path + ".json");
  if (std::filesystem::is_regular_file(path, ec)) return path;
  std::string known;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") {
      known += (known.empty() ? "" : ", ") + entry.path().stem().string();
    }
  }
  throw Error("no suite '" + name_or_path + "' in " + data::quoted(dir) +
              (known.empty() ? "" : " (suites there: " + known + ")") +
              "; give a suite name or a path to a suite file");
}

}  // namespace uw::bench
