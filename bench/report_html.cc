// report.html: one self-contained page (no scripts, no external files) with the suite's tables
// and SVG charts.
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench/report.h"
#include "bench/report_rows.h"
#include "bench/svg_charts.h"
#include "core/markup.h"

namespace uw::bench {
namespace {

using nlohmann::json;

// A JSON string of the report as HTML text.
std::string escaped(const json& text) { return escape_markup(text.get<std::string>()); }

void table(std::ostringstream& out, const Row& header, const std::vector<Row>& rows) {
  out << "<table><tr>";
  for (const std::string& cell : header) out << "<th>" << escape_markup(cell) << "</th>";
  out << "</tr>\n";
  for (const Row& row : rows) {
    out << "<tr>";
    for (const std::string& cell : row) out << "<td>" << escape_markup(cell) << "</td>";
    out << "</tr>\n";
  }
  out << "</table>\n";
}

// Every agent name in the report, in order of appearance: each keeps one colour.
std::vector<std::string> agent_order(const json& report) {
  std::vector<std::string> names;
  for (const json& task : report["tasks"]) {
    for (const json& a : task["agents"]) {
      if (std::find(names.begin(), names.end(), a["agent"]) == names.end()) {
        names.push_back(a["agent"]);
      }
    }
  }
  return names;
}

std::string agent_colour(const std::vector<std::string>& order, const std::string& name) {
  return palette(static_cast<size_t>(std::find(order.begin(), order.end(), name) - order.begin()));
}

std::string success_chart(const json& report, const std::vector<std::string>& order) {
  std::vector<BarGroup> groups;
  for (const json& task : report["tasks"]) {
    BarGroup group{task["name"], {}};
    for (const json& a : task["agents"]) {
      const double rate = a["success_rate"];
      group.bars.push_back(
          {a["agent"], 100 * rate,
           std::pair{100 * a["success_ci95"][0].get<double>(),
                     100 * a["success_ci95"][1].get<double>()},
           agent_colour(order, a["agent"]),
           decimals(100 * rate, 0) + "% of " + std::to_string(a["episodes"].get<int64_t>())});
    }
    groups.push_back(group);
  }
  return bar_chart(groups, 100, "success rate (%), with its 95% Wilson interval");
}

std::string latency_chart(const json& report, const std::vector<std::string>& order) {
  std::vector<BarGroup> groups;
  for (const json& task : report["tasks"]) {
    BarGroup group{task["name"], {}};
    for (const json& a : task["agents"]) {
      const double ms = a["plan_ms_per_action"];
      if (ms <= 0) continue;  // a policy: no planning
      group.bars.push_back(
          {a["agent"], ms, std::nullopt, agent_colour(order, a["agent"]), decimals(ms, 1) + " ms"});
    }
    if (!group.bars.empty()) groups.push_back(group);
  }
  return groups.empty() ? std::string()
                        : bar_chart(groups, 0, "planning time per executed action (ms)");
}

std::string learning_curves(const json& task) {
  std::vector<Series> series;
  for (const json& m : task["models"]) {
    Series s{"seed " + std::to_string(m["seed"].get<uint64_t>()), palette(series.size()), {}};
    for (const json& point : m["curve"]) s.points.emplace_back(point[0], point[1]);
    series.push_back(s);
  }
  return line_chart(series, "training step", "loss");
}

constexpr const char* kStyle = R"(<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f0f0f0; }
h2 { border-bottom: 1px solid #ccc; }
.note { color: #666; }
</style>
)";

}  // namespace

std::string report_html(const json& report) {
  const json& suite = report["suite"];
  const std::vector<std::string> order = agent_order(report);
  const std::string name = suite["name"];
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>umwelt bench: "
      << escape_markup(name) << "</title>\n"
      << kStyle << "</head><body>\n<h1>Suite <code>" << escape_markup(name) << "</code></h1>\n";
  if (!suite["description"].get<std::string>().empty()) {
    out << "<p>" << escaped(suite["description"]) << "</p>\n";
  }
  out << "<p class=\"note\">Seeds " << escape_markup(suite["seeds"].dump()) << ", "
      << report["threads"].get<int>() << " threads, "
      << duration_text(report["seconds"].get<double>()) << " (this run; cached stages take no "
      << "time)";
  if (report["machine"].is_object() && report["machine"].contains("cpu")) {
    out << ". Machine: " << escaped(report["machine"]["cpu"]) << ", "
        << report["machine"].value("cores", 0) << " cores";
  }
  out << ".</p>\n<h2>Success rate</h2>\n";
  table(out, summary_header(report), summary_rows(report));
  out << success_chart(report, order);
  if (const std::string latency = latency_chart(report, order); !latency.empty()) {
    out << "<h2>Planning latency</h2>\n" << latency;
  }
  for (const json& task : report["tasks"]) {
    out << "<h2>" << escaped(task["name"]) << " <small><code>" << escaped(task["env"]) << "</code>";
    for (const auto& option : task["options"]) out << " " << escaped(option);
    out << "</small></h2>\n";
    table(out, agent_header(), agent_rows(task));
    if (!task["models"].empty()) {
      table(out, model_header(), model_rows(task));
      out << "<h3>Learning curve</h3>\n" << learning_curves(task);
    }
  }
  out << "</body></html>\n";
  return out.str();
}

}  // namespace uw::bench
