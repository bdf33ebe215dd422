// umwelt perf: performance measured as ratios against a reference in the same run.
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/bullet_perf.h"
#include "bench/pixel_perf.h"
#include "bench/sim_perf.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/machine.h"
#include "cli/table.h"
#include "envs/pixel_env.h"
#include "sim/mujoco_model.h"

namespace uw::cli {
namespace {

struct PerfSimArgs {
  bench::SimPerfConfig config;
  std::string model = "/usr/share/mujoco/model/humanoid/humanoid.xml";
  bool json = false;
};

void run_perf_sim(PerfSimArgs args) {
  args.config.env_ids = {"cheetah-run", "mjcf:" + args.model};
  const envs::Registry registry = envs::make_default_registry();
  const bench::SimPerfReport report = bench::run_sim_perf(registry, args.config);
  const nlohmann::json machine = {{"cpu", cpu_model()},
                                  {"cores", std::thread::hardware_concurrency()},
                                  {"mujoco", sim::mujoco_version()},
                                  {"background_load_threads", report.background_load}};
  if (args.json) {
    nlohmann::json models = nlohmann::json::array();
    for (const bench::EnvVsRaw& m : report.env_vs_raw) {
      models.push_back({{"env", m.env_id},
                        {"dofs", m.dofs},
                        {"substeps", m.substeps},
                        {"env_steps_per_second", m.env_steps_per_second},
                        {"raw_steps_per_second", m.raw_steps_per_second},
                        {"env_vs_raw_ratio", m.ratio}});
    }
    nlohmann::json batches = nlohmann::json::array();
    for (const bench::VectorVsBatch& b : report.vector_vs_batch) {
      batches.push_back({{"threads", b.threads},
                         {"vector_steps_per_second", b.vector_steps_per_second},
                         {"mjb_step_steps_per_second", b.batch_steps_per_second},
                         {"vector_vs_mjb_step_ratio", b.ratio}});
    }
    const nlohmann::json out = {
        {"machine", machine},
        {"env_vs_raw", models},
        {"vector",
         {{"env", report.vector_env_id},
          {"num_envs", report.vector_envs},
          {"vs_mjb_step", batches},
          {"vector_2v1_ratio", report.vector_2v1_ratio}}},
    };
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "machine: " << machine["cpu"].get<std::string>() << ", "
            << machine["cores"].get<unsigned>() << " cores, MuJoCo " << sim::mujoco_version();
  if (report.background_load > 0) {
    std::cout << ", " << report.background_load << " busy background thread(s)";
  }
  std::cout << "\n\n";
  Table models({"env", "dofs", "substeps", "env steps/s", "raw steps/s", "env/raw"});
  for (const bench::EnvVsRaw& m : report.env_vs_raw) {
    models.add_row({m.env_id, std::to_string(m.dofs), std::to_string(m.substeps),
                    with_thousands(m.env_steps_per_second), with_thousands(m.raw_steps_per_second),
                    fixed(m.ratio, 3)});
  }
  std::cout << models.str() << "\n";
  Table vector({"vector env", "envs", "threads", "VectorEnv steps/s", "mjb_step steps/s",
                "VectorEnv/mjb_step"});
  for (const bench::VectorVsBatch& b : report.vector_vs_batch) {
    vector.add_row({report.vector_env_id, std::to_string(report.vector_envs),
                    std::to_string(b.threads), with_thousands(b.vector_steps_per_second),
                    b.ratio > 0 ? with_thousands(b.batch_steps_per_second) : "-",
                    b.ratio > 0 ? fixed(b.ratio, 3) : "- (MuJoCo < 4.0)"});
  }
  std::cout << vector.str()
            << "\nVectorEnv at 2 threads against 1: " << fixed(report.vector_2v1_ratio, 3) << "\n";
}

struct PerfBulletArgs {
  bench::BulletPerfConfig config;
  bool json = false;
};

void run_perf_bullet(const PerfBulletArgs& args) {
  const envs::Registry registry = envs::make_default_registry();
  const std::vector<bench::BulletEnvVsRaw> results = bench::run_bullet_perf(registry, args.config);
  const nlohmann::json machine = {{"cpu", cpu_model()},
                                  {"cores", std::thread::hardware_concurrency()},
                                  {"bullet", "3.24 (double precision)"}};
  if (args.json) {
    nlohmann::json scenes = nlohmann::json::array();
    for (const bench::BulletEnvVsRaw& r : results) {
      scenes.push_back({{"env", r.env_id},
                        {"bodies", r.bodies},
                        {"substeps", r.substeps},
                        {"env_steps_per_second", r.env_steps_per_second},
                        {"raw_steps_per_second", r.raw_steps_per_second},
                        {"env_vs_raw_ratio", r.ratio}});
    }
    std::cout << nlohmann::json{{"machine", machine}, {"env_vs_raw", scenes}}.dump(2) << "\n";
    return;
  }
  std::cout << "machine: " << machine["cpu"].get<std::string>() << ", "
            << machine["cores"].get<unsigned>() << " cores, Bullet 3.24 (double)\n\n";
  Table table({"env", "bodies", "substeps", "env steps/s", "raw steps/s", "env/raw"});
  for (const bench::BulletEnvVsRaw& r : results) {
    table.add_row({r.env_id, std::to_string(r.bodies), std::to_string(r.substeps),
                   with_thousands(r.env_steps_per_second), with_thousands(r.raw_steps_per_second),
                   fixed(r.ratio, 3)});
  }
  std::cout << table.str();
}

struct PerfPixelsArgs {
  bench::PixelPerfConfig config;
  int size = 64;
  bool json = false;
};

void run_perf_pixels(PerfPixelsArgs args) {
  args.config.width = args.size;
  args.config.height = args.size;
  const envs::Registry registry = envs::make_default_registry();
  const bench::PixelPerfReport report = bench::run_pixel_perf(registry, args.config);
  const nlohmann::json machine = {{"cpu", cpu_model()},
                                  {"cores", std::thread::hardware_concurrency()},
                                  {"mujoco", sim::mujoco_version()},
                                  {"renderer", report.backend}};
  if (args.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const bench::PixelVsState& e : report.envs) {
      list.push_back({{"env", e.env_id},
                      {"frames_per_second", e.frames_per_second},
                      {"state_steps_per_second", e.state_steps_per_second},
                      {"pixels_vs_state_ratio", e.ratio}});
    }
    const nlohmann::json out = {
        {"machine", machine},
        {"pixels", {report.height, report.width, 3}},
        {"steps", args.config.steps},
        {"rounds", args.config.rounds},
        {"envs", list},
        {"vector",
         {{"env", report.vector_env_id},
          {"num_envs", report.vector_envs},
          {"frames_per_second_1_thread", report.vector_1_thread_frames_per_second},
          {"frames_per_second_2_threads", report.vector_2_threads_frames_per_second},
          {"vector_2v1_ratio", report.vector_2v1_ratio}}}};
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "machine: " << machine["cpu"].get<std::string>() << ", "
            << machine["cores"].get<unsigned>() << " cores, MuJoCo " << sim::mujoco_version()
            << "\nrenderer: " << report.backend << "\npixels: " << report.width << "x"
            << report.height << "\n\n";
  Table table({"env", "frames/s (pixels)", "steps/s (state)", "pixels/state"});
  for (const bench::PixelVsState& e : report.envs) {
    table.add_row({e.env_id, with_thousands(e.frames_per_second),
                   with_thousands(e.state_steps_per_second), fixed(e.ratio, 4)});
  }
  std::cout << table.str() << "\n";
  Table vector({"vector env (pixels)", "envs", "1 thread frames/s", "2 threads frames/s", "2/1"});
  vector.add_row({report.vector_env_id, std::to_string(report.vector_envs),
                  with_thousands(report.vector_1_thread_frames_per_second),
                  with_thousands(report.vector_2_threads_frames_per_second),
                  fixed(report.vector_2v1_ratio, 3)});
  std::cout << vector.str();
}

}  // namespace

void add_perf_command(App& app) {
  auto* perf = app.add_subcommand("perf", "Measure performance as ratios against a reference");
  perf->require_subcommand(1);
  auto args = std::make_shared<PerfSimArgs>();
  auto* sim = perf->add_subcommand(
      "sim", "Env step against raw mj_step, vector env against mjb_step, 2 threads against 1");
  sim->add_option("--model", args->model, "A model with contacts and about 25 DoF");
  sim->add_option("--steps", args->config.steps, "Env steps run from one saved state")
      ->check(PositiveNumber);
  sim->add_option("--sample-steps", args->config.steps_per_sample,
                  "Env steps per timed sample (the run is repeated to fill it)")
      ->check(PositiveNumber);
  sim->add_option("--vector-steps", args->config.vector_steps, "Batch steps per timed sample")
      ->check(PositiveNumber);
  sim->add_option("--rounds", args->config.rounds,
                  "Interleaved samples of env and raw (the best counts)")
      ->check(PositiveNumber);
  sim->add_option("--vector-rounds", args->config.vector_rounds,
                  "Interleaved samples of vector env and mjb_step (the best counts)")
      ->check(PositiveNumber);
  sim->add_option("--num-envs", args->config.vector_envs, "Envs in the vector benchmark")
      ->check(PositiveNumber);
  sim->add_option("--background-load", args->config.background_load,
                  "Busy threads of its own kept running while measuring (a shared machine)")
      ->check(NonNegativeNumber);
  sim->add_flag("--json", args->json, "Print one JSON object");
  sim->callback([args] { run_perf_sim(*args); });

  auto pixel_args = std::make_shared<PerfPixelsArgs>();
  auto* pixels = perf->add_subcommand(
      "pixels", "Rollouts with pixel observations (a fast render per step) against state only");
  pixels->add_option("--env", pixel_args->config.env_ids, "Env id (repeatable; default: all)");
  pixels->add_option("--size", pixel_args->size, "Width and height of the pixels")
      ->check(Range(1, envs::kMaxPixelSize));
  pixels->add_option("--steps", pixel_args->config.steps, "Env steps per timed sample")
      ->check(PositiveNumber);
  pixels
      ->add_option("--rounds", pixel_args->config.rounds,
                   "Interleaved samples of each side (the best counts)")
      ->check(PositiveNumber);
  pixels->add_option("--vector-env", pixel_args->config.vector_env_id,
                     "Env of the vector benchmark (pixel envs on 2 threads against 1)");
  pixels->add_option("--num-envs", pixel_args->config.vector_envs, "Envs in the vector benchmark")
      ->check(PositiveNumber);
  pixels
      ->add_option("--vector-steps", pixel_args->config.vector_steps,
                   "Batch steps per timed sample")
      ->check(PositiveNumber);
  pixels->add_flag("--json", pixel_args->json, "Print one JSON object");
  pixels->callback([pixel_args] { run_perf_pixels(*pixel_args); });

  auto bullet_args = std::make_shared<PerfBulletArgs>();
  bullet_args->config.env_ids.push_back("urdf:" +
                                        (envs::default_asset_dir() / "urdf" / "arm.urdf").string());
  auto* bullet = perf->add_subcommand(
      "bullet", "Bullet env step against raw stepSimulation on the same scene");
  bullet->add_option("--env", bullet_args->config.env_ids, "Bullet envs to measure (repeatable)");
  bullet->add_option("--steps", bullet_args->config.steps, "Env steps run from one saved state")
      ->check(PositiveNumber);
  bullet
      ->add_option("--sample-steps", bullet_args->config.steps_per_sample,
                   "Env steps per timed sample (the run is repeated to fill it)")
      ->check(PositiveNumber);
  bullet
      ->add_option("--rounds", bullet_args->config.rounds,
                   "Interleaved samples of env and raw (the best counts)")
      ->check(PositiveNumber);
  bullet->add_flag("--json", bullet_args->json, "Print one JSON object");
  add_perf_data_command(*perf);
#ifdef UMWELT_WITH_TORCH
  add_perf_train_command(*perf);
  add_perf_plan_command(*perf);
#endif
  bullet->callback([bullet_args] { run_perf_bullet(*bullet_args); });
}

}  // namespace uw::cli
