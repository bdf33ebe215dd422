// The suite report (suite_runner.h) rendered for people: a Markdown page of tables, and a
// self-contained HTML page with the tables and SVG charts (success with its 95% interval per
// task and agent, planning latency, learning curves). Both are made from report.json alone.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace uw::bench {

std::string report_markdown(const nlohmann::json& report);
std::string report_html(const nlohmann::json& report);

}  // namespace uw::bench
