// End-to-end tests: run the `umwelt` binary the way a user does and check exit codes, output
// and errors.
#include <mujoco/mujoco.h>
#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "envs/env_spec.h"
#include "envs/registry.h"
#include "tests/cli/run_umwelt.h"
#include "tests/test_util.h"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

using uw::test::expect_error;
using uw::test::read_file;
using uw::test::Run;
using uw::test::same_bits;
using uw::test::umwelt;

namespace {

const std::string kData = UMWELT_TEST_DATA;
const std::string kModels = "/usr/share/mujoco/model";

// A file in a fresh temporary folder, removed with the object.
struct TempFile {
  explicit TempFile(const std::string& name, const std::string& text)
      : path(fs::temp_directory_path() / ("umwelt_test_" + std::to_string(getpid()) + "_" + name)) {
    std::ofstream(path) << text;
  }
  ~TempFile() { fs::remove(path); }
  fs::path path;
};

// The raw mj_step loop's final qpos and qvel as float32, zero controls.
std::vector<float> raw_final_observation(const std::string& path, int steps) {
  char error[1000] = "";
  mjModel* m = mj_loadXML(path.c_str(), nullptr, error, sizeof error);
  REQUIRE(m != nullptr);
  mjData* d = mj_makeData(m);
  for (int t = 0; t < steps; ++t) mj_step(m, d);
  std::vector<float> obs;
  for (int i = 0; i < m->nq; ++i) obs.push_back(static_cast<float>(d->qpos[i]));
  for (int i = 0; i < m->nv; ++i) obs.push_back(static_cast<float>(d->qvel[i]));
  mj_deleteData(d);
  mj_deleteModel(m);
  return obs;
}

}  // namespace

TEST_CASE("every command has --help") {
  const Run top = umwelt("--help");
  CHECK(top.exit_code == 0);
  for (const char* command : {"envs", "rollout", "check", "perf", "render", "gen", "dataset"}) {
    CHECK_THAT(top.out, Contains(command));
    const Run help = umwelt(std::string(command) + " --help");
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Contains("--"));
  }
  CHECK(umwelt("perf sim --help").exit_code == 0);
  CHECK(umwelt("perf pixels --help").exit_code == 0);
  for (const char* sub : {"info", "verify", "merge", "replay", "dump"}) {
    CHECK(umwelt(std::string("dataset ") + sub + " --help").exit_code == 0);
  }
  CHECK(umwelt("").exit_code != 0);  // a command is required
  CHECK(umwelt("rollout --env cheetah-run --bogus").exit_code != 0);
}

TEST_CASE("umwelt envs --json lists the tasks with their specs") {
  const Run run = umwelt("envs --json");
  REQUIRE(run.exit_code == 0);
  const nlohmann::json json = nlohmann::json::parse(run.out);
  std::vector<std::string> ids;
  for (const auto& env : json["envs"]) {
    ids.push_back(env["id"]);
    const uw::envs::EnvSpec spec = uw::envs::spec_from_json(env["spec"]);
    CHECK(spec.id == env["id"]);
    CHECK(spec.max_episode_steps > 0);
    CHECK_FALSE(env["options"].empty());
  }
  const uw::envs::Registry registry = uw::envs::make_default_registry();
  CHECK(ids == registry.ids());
  for (const auto& env : json["envs"]) {
    CHECK(env["scripted"].get<bool>() == (registry.find(env["id"]).scripted != nullptr));
  }
  CHECK(json["families"][0]["id"] == "mjcf:");
  CHECK(json["pixel_options"][0]["name"] == "pixels");
  const Run text = umwelt("envs");
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Contains("cheetah-run") && Contains("Box(-1, 1, (6,))"));
}

