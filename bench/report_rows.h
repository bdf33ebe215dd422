// The cells of the report's tables, shared by the Markdown and HTML pages.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace uw::bench {

using Row = std::vector<std::string>;

// x with `digits` decimals ("-" for null).
std::string decimals(const nlohmann::json& x, int digits);

// Each agent of a task: success, its interval, return, goal distance, planning cost.
Row agent_header();
std::vector<Row> agent_rows(const nlohmann::json& task);

// Each model of a task (one per seed): size, training, held-out metrics.
Row model_header();
std::vector<Row> model_rows(const nlohmann::json& task);

// One row per task, one column per agent name found in any task: success rates.
Row summary_header(const nlohmann::json& report);
std::vector<Row> summary_rows(const nlohmann::json& report);

// "12 min 5 s", "48 s"
std::string duration_text(double seconds);

}  // namespace uw::bench
