// umwelt dataset: inspect, verify, merge, replay and dump datasets made by `umwelt gen`.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "core/error.h"
#include "datagen/dataset.h"
#include "datagen/export_minari.h"
#include "datagen/export_npz.h"
#include "datagen/merge.h"
#include "datagen/replay.h"
#include "datagen/stats.h"
#include "datagen/verify.h"
#include "envs/registry.h"

namespace uw::cli {
namespace {

using nlohmann::json;

void run_info(const std::string& dir, bool as_json) {
  const data::Dataset dataset = data::Dataset::open(dir);
  const data::Manifest& m = dataset.manifest();
  const data::DatasetStats s = data::dataset_stats(dataset, /*with_content_hash=*/true);
  const json spec = envs::spec_to_json(m.spec);
  if (as_json) {
    std::cout << json{{"dir", dir},
                      {"env", m.generation.env_id},
                      {"episodes", s.episodes},
                      {"steps", s.steps},
                      {"shards", m.shards.size()},
                      {"bytes", s.bytes},
                      {"array_bytes", s.array_bytes},
                      {"payload_bytes", s.payload_bytes},
                      {"compression_ratio", s.compression_ratio},
                      {"return",
                       {{"mean", s.return_mean},
                        {"std", s.return_std},
                        {"min", s.return_min},
                        {"max", s.return_max}}},
                      {"length",
                       {{"mean", s.length_mean}, {"min", s.length_min}, {"max", s.length_max}}},
                      {"terminated", s.terminated},
                      {"truncated", s.truncated},
                      {"end_reasons", s.end_reasons},
                      {"success_rate", s.success_rate ? json(*s.success_rate) : json(nullptr)},
                      {"content_hash", s.content_hash},
                      {"generation", data::generation_to_json(m.generation)},
                      {"policy", m.policy},
                      {"generator", m.generator},
                      {"env_spec", spec}}
                     .dump(2)
              << "\n";
    return;
  }
  std::string engines;
  for (const auto& [engine, version] : m.spec.engine_versions) {
    engines += (engines.empty() ? "" : ", ") + engine + " " + version;
  }
  if (engines.empty()) engines = "not recorded";
  std::cout << "dataset      " << dir << "\n"
            << "env          " << m.generation.env_id << " (" << m.spec.engine << ")\n"
            << "engines      " << engines << "\n"
            << "policy       " << m.generation.policy << ", seed " << m.generation.seed << "\n"
            << "episodes     " << s.episodes << " in " << m.shards.size() << " shards\n"
            << "steps        " << with_thousands(double(s.steps)) << "\n"
            << "size         " << fixed(s.bytes / 1e6, 2) << " MB, "
            << fixed(s.compression_ratio, 2) << "x smaller than plain arrays\n"
            << "return       mean " << fixed(s.return_mean, 3) << ", std " << fixed(s.return_std, 3)
            << ", min " << fixed(s.return_min, 3) << ", max " << fixed(s.return_max, 3) << "\n"
            << "length       mean " << fixed(s.length_mean, 1) << ", min " << s.length_min
            << ", max " << s.length_max << "\n";
  std::cout << "ends        ";
  for (const auto& [reason, count] : s.end_reasons) std::cout << " " << reason << " " << count;
  std::cout << "\n";
  if (s.success_rate) std::cout << "success      " << fixed(*s.success_rate, 3) << "\n";
  std::cout << "observation  " << m.spec.observation_space.describe() << "\n"
            << "action       " << m.spec.action_space.describe() << "\n";
  if (m.spec.pixel_space) std::cout << "pixels       " << m.spec.pixel_space->describe() << "\n";
  std::cout << "content hash " << s.content_hash << "\n";
}

int run_verify(const std::string& dir, bool as_json) {
  const data::VerifyReport report = data::verify_dataset(dir, !as_json);
  if (as_json) {
    std::cout << json{{"dir", dir},
                      {"ok", report.ok()},
                      {"shards", report.shards},
                      {"episodes", report.episodes},
                      {"steps", report.steps},
                      {"bytes", report.bytes},
                      {"faults", report.faults},
                      {"notes", report.notes}}
                     .dump(2)
              << "\n";
  } else {
    for (const std::string& fault : report.faults) std::cout << "FAULT " << fault << "\n";
    for (const std::string& note : report.notes) std::cout << "note: " << note << "\n";
    std::cout << (report.ok() ? "ok: " : "FAILED: ") << report.shards << " shards, "
              << report.episodes << " good episodes, " << with_thousands(double(report.steps))
              << " steps";
    if (!report.ok()) std::cout << "; " << report.faults.size() << " faults";
    std::cout << "\n";
  }
  return report.ok() ? 0 : 1;
}

int run_replay(const std::string& dir, const std::vector<int64_t>& episodes, bool as_json) {
  const data::Dataset dataset = data::Dataset::open(dir);
  const envs::Registry registry = envs::make_default_registry();
  std::vector<int64_t> numbers = episodes;
  if (numbers.empty()) {
    for (int64_t i = 0; i < dataset.size(); ++i) numbers.push_back(dataset.entry(i).episode);
  }
  json results = json::array();
  int failed = 0;
  for (const int64_t k : numbers) {
    const data::ReplayResult r = data::replay_episode(registry, dataset, k);
    failed += !r.exact();
    if (as_json) {
      results.push_back(
          {{"episode", k}, {"steps", r.steps}, {"exact", r.exact()}, {"mismatch", r.mismatch}});
    } else {
      std::cout << (r.exact() ? "exact    " : "MISMATCH ") << "episode " << k << " (" << r.steps
                << " steps)" << (r.exact() ? "" : ": " + r.mismatch) << "\n";
    }
  }
  if (as_json) std::cout << json{{"episodes", results}, {"failed", failed}}.dump(2) << "\n";
  return failed == 0 ? 0 : 1;
}

void run_dump(const std::string& dir, int64_t k) {
  const data::Dataset dataset = data::Dataset::open(dir);
  const int64_t position = dataset.find(k);
  if (position < 0) throw Error("dataset " + dir + " holds no episode " + std::to_string(k));
  const data::Episode e = dataset.read(position);
  const data::EpisodeLayout& layout = dataset.manifest().layout;
  const auto rows = [](const auto& values, int64_t count, int64_t size) {
    json out = json::array();
    for (int64_t t = 0; t < count; ++t) {
      out.push_back(std::vector(values.begin() + t * size, values.begin() + (t + 1) * size));
    }
    return out;
  };
  std::cout << json{{"index", e.index},
                    {"seed", e.seed},
                    {"policy", e.policy},
                    {"steps", e.steps},
                    {"observations", rows(e.observations, e.steps + 1, layout.obs_size)},
                    {"actions", rows(e.actions, e.steps, layout.action_size)},
                    {"rewards", e.rewards},
                    {"states", rows(e.states, data::state_rows(e.steps, e.state_every),
                                    layout.state_size)},
                    {"states_kept", data::states_text(e.state_every)},
                    {"goal", e.goal},
                    {"goal_observation", e.goal_observation},
                    {"terminated", e.terminated},
                    {"truncated", e.truncated},
                    {"reason", envs::end_reason_name(e.reason)},
                    {"success", e.success ? json(*e.success) : json(nullptr)},
                    {"pixel_shape", {e.steps + 1, layout.pixel_height, layout.pixel_width, 3}},
                    {"pixels", e.pixels}}
                   .dump()
            << "\n";
}

// "umwelt/<env id>-v0", with what Minari does not take in a name replaced by '_'.
std::string default_minari_id(const std::string& env_id) {
  std::string name;
  for (const char c : env_id)
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  return "umwelt/" + name + "-v0";
}

void run_export(const std::string& dir, const std::string& format, const std::string& out,
                std::string dataset_id) {
  const data::Dataset dataset = data::Dataset::open(dir);
  data::ExportResult result;
  if (format == "npz") {
    result = data::export_npz(dataset, out);
  } else {
    if (dataset_id.empty()) dataset_id = default_minari_id(dataset.manifest().generation.env_id);
    result = data::export_minari(dataset, out, dataset_id);
  }
  std::cout << "export: " << result.path.string() << ": " << result.episodes << " episodes, "
            << with_thousands(double(result.steps)) << " steps, " << fixed(result.bytes / 1e6, 2)
            << " MB\n";
}

}  // namespace

void add_dataset_command(App& app, int& exit_code) {
  auto* command = app.add_subcommand("dataset", "Inspect, verify, merge, replay, dump datasets");
  command->require_subcommand(1);

  struct Args {
    std::string dir;
    std::string out;
    std::vector<std::string> parts;
    std::vector<int64_t> episodes;
    int64_t episode = 0;
    std::string format;
    std::string dataset_id;
    bool json = false;
  };
  auto args = std::make_shared<Args>();

  auto* info = command->add_subcommand("info", "Episodes, steps, size, returns, content hash");
  info->add_option("dir", args->dir, "Dataset directory")->required();
  info->add_flag("--json", args->json, "Print one JSON object");
  info->callback([args] { run_info(args->dir, args->json); });

  auto* verify = command->add_subcommand(
      "verify", "Decompress and check everything; exit 1 naming every fault");
  verify->add_option("dir", args->dir, "Dataset directory")->required();
  verify->add_flag("--json", args->json, "Print one JSON object");
  verify->callback([args, &exit_code] { exit_code = run_verify(args->dir, args->json); });

  auto* merge = command->add_subcommand(
      "merge", "Merge the parts of a split generation (--shard-index) into one dataset");
  merge->add_option("out", args->out, "New dataset directory")->required();
  merge->add_option("parts", args->parts, "Dataset directories to merge")->required();
  merge->callback([args] {
    std::vector<std::filesystem::path> parts(args->parts.begin(), args->parts.end());
    const data::Manifest m = data::merge_datasets(args->out, parts);
    std::cout << "merge: " << args->out << ": " << m.episodes() << " episodes in "
              << m.shards.size() << " shards from " << parts.size() << " datasets\n";
  });

  auto* replay = command->add_subcommand(
      "replay", "Re-simulate episodes from their seeds and actions; check every state bit for bit");
  replay->add_option("dir", args->dir, "Dataset directory")->required();
  replay->add_option("--episode", args->episodes, "Episode number (repeatable); default all");
  replay->add_flag("--json", args->json, "Print one JSON object");
  replay->callback(
      [args, &exit_code] { exit_code = run_replay(args->dir, args->episodes, args->json); });

  auto* export_command =
      command->add_subcommand("export", "Write a dataset as NumPy .npz or in Minari's HDF5 layout");
  export_command->add_option("dir", args->dir, "Dataset directory")->required();
  export_command->add_option("--format", args->format, "npz or minari")
      ->required()
      ->check(IsMember({"npz", "minari"}));
  export_command
      ->add_option("--out", args->out,
                   "npz: the .npz file; minari: a new directory (put it at "
                   "$MINARI_DATASETS_PATH/<dataset id> for minari.load_dataset)")
      ->required();
  export_command->add_option("--dataset-id", args->dataset_id,
                             "minari: the dataset id (default umwelt/<env>-v0)");
  export_command->callback(
      [args] { run_export(args->dir, args->format, args->out, args->dataset_id); });

  auto* dump = command->add_subcommand("dump", "Print one episode's arrays as JSON");
  dump->add_option("dir", args->dir, "Dataset directory")->required();
  dump->add_option("--episode", args->episode, "Episode number")->required();
  dump->callback([args] { run_dump(args->dir, args->episode); });
}

}  // namespace uw::cli