TEST_CASE("rollout --json on an outside MJCF model ends where a raw mj_step loop ends") {
  for (const std::string& path :
       {kModels + "/humanoid/humanoid.xml", kModels + "/slider_crank/slider_crank.xml"}) {
    const Run run = umwelt("rollout --env mjcf:" + path + " --policy zero --steps 1000 --json");
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const nlohmann::json json = nlohmann::json::parse(run.out);
    CHECK(json["env"] == "mjcf:" + path);
    CHECK(json["steps"] == 1000);
    CHECK(json["episodes"] == 1);  // truncated at the default 1000-step limit
    CHECK(json["return_mean"] == 0.0);
    CHECK(json["steps_per_second"].get<double>() > 0);
    const std::vector<float> final_obs = json["final_obs"].get<std::vector<float>>();
    CHECK(same_bits(final_obs, raw_final_observation(path, 1000)));
  }
}

TEST_CASE("rollout reports episodes and returns on a batch") {
  const Run run =
      umwelt("rollout --env pointmass-reach --steps 450 --num-envs 3 --threads 2 --seed 4 --json");
  REQUIRE(run.exit_code == 0);
  const nlohmann::json json = nlohmann::json::parse(run.out);
  CHECK(json["episodes"] == 6);  // 200-step episodes; every 201st step is an autoreset
  CHECK(json["return_mean"].get<double>() < 0);
  CHECK(json["success_rate"].is_number());
  CHECK(json["final_obs"].size() == 4);
  // on one thread it gives the same numbers, all but the timings and the thread count
  const Run again =
      umwelt("rollout --env pointmass-reach --steps 450 --num-envs 3 --threads 1 --seed 4 --json");
  nlohmann::json one = nlohmann::json::parse(again.out);
  nlohmann::json two = json;
  CHECK(one["threads"] == 1);
  CHECK(two["threads"] == 2);
  for (const char* varying : {"seconds", "steps_per_second", "threads"}) {
    one.erase(varying);
    two.erase(varying);
  }
  CHECK(one == two);
  const Run table = umwelt("rollout --env cheetah-run --steps 100");
  CHECK(table.exit_code == 0);
  CHECK_THAT(table.out, Contains("steps/s") && Contains("cheetah-run"));
}

TEST_CASE("rollout reports engine warnings") {
  const Run run = umwelt("rollout --json --steps 50 --env mjcf:" + kData + "/full_contacts.xml");
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(nlohmann::json::parse(run.out)["engine_warnings"].dump(),
             Contains("Insufficient arena memory"));
  const Run text = umwelt("rollout --steps 50 --env mjcf:" + kData + "/full_contacts.xml");
  CHECK_THAT(text.err, Contains("engine warning") && Contains("Insufficient arena memory"));
}

TEST_CASE("rollout replays an actions file") {
  TempFile zeros("zeros.txt", "# six zeros per line\n0 0 0 0 0 0\n0,0,0,0,0,0\n\n0 0 0 0 0 0\n");
  const Run replay = umwelt("rollout --env cheetah-run --json --actions " + zeros.path.string());
  const Run zero = umwelt("rollout --env cheetah-run --json --policy zero --steps 3");
  REQUIRE(replay.exit_code == 0);
  const nlohmann::json json = nlohmann::json::parse(replay.out);
  CHECK(json["steps"] == 3);
  CHECK(json["final_obs"] == nlohmann::json::parse(zero.out)["final_obs"]);
}

TEST_CASE("umwelt rollout --policy scripted solves push-t on 90% of 50 seeds") {
  const Run run = umwelt("rollout --env push-t --policy scripted --num-envs 50 --steps 300 --json");
  REQUIRE(run.exit_code == 0);
  const nlohmann::json json = nlohmann::json::parse(run.out);
  CHECK(json["episodes"] == 50);  // one each: 300 steps is push-t's time limit
  CHECK(json["success_rate"].get<double>() >= 0.9);
}

TEST_CASE("umwelt rollout takes the policies umwelt gen does") {
  for (const char* policy : {"ou:sigma=0.5", "mix:random=1,scripted=1", "random"}) {
    INFO(policy);
    CHECK(
        umwelt(std::string("rollout --env pusher-push --steps 20 --num-envs 2 --policy ") + policy)
            .exit_code == 0);
  }
  expect_error(umwelt("rollout --env cheetah-run --policy scripted"),
               "'cheetah-run' has no scripted controller");
  expect_error(umwelt("rollout --env cheetah-run --policy greedy"), "unknown kind 'greedy'");
}

