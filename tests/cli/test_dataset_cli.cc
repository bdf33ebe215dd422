// End-to-end tests of `umwelt gen` and `umwelt dataset`: determinism across threads and cluster
// splits, resuming after SIGKILL, and faults reported by verify.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "datagen/file_io.h"
#include "datagen/shard.h"
#include "tests/cli/run_umwelt.h"
#include "tests/test_util.h"

namespace fs = std::filesystem;
using uw::test::expect_error;
using uw::test::Run;
using uw::test::TempDir;
using uw::test::spawn_umwelt;
using uw::test::umwelt;
using uw::test::wait_for;

extern char** environ;

namespace {

std::string content_hash(const std::string& dir) {
  const Run run = umwelt("dataset info " + dir + " --json");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return nlohmann::json::parse(run.out).at("content_hash");
}

// Bytes in the shard files of a dataset directory, finished or partial.
uintmax_t shard_bytes(const std::string& dir) {
  uintmax_t bytes = 0;
  std::error_code ignored;  // a .partial renamed while listing is skipped; the next poll counts it
  if (!fs::exists(fs::path(dir) / "shards")) return 0;
  for (const auto& file : fs::directory_iterator(fs::path(dir) / "shards")) {
    const uintmax_t size = fs::file_size(file.path(), ignored);
    if (size != static_cast<uintmax_t>(-1)) bytes += size;
  }
  return bytes;
}

// Waits until the child `pid` has written to `dir`'s shards beyond `before` bytes or has ended
// (without reaping it), for at most a minute.
void wait_for_writing(pid_t pid, const std::string& dir, uintmax_t before) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (shard_bytes(dir) <= before && std::chrono::steady_clock::now() < deadline) {
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// Every file under a final shard name is a whole shard; a manifest, if there, parses.
void require_no_partial_final_files(const std::string& dir) {
  if (!fs::exists(fs::path(dir) / "shards")) return;
  for (const auto& file : fs::directory_iterator(fs::path(dir) / "shards")) {
    if (file.path().extension() != ".uws") continue;
    INFO(file.path());
    REQUIRE_NOTHROW(
        uw::data::read_shard_index(uw::data::File(file.path(), uw::data::File::Mode::kRead)));
  }
  if (fs::exists(fs::path(dir) / "manifest.json")) {
    REQUIRE_NOTHROW(
        nlohmann::json::parse(uw::data::read_text_file(fs::path(dir) / "manifest.json")));
  }
}

}  // namespace

TEST_CASE("umwelt gen: the same content on 1 and 2 threads; verify and replay pass") {
  TempDir dir("threads");
  const std::string common =
      "gen --env reacher-reach --episodes 9 --max-steps 40 --shard-episodes 4 --seed 5 --policy "
      "mix:random=0.5,scripted=0.5";
  const Run one = umwelt(common + " --threads 1 --json --out " + dir.str("one"));
  INFO(one.err);
  REQUIRE(one.exit_code == 0);
  const nlohmann::json summary = nlohmann::json::parse(one.out);
  CHECK(summary["episodes"] == 9);
  CHECK(summary["shards"] == 3);
  REQUIRE(umwelt(common + " --threads 2 --out " + dir.str("two")).exit_code == 0);
  CHECK(content_hash(dir.str("one")) == content_hash(dir.str("two")));
  const Run verify = umwelt("dataset verify " + dir.str("two"));
  CHECK(verify.exit_code == 0);
  CHECK_THAT(verify.out, Catch::Contains("ok: 3 shards, 9 good episodes"));
  const Run replay = umwelt("dataset replay " + dir.str("two") + " --episode 0 --episode 8 --json");
  INFO(replay.err);
  CHECK(replay.exit_code == 0);
  CHECK(nlohmann::json::parse(replay.out)["failed"] == 0);
  const Run info = umwelt("dataset info " + dir.str("one") + " --json");
  const nlohmann::json stats = nlohmann::json::parse(info.out);
  CHECK(stats["steps"] == 9 * 40 - stats["end_reasons"].value("success", 0) * 0);
  CHECK(stats["compression_ratio"].get<double>() > 1.3);
  CHECK(stats["env_spec"]["id"] == "reacher-reach");
  // the ratio is against plain arrays: reacher-reach has D = 8, A = 2, S = 65, G = 2
  const int64_t steps = stats["steps"], episodes = stats["episodes"];
  CHECK(stats["array_bytes"] ==
        (steps + episodes) * (4 * 8 + 8 * 65) + steps * (4 * 2 + 4) + episodes * 4 * (2 + 8));
  // which payloads undercut: a column constant over an episode is stored once
  CHECK(stats["payload_bytes"].get<int64_t>() < stats["array_bytes"].get<int64_t>() / 2);
}

TEST_CASE("data recorded with another engine version: verify notes it, replay says so") {
  TempDir dir("engines");
  REQUIRE(umwelt("gen --env pointmass-reach --episodes 2 --max-steps 20 --out " + dir.str("d"))
              .exit_code == 0);
  const fs::path manifest_path = dir / "d" / "manifest.json";
  const nlohmann::json manifest = nlohmann::json::parse(uw::data::read_text_file(manifest_path));
  CHECK(manifest["env_spec"]["engine_versions"]["mujoco"] == manifest["generator"]["mujoco"]);
  CHECK(umwelt("dataset info " + dir.str("d")).out.find("engines      mujoco") !=
        std::string::npos);
  // as the spec records it, and as a manifest from before the spec named its engine versions
  // (only the generator versions) does
  nlohmann::json recorded = manifest;
  recorded["env_spec"]["engine_versions"]["mujoco"] = "2.2.2";
  nlohmann::json older = manifest;
  older["env_spec"].erase("engine_versions");
  older["generator"]["mujoco"] = "2.2.2";
  for (const nlohmann::json& edited : {recorded, older}) {
    uw::data::write_file_atomically(manifest_path, edited.dump(2));
    const Run verify = umwelt("dataset verify " + dir.str("d"));
    INFO(verify.out << verify.err);
    CHECK(verify.exit_code == 0);  // the data itself is intact
    CHECK_THAT(verify.out, Catch::Contains("note: recorded with MuJoCo 2.2.2; this build runs "
                                           "MuJoCo " +
                                           manifest["generator"]["mujoco"].get<std::string>()));
    const Run verify_json = umwelt("dataset verify " + dir.str("d") + " --json");
    CHECK(nlohmann::json::parse(verify_json.out)["notes"].size() == 1);
    const Run replay = umwelt("dataset replay " + dir.str("d"));
    INFO(replay.out << replay.err);
    CHECK(replay.exit_code != 0);
    CHECK(replay.out.empty());  // no mismatch at some step: one line on stderr instead
    CHECK_THAT(replay.err, Catch::Contains("recorded with MuJoCo 2.2.2") &&
                               Catch::Contains("cannot be bit-exact across engine versions"));
    CHECK(std::count(replay.err.begin(), replay.err.end(), '\n') == 1);
  }
}

TEST_CASE("umwelt gen: shards generated as separate processes and merged equal one run") {
  TempDir dir("cluster");
  const std::vector<std::string> common = {"gen",        "--env",       "pointmass-reach",
                                           "--episodes", "13",          "--shard-episodes",
                                           "2",          "--max-steps", "30"};
  REQUIRE(
      umwelt("gen --env pointmass-reach --episodes 13 --shard-episodes 2 --max-steps 30 --out " +
             dir.str("whole"))
          .exit_code == 0);
  // four tasks of an array job, running at once
  std::vector<pid_t> tasks;
  std::string parts;
  for (int i = 0; i < 4; ++i) {
    std::vector<std::string> args = common;
    const std::string out = dir.str("part-" + std::to_string(i));
    args.insert(args.end(),
                {"--shard-index", std::to_string(i), "--shard-count", "4", "--out", out});
    tasks.push_back(spawn_umwelt(args));
    parts += " " + out;
  }
  for (pid_t pid : tasks) {
    const int status = wait_for(pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  const Run merge = umwelt("dataset merge " + dir.str("merged") + parts);
  INFO(merge.err);
  REQUIRE(merge.exit_code == 0);
  CHECK(content_hash(dir.str("merged")) == content_hash(dir.str("whole")));
  CHECK(umwelt("dataset verify " + dir.str("merged")).exit_code == 0);
}

TEST_CASE("umwelt gen: killed with SIGKILL at random moments, rerun, nothing lost or twice") {
  TempDir dir("kill");
  const std::vector<std::string> args = {"gen", "--env",       "cheetah-run", "--episodes",
                                         "100", "--max-steps", "500",         "--shard-episodes",
                                         "5",   "--threads",   "2",           "--seed",
                                         "11"};
  // the uninterrupted run, timed to choose the moments
  auto with_out = [&](const std::string& out) {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--out", out});
    return a;
  };
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(wait_for(spawn_umwelt(with_out(dir.str("whole")))) == 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string expected = content_hash(dir.str("whole"));

  // UMWELT_TEST_SEED=N repeats a failed run's moments
  const char* given_seed = std::getenv("UMWELT_TEST_SEED");
  const unsigned seed =
      given_seed != nullptr ? static_cast<unsigned>(std::stoul(given_seed)) : getpid();
  INFO("kill moments drawn with UMWELT_TEST_SEED=" << seed << "; whole run " << seconds << " s");
  std::mt19937 random(seed);
  // Each run resumes where the last was killed, so a kill within a sixth of a whole run leaves
  // work for the next. The whole run was timed once, maybe on a busier machine than now: when
  // the runs finish before three kills, the experiment starts over in a fresh folder with the
  // moments halved.
  int killed = 0;
  std::string killed_dir;
  for (int round = 0; round < 4 && killed < 3; ++round) {
    killed_dir = dir.str("killed-" + std::to_string(round));
    std::uniform_real_distribution<double> moment(0.0, seconds / (6 << round));
    killed = 0;
    for (int attempt = 0; attempt < 5; ++attempt) {
      const uintmax_t before = shard_bytes(killed_dir);
      const pid_t pid = spawn_umwelt(with_out(killed_dir));
      // the first kill may land in the start-up; later ones come after the run has written
      // something, so that the rerun has work to resume (start-up alone can outlast the
      // moments on a loaded machine)
      if (attempt > 0) wait_for_writing(pid, killed_dir, before);
      std::this_thread::sleep_for(std::chrono::duration<double>(moment(random)));
      kill(pid, SIGKILL);
      const int status = wait_for(pid);
      require_no_partial_final_files(killed_dir);
      if (!WIFSIGNALED(status)) {  // it finished first, and must have finished well
        REQUIRE(WIFEXITED(status));
        REQUIRE(WEXITSTATUS(status) == 0);
        break;
      }
      ++killed;
    }
  }
  CHECK(killed >= 3);
  std::string rerun;
  for (const std::string& a : with_out(killed_dir)) rerun += a + " ";
  const Run finish = umwelt(rerun + "--json");
  INFO(finish.err);
  REQUIRE(finish.exit_code == 0);
  const nlohmann::json finished = nlohmann::json::parse(finish.out);
  CHECK((finished["already_complete"] == true || finished["episodes_resumed"] > 0));
  const Run verify = umwelt("dataset verify " + killed_dir);
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
  CHECK(content_hash(killed_dir) == expected);
  CHECK_FALSE(fs::exists(fs::path(killed_dir) / "manifest.json.tmp"));
}

TEST_CASE("umwelt dataset verify: exit 1 naming the shard and episode of a fault") {
  TempDir dir("verify");
  REQUIRE(umwelt("gen --env pointmass-reach --episodes 4 --shard-episodes 2 --max-steps 20 --out " +
                 dir.str("d"))
              .exit_code == 0);
  const fs::path shard = (dir / "d") / "shards/shard-000001.uws";
  const auto entries =
      uw::data::read_shard_index(uw::data::File(shard, uw::data::File::Mode::kRead));
  {
    uw::data::File file(shard, uw::data::File::Mode::kReadWrite);
    std::vector<uint8_t> byte(1);
    file.read_at(entries[0].offset + 20, byte);
    byte[0] ^= 0x40;
    // write it back in place
    std::fstream stream(shard, std::ios::in | std::ios::out | std::ios::binary);
    stream.seekp(static_cast<std::streamoff>(entries[0].offset + 20));
    stream.put(static_cast<char>(byte[0]));
  }
  const Run verify = umwelt("dataset verify " + dir.str("d"));
  CHECK(verify.exit_code == 1);
  CHECK_THAT(verify.out, Catch::Contains("shard-000001.uws', episode 2: frame checksum mismatch"));
  CHECK_THAT(verify.out, Catch::Contains("FAILED"));
  expect_error(umwelt("dataset info " + dir.str("d")), "episode 2: frame checksum mismatch");
  expect_error(umwelt("dataset verify " + dir.str("nothing")), "");
  expect_error(
      umwelt("gen --env pointmass-reach --episodes 5 --shard-episodes 2 --max-steps 20 --out " +
             dir.str("d")),
      "episodes: 5 in this command, 4 in the dataset");
  expect_error(umwelt("dataset replay " + dir.str("d") + " --episode 99"), "holds no episode 99");
}
