// report.md: the suite's tables in Markdown.
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench/report.h"
#include "bench/report_rows.h"

namespace uw::bench {
namespace {

void table(std::ostringstream& out, const Row& header, const std::vector<Row>& rows) {
  const auto line = [&](const Row& row) {
    out << "|";
    for (const std::string& cell : row) out << " " << cell << " |";
    out << "\n";
  };
  line(header);
  out << "|";
  for (size_t i = 0; i < header.size(); ++i) out << (i == 0 ? "---|" : "---:|");
  out << "\n";
  for (const Row& row : rows) line(row);
  out << "\n";
}

}  // namespace

std::string report_markdown(const nlohmann::json& report) {
  const nlohmann::json& suite = report["suite"];
  std::ostringstream out;
  out << "# Suite `" << suite["name"].get<std::string>() << "`\n\n";
  if (!suite["description"].get<std::string>().empty()) {
    out << suite["description"].get<std::string>() << "\n\n";
  }
  out << "Seeds " << suite["seeds"].dump() << ", " << report["threads"].get<int>() << " threads, "
      << duration_text(report["seconds"].get<double>()) << " (this run; cached "
      << "stages take no time).";
  if (report["machine"].is_object() && report["machine"].contains("cpu")) {
    out << " Machine: " << report["machine"]["cpu"].get<std::string>() << ", "
        << report["machine"].value("cores", 0) << " cores.";
  }
  out << "\n\n## Success rate\n\n";
  table(out, summary_header(report), summary_rows(report));
  for (const nlohmann::json& task : report["tasks"]) {
    out << "## " << task["name"].get<std::string>() << " (`" << task["env"].get<std::string>()
        << "`";
    for (const auto& option : task["options"]) out << " " << option.get<std::string>();
    out << ")\n\n";
    table(out, agent_header(), agent_rows(task));
    if (!task["models"].empty()) table(out, model_header(), model_rows(task));
  }
  return out.str();
}

}  // namespace uw::bench