TEST_CASE("bad input gets a clear error and a non-zero exit") {
  SECTION("a missing model file") {
    expect_error(umwelt("rollout --env mjcf:/no/such/model.xml"), "/no/such/model.xml");
  }
  SECTION("malformed XML") {
    expect_error(umwelt("rollout --env mjcf:" + kData + "/malformed.xml"), "XML");
  }
  SECTION("a model naming a missing mesh") {
    expect_error(umwelt("rollout --env mjcf:" + kData + "/missing_mesh.xml"), "no_such_part.stl");
  }
  SECTION("an unknown env id") {
    expect_error(umwelt("rollout --env cheetah-fly"), "unknown env id 'cheetah-fly'");
  }
  SECTION("an unknown option") {
    expect_error(umwelt("rollout --env cheetah-run --option speed=3"), "unknown option 'speed'");
  }
  SECTION("a bad option value") {
    expect_error(umwelt("rollout --env cheetah-run --option substeps=zero"), "'substeps'");
  }
  SECTION("an action of the wrong length") {
    TempFile file("short.txt", "0 0 0 0 0 0\n0 0 0 0 0\n");
    expect_error(umwelt("rollout --env cheetah-run --actions " + file.path.string()),
                 "line 2: expected 6 numbers");
  }
  SECTION("a NaN action") {
    TempFile file("nan.txt", "0 0 0 0 0 0\n0 0 nan 0 0 0\n");
    expect_error(umwelt("rollout --env cheetah-run --actions " + file.path.string()),
                 "line 2: value 2 is NaN");
  }
  SECTION("a keyframe in which the physics faults") {
    expect_error(umwelt("rollout --env mjcf:" + kData + "/bad_keyframe.xml --option keyframe=0"),
                 "faulted during reset");
  }
  SECTION("too few actions for --steps") {
    TempFile file("few.txt", "0 0 0 0 0 0\n");
    expect_error(umwelt("rollout --env cheetah-run --steps 5 --actions " + file.path.string()),
                 "fewer than --steps 5");
  }
}

TEST_CASE("umwelt check passes good envs and fails a model that blows up") {
  const Run good =
      umwelt("check --env pointmass-reach --env mjcf:" + kModels + "/humanoid/humanoid.xml");
  CHECK(good.exit_code == 0);
  CHECK_THAT(good.out, Contains("ok    pointmass-reach"));
  const Run bad = umwelt("check --json --env mjcf:" + kData + "/unstable.xml");
  CHECK(bad.exit_code == 1);
  const nlohmann::json json = nlohmann::json::parse(bad.out);
  CHECK(json["failed"] == 1);
  CHECK_THAT(json["reports"][0]["failures"].dump(), Contains("physics fault"));
}

TEST_CASE("umwelt perf sim --json reports the ratios") {
  const Run run = umwelt(
      "perf sim --json --rounds 1 --vector-rounds 1 --steps 50 --sample-steps 100 --num-envs 4 "
      "--vector-steps 20");
  REQUIRE(run.exit_code == 0);
  const nlohmann::json json = nlohmann::json::parse(run.out);
  REQUIRE(json["env_vs_raw"].size() == 2);
  for (const auto& model : json["env_vs_raw"]) CHECK(model["env_vs_raw_ratio"].get<double>() > 0);
  CHECK(json["vector"]["vector_2v1_ratio"].get<double>() > 0);
  CHECK(json["machine"]["cores"].get<int>() >= 1);
  CHECK(json["machine"]["background_load_threads"] == 0);
}

