#include "bench/report_rows.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace uw::bench {

using nlohmann::json;

std::string decimals(const json& x, int digits) {
  if (!x.is_number()) return "-";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, x.get<double>());
  return text;
}

std::string duration_text(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) return std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
  return std::to_string(s / 3600) + " h " + std::to_string(s % 3600 / 60) + " min";
}

Row agent_header() {
  return {"agent",  "episodes",      "success",        "95% interval",
          "return", "goal distance", "plan ms/action", "predictor calls/plan"};
}

std::vector<Row> agent_rows(const json& task) {
  std::vector<Row> rows;
  for (const json& a : task["agents"]) {
    const json& ci = a["success_ci95"];
    std::string interval = "[";
    interval.append(decimals(ci[0], 3)).append(", ").append(decimals(ci[1], 3)).append("]");
    rows.push_back({a["agent"].get<std::string>(), std::to_string(a["episodes"].get<int64_t>()),
                    decimals(a["success_rate"], 3), interval, decimals(a["mean_return"], 2),
                    decimals(a["final_goal_distance"], 3), decimals(a["plan_ms_per_action"], 2),
                    decimals(a["predictor_calls_per_plan"], 0)});
  }
  return rows;
}

Row model_header() {
  return {"seed",       "input",       "latent",       "frameskip",          "steps",
          "train time", "probe R² 10", "plannability", "pred. error ratio 5"};
}

std::vector<Row> model_rows(const json& task) {
  std::vector<Row> rows;
  for (const json& m : task["models"]) {
    const json eval = m["eval"].is_object() ? m["eval"] : json::object();
    rows.push_back({std::to_string(m["seed"].get<uint64_t>()), m["input"].get<std::string>(),
                    std::to_string(m["latent_dim"].get<int64_t>()),
                    std::to_string(m["frameskip"].get<int64_t>()),
                    std::to_string(m["steps"].get<int64_t>()),
                    duration_text(m["train_seconds"].get<double>()),
                    decimals(eval.value("probe_r2_10", json()), 3),
                    decimals(eval.value("plannability", json()), 3),
                    decimals(eval.value("pred_error_ratio_5", json()), 3)});
  }
  return rows;
}

namespace {

std::vector<std::string> agent_names(const json& report) {
  std::vector<std::string> names;
  for (const json& task : report["tasks"]) {
    for (const json& a : task["agents"]) {
      const std::string name = a["agent"];
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  return names;
}

}  // namespace

Row summary_header(const json& report) {
  Row header = {"task"};
  for (const std::string& name : agent_names(report)) header.push_back(name);
  header.push_back("latent / oracle");
  return header;
}

std::vector<Row> summary_rows(const json& report) {
  const std::vector<std::string> names = agent_names(report);
  std::vector<Row> rows;
  for (const json& task : report["tasks"]) {
    Row row = {task["name"].get<std::string>()};
    for (const std::string& name : names) {
      std::string cell = "-";
      for (const json& a : task["agents"]) {
        if (a["agent"] == name) cell = decimals(a["success_rate"], 2);
      }
      row.push_back(cell);
    }
    std::string ratios;
    for (const auto& [name, ratio] : task["latent_vs_oracle"].items()) {
      ratios.append(ratios.empty() ? "" : ", ").append(decimals(ratio, 2));
    }
    row.push_back(ratios.empty() ? "-" : ratios);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace uw::bench
