// umwelt check: run the env conformance checker on one env (a task or any MJCF file).
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "envs/check_env.h"
#include "envs/registry.h"

namespace uw::cli {
namespace {

struct CheckArgs {
  std::vector<std::string> env_ids;
  std::vector<std::string> options;
  envs::CheckEnvConfig config;
  bool json = false;
};

int run_check(const CheckArgs& args) {
  const envs::Registry registry = envs::make_default_registry();
  const Options options = Options::parse(args.options);
  std::vector<std::string> ids = args.env_ids;
  if (ids.empty()) ids = registry.ids();
  nlohmann::json reports = nlohmann::json::array();
  int failed = 0;
  for (const std::string& id : ids) {
    registry.make(id, options);  // bad ids and options are input errors, not check failures
    const envs::CheckEnvReport report =
        envs::check_env([&] { return registry.make(id, options); }, args.config);
    if (!report.ok()) ++failed;
    if (args.json) {
      reports.push_back({{"env", id},
                         {"ok", report.ok()},
                         {"checks", report.checks},
                         {"failures", report.failures}});
      continue;
    }
    std::cout << (report.ok() ? "ok    " : "FAIL  ") << id << " (" << report.checks.size()
              << " checks)\n";
    for (const std::string& failure : report.failures) std::cout << "      " << failure << "\n";
  }
  if (args.json) {
    std::cout << nlohmann::json{{"reports", reports}, {"failed", failed}}.dump(2) << "\n";
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace

void add_check_command(App& app, int& exit_code) {
  auto args = std::make_shared<CheckArgs>();
  auto* command =
      app.add_subcommand("check", "Check that envs conform to the Env API (all tasks by default)");
  command->add_option("--env", args->env_ids, "Env id to check (repeatable), or mjcf:<path>");
  command->add_option("--option", args->options, "Env option key=value (repeatable)");
  command->add_option("--steps", args->config.steps, "Steps compared between runs that must agree")
      ->check(PositiveNumber);
  command
      ->add_option("--save-after", args->config.save_after,
                   "Steps taken before a state is saved, cloned or clipped")
      ->check(PositiveNumber);
  command->add_flag("--json", args->json, "Print one JSON object");
  command->callback([args, &exit_code] { exit_code = run_check(*args); });
}

}  // namespace uw::cli