TEST_CASE("umwelt perf sim --background-load N measures beside N busy threads") {
  const Run run = umwelt(
      "perf sim --json --background-load 1 --rounds 1 --vector-rounds 1 --steps 50 "
      "--sample-steps 100 --num-envs 2 --vector-steps 20");
  REQUIRE(run.exit_code == 0);
  const nlohmann::json json = nlohmann::json::parse(run.out);
  CHECK(json["machine"]["background_load_threads"] == 1);
  CHECK(json["vector"]["vector_2v1_ratio"].get<double>() > 0);
  CHECK(umwelt("perf sim --background-load -1").exit_code != 0);
}

TEST_CASE("umwelt render writes a PNG of the asked size, with no display") {
  const fs::path out = fs::temp_directory_path() / ("umwelt_render_" + std::to_string(getpid()));
  fs::create_directories(out);
  const Run run =
      umwelt("render --env cartpole-swingup --steps 20 --seed 3 --size 96 64 --json --out " +
             (out / "frame.png").string());
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json json = nlohmann::json::parse(run.out);
  CHECK(json["path"] == (out / "frame.png").string());
  CHECK(json["width"] == 96);
  CHECK(json["height"] == 64);
  CHECK(json["camera"] == "default");
  CHECK(json["env"] == "cartpole-swingup");
  CHECK(uw::test::png_size(read_file(out / "frame.png")) == std::pair{96, 64});

  // 256 x 256 by default; a named camera, and the same seed and steps give the same file
  const std::string side = (out / "side.png").string();
  const std::string again = (out / "again.png").string();
  REQUIRE(umwelt("render --env cartpole-swingup --steps 20 --seed 3 --camera side --out " + side)
              .exit_code == 0);
  REQUIRE(umwelt("render --env cartpole-swingup --steps 20 --seed 3 --out " + again).exit_code ==
          0);
  CHECK(uw::test::png_size(read_file(side)) == std::pair{256, 256});
  CHECK(read_file(side) == read_file(again));
  REQUIRE(umwelt("render --env cartpole-swingup --steps 21 --seed 3 --out " + again).exit_code ==
          0);
  CHECK(read_file(side) != read_file(again));
  // an env with pixel observations still renders pretty pictures of any size
  REQUIRE(
      umwelt("render --env cheetah-run --option pixels=32 --size 40 30 --out " + side).exit_code ==
      0);
  CHECK(uw::test::png_size(read_file(side)) == std::pair{40, 30});
  fs::remove_all(out);
}

TEST_CASE("umwelt render refuses bad paths, sizes and cameras with a clear message") {
  const std::string never =
      (fs::temp_directory_path() / ("umwelt_never_" + std::to_string(getpid()) + ".png")).string();
  expect_error(umwelt("render --env cheetah-run --out /no/such/folder/frame.png"),
               "cannot write '/no/such/folder/frame.png'");
  expect_error(umwelt("render --env cheetah-run --out /tmp --size 8 8"), "it is a folder");
  expect_error(umwelt("render --env cheetah-run --out " + never + " --size 0 64"),
               "expected a width and height in [1, 4096]");
  expect_error(umwelt("render --env cheetah-run --out " + never + " --size 5000 64"), "[1, 4096]");
  expect_error(umwelt("render --env cheetah-run --out " + never + " --camera top"),
               "--camera 'top'");
  expect_error(umwelt("render --env cheetah-run --out " + never + " --option pixels=huge"),
               "option 'pixels'");
  CHECK(umwelt("render --env cheetah-run").exit_code != 0);  // --out is required
  CHECK_FALSE(fs::exists(never));
}

