#pragma once

namespace uw::cli {

class App;  // cli/args.h

// Each command adds its subcommand to the app; its callback runs the command and throws
// uw::Error on bad input. A command that finds a fault sets exit_code (e.g. check, verify).
void add_envs_command(App& app);
void add_rollout_command(App& app);
void add_check_command(App& app, int& exit_code);
void add_perf_command(App& app);
// `perf data`, added to the perf command.
void add_perf_data_command(App& perf);
void add_render_command(App& app);
void add_gen_command(App& app);
void add_dataset_command(App& app, int& exit_code);
#ifdef UMWELT_BUILD_VIEWER
void add_view_command(App& app);
#endif
#ifdef UMWELT_WITH_TORCH
void add_train_command(App& app);
// `perf train`, added to the perf command.
void add_perf_train_command(App& perf);
void add_perf_plan_command(App& perf);
void add_model_command(App& app);
void add_eval_command(App& app);
void add_bench_command(App& app);
#endif

}  // namespace uw::cli
