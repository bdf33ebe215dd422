// umwelt: the command-line front of Umwelt. One file per command under cli/.
#include <cstdio>
#include <filesystem>
#include <optional>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/openmp_spin.h"
#include "core/error.h"

int main(int argc, char** argv) {
#ifdef UMWELT_WITH_TORCH
  uw::cli::shorten_openmp_spin(argv);
#endif
  uw::cli::App app{"Umwelt: simulate, generate data, learn world models, plan, look."};
  app.name("umwelt");
  app.require_subcommand(1);
  int exit_code = 0;
  uw::cli::add_envs_command(app);
  uw::cli::add_rollout_command(app);
  uw::cli::add_check_command(app, exit_code);
  uw::cli::add_render_command(app);
  uw::cli::add_perf_command(app);
  uw::cli::add_gen_command(app);
  uw::cli::add_dataset_command(app, exit_code);
#ifdef UMWELT_BUILD_VIEWER
  uw::cli::add_view_command(app);
#endif
#ifdef UMWELT_WITH_TORCH
  uw::cli::add_train_command(app);
  uw::cli::add_model_command(app);
  uw::cli::add_eval_command(app);
  uw::cli::add_bench_command(app);
#endif
  try {
    if (const std::optional<int> code = app.parse(argc, argv)) return *code;
  } catch (const uw::Error& e) {
    std::fprintf(stderr, "umwelt: error: %s\n", e.what());
    return 1;
  } catch (const std::filesystem::filesystem_error& e) {
    // a path the user gave that cannot be used: no permission, not a directory, disk full
    std::fprintf(stderr, "umwelt: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    // not bad input but something Umwelt did not expect (out of memory, a library's error)
    std::fprintf(stderr, "umwelt: internal error: %s\n", e.what());
    return 2;
  }
  return exit_code;
}