TEST_CASE("rollout with pixel observations reports frames") {
  const Run run = umwelt(
      "rollout --env cartpole-swingup --option pixels=64 --steps 50 --num-envs 2 --threads 2 "
      "--json");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json json = nlohmann::json::parse(run.out);
  CHECK(json["pixels"] == nlohmann::json::array({64, 64, 3}));
  CHECK(json["frames"] == 2 * 51);  // a reset and 50 steps per env
  CHECK(json["frames_per_second"].get<double>() > 0);
  CHECK(json["final_obs"].empty());  // pixels only
  // with the state kept, the rollout is the state rollout's, frames aside
  const Run both = umwelt(
      "rollout --env cartpole-swingup --option pixels=16 --option pixels_and_state=1 --steps 50 "
      "--json");
  const Run state = umwelt("rollout --env cartpole-swingup --steps 50 --json");
  REQUIRE(both.exit_code == 0);
  nlohmann::json a = nlohmann::json::parse(both.out);
  nlohmann::json b = nlohmann::json::parse(state.out);
  CHECK(a["final_obs"] == b["final_obs"]);
  CHECK(a["return_mean"] == b["return_mean"]);
  CHECK(b["pixels"].is_null());
  CHECK(b["frames"] == 0);
  const Run table = umwelt("rollout --env cartpole-swingup --option pixels=16 --steps 20");
  CHECK(table.exit_code == 0);
  CHECK_THAT(table.out, Contains("frames/s"));
}

TEST_CASE("umwelt perf pixels --json reports frames per second and the ratio to state") {
  const Run run = umwelt(
      "perf pixels --json --env cartpole-swingup --size 32 --steps 20 --rounds 1 --num-envs 2 "
      "--vector-steps 5 --vector-env pointmass-reach");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json json = nlohmann::json::parse(run.out);
  CHECK(json["pixels"] == nlohmann::json::array({32, 32, 3}));
  CHECK_FALSE(json["machine"]["renderer"].get<std::string>().empty());
  REQUIRE(json["envs"].size() == 1);
  const nlohmann::json& env = json["envs"][0];
  CHECK(env["env"] == "cartpole-swingup");
  CHECK(env["frames_per_second"].get<double>() > 0);
  CHECK(env["state_steps_per_second"].get<double>() > 0);
  CHECK(env["pixels_vs_state_ratio"].get<double>() > 0);
  CHECK(json["vector"]["env"] == "pointmass-reach");
  CHECK(json["vector"]["num_envs"] == 2);
  CHECK(json["vector"]["vector_2v1_ratio"].get<double>() > 0);
}

TEST_CASE("umwelt view refuses a bad config before opening a window, and names a missing display") {
  // the tests run with no display: the viewer's own checks come first, then GLFW's
  expect_error(umwelt("view"), "give either --env ID or --dataset DIR");
  expect_error(umwelt("view --env pointmass-reach --dataset /tmp"),
               "give either --env ID or --dataset DIR");
  expect_error(umwelt("view --env no-such-env --frames 1"), "no-such-env");
  expect_error(umwelt("view --dataset /no/such/dataset --frames 1"), "/no/such/dataset");
  expect_error(umwelt("view --env pointmass-reach --screenshot /tmp/x.png"),
               "--screenshot needs --frames N");
  expect_error(umwelt("view --env pointmass-reach --frames 1 --screenshot /no/such/folder/x.png"),
               "folder '/no/such/folder' does not exist");
  expect_error(umwelt("view --env pointmass-reach --frames 1 --size 10 10"),
               "expected a window from 200x150");
  expect_error(umwelt("view --env pointmass-reach --policy nonsense --frames 1"),
               "policy 'nonsense'");
  expect_error(umwelt("view --env pointmass-reach --agent latent-cem --frames 1"),
               "give --env ID and --model DIR too");
  expect_error(umwelt("view --dataset /tmp --agent oracle-cem --model /tmp --frames 1"),
               "give --env ID and --model DIR too");
  expect_error(umwelt("view --env pointmass-reach --model /no/such/model --frames 1"),
               "'/no/such/model' is not a folder");
  expect_error(umwelt("view --env pointmass-reach --frames 1"), "it needs a display");
  // the policies the UI offers are accepted (a bad one is refused before the display is tried)
  for (const char* policy : {"manual", "random", "scripted"}) {
    expect_error(umwelt(std::string("view --env pointmass-reach --frames 1 --policy ") + policy),
                 "it needs a display");
  }
}
