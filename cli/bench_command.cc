// umwelt bench: a benchmark suite end to end (gen -> train -> eval per task and seed), cached
// and resumable, reported as report.json, report.md and report.html.
#include <iostream>
#include <nlohmann/json.hpp>

#include "bench/report_rows.h"
#include "bench/suite_runner.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/machine.h"
#include "cli/table.h"

namespace uw::cli {
namespace {

struct BenchArgs {
  std::string suite;
  bench::SuiteRunOptions options;
  bool json = false;
};

void run_bench(BenchArgs& args) {
  const std::filesystem::path path = bench::find_suite(args.suite);
  const bench::Suite suite = bench::load_suite(path);
  bench::SuiteRunOptions& o = args.options;
  o.suite_file = path.string();
  o.machine = machine_json();
  o.progress = !args.json;
  const envs::Registry registry = envs::make_default_registry();
  const nlohmann::json report = bench::run_suite(registry, suite, o);
  if (args.json) {
    std::cout << report.dump() << "\n";
    return;
  }
  Table table(bench::summary_header(report));
  for (const bench::Row& row : bench::summary_rows(report)) table.add_row(row);
  std::cout << "success rate per task and agent (" << bench::duration_text(report["seconds"])
            << "):\n"
            << table.str() << "reports: " << (o.out / "report.md").string() << ", "
            << (o.out / "report.html").string() << "\n";
}

}  // namespace

void add_bench_command(App& app) {
  auto args = std::make_shared<BenchArgs>();
  auto* command = app.add_subcommand(
      "bench",
      "Run a benchmark suite end to end (gen -> train -> eval per task), cached and resumable; "
      "writes report.json, report.md and report.html");
  command->add_option("--suite", args->suite, "Suite name (bench/suites/NAME.json) or file")
      ->required();
  command->add_option("--out", args->options.out, "Report directory")->required();
  command->add_option("--cache", args->options.cache,
                      "Where datasets, models and evaluations are kept (default: OUT/cache); "
                      "suites sharing a cache share what they have in common");
  command
      ->add_option("--threads", args->options.threads,
                   "Threads for generation, training and evaluation (training results depend "
                   "on it, so it is part of a model's cache key)")
      ->check(PositiveNumber);
  command->add_flag("--json", args->json, "Print report.json instead of the table");
  command->callback([args] { run_bench(*args); });
}

}  // namespace uw::cli
