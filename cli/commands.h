#pragma once

namespace CLI {
class App;
}

namespace uw::cli {

// Each command adds its subcommand to the app; its callback runs the command and throws
// uw::Error on bad input. A command that finds a fault sets exit_code (e.g. check, verify).
void add_envs_command(CLI::App& app);
void add_rollout_command(CLI::App& app);
void add_check_command(CLI::App& app, int& exit_code);
void add_perf_command(CLI::App& app);
// `perf data`, added to the perf command.
void add_perf_data_command(CLI::App& perf);
void add_render_command(CLI::App& app);
void add_gen_command(CLI::App& app);
void add_dataset_command(CLI::App& app, int& exit_code);

}  // namespace uw::cli
