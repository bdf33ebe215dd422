// Rendering envs and pixel observations (pixels=N on any env), with no display.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "allocation_counter.h"
#include "core/error.h"
#include "core/random.h"
#include "envs/check_env.h"
#include "envs/registry.h"
#include "envs/vector_env.h"
#include "tests/test_util.h"

using Catch::Matchers::Contains;
using namespace uw::envs;
using uw::test::one_colour;
using uw::test::same_bits;

namespace {

const Registry& registry() {
  static const Registry r = make_default_registry();
  return r;
}

const std::string kOrientation =
    std::string("mjcf:") + UMWELT_TEST_DATA + "/render_orientation.xml";

uw::Options options(std::initializer_list<std::pair<const char*, const char*>> items) {
  uw::Options out;
  for (const auto& [key, value] : items) out.set(key, value);
  return out;
}

std::vector<uint8_t> copy(std::span<const uint8_t> pixels) {
  return {pixels.begin(), pixels.end()};
}

// Steps with actions at alternating ends of the action space, so that things move.
void push(Env& env, int steps) {
  const Space& space = env.spec().action_space;
  std::vector<float> action(space.flat_size());
  for (int t = 0; t < steps; ++t) {
    for (size_t k = 0; k < action.size(); ++k) {
      action[k] = ((t / 10 + k) % 2 == 0) ? space.high()[k] : space.low()[k];
    }
    if (env.step(action).done()) env.reset();
  }
}

// The env's own fast rendering of its current state, as a pixel observation would be.
std::vector<uint8_t> fast_render(Env& env, int width, int height, std::string_view camera = "") {
  std::vector<uint8_t> rgb(size_t(width) * height * 3);
  env.render_into({camera, width, height, uw::sim::RenderQuality::kFast}, rgb);
  return rgb;
}

}  // namespace

TEST_CASE("every registered task renders: not blank, moving, the same for the same state") {
  for (const std::string& id : registry().ids()) {
    SECTION(id) {
      auto env = registry().make(id);
      env->reset(1);
      const uw::sim::Image first = env->render("", 64, 64);
      REQUIRE(first.rgb.size() == 64 * 64 * 3);
      CHECK_FALSE(one_colour(first.rgb));
      const std::vector<double> state = env->save_state();
      CHECK(env->render("", 64, 64).rgb == first.rgb);  // rendering changes nothing

      push(*env, 40);
      const uw::sim::Image moved = env->render("", 64, 64);
      CHECK_FALSE(one_colour(moved.rgb));
      CHECK(moved.rgb != first.rgb);

      // another episode's start looks different; restoring brings the first picture back
      env->reset(2);
      CHECK(env->render("", 64, 64).rgb != first.rgb);
      env->restore_state(state);
      CHECK(env->render("", 64, 64).rgb == first.rgb);
      auto other = registry().make(id);
      other->restore_state(state);
      CHECK(other->render("", 64, 64).rgb == first.rgb);
      // the fast settings show the same scene (no shadows, no multisampling)
      const std::vector<uint8_t> fast = fast_render(*env, 64, 64);
      CHECK_FALSE(one_colour(fast));
      CHECK(fast == fast_render(*other, 64, 64));
    }
  }
}

TEST_CASE("render errors name the camera or the size") {
  auto env = registry().make("cartpole-swingup");
  env->reset(0);
  CHECK(env->camera_names() == std::vector<std::string>{"side"});
  CHECK_THROWS_WITH(env->render("top", 32, 32),
                    Contains("unknown camera 'top'") && Contains("'side'"));
  CHECK_THROWS_WITH(env->render("", 0, 32), Contains("image size 0x32"));
  CHECK(env->render("side", 32, 32).rgb == env->render("", 32, 32).rgb);
}

TEST_CASE("pixels=N: pixel observations only") {
  auto env = registry().make("cheetah-run", options({{"pixels", "64"}}));
  const EnvSpec& spec = env->spec();
  CHECK(spec.observation_space.flat_size() == 0);
  CHECK(spec.observation_space.shape() == std::vector<int64_t>{0});
  REQUIRE(spec.has_pixels());
  CHECK(*spec.pixel_space == Space::image(64, 64));
  CHECK(spec.pixel_space->describe() == "Box(0, 255, (64, 64, 3), uint8)");
  CHECK(spec.options.get_string("pixels") == "64");
  CHECK(spec.options.get_string("substeps") == "1");  // the env's own options stay

  const TimeStep first = env->reset(3);
  CHECK(first.obs.empty());
  CHECK(env->observation().empty());
  REQUIRE(first.pixels.size() == 64 * 64 * 3);
  CHECK_FALSE(one_colour(first.pixels));
  CHECK(same_bits(env->pixels(), first.pixels));
  const std::vector<uint8_t> start = copy(first.pixels);

  // the pixels are the env's fast rendering of its state, from the task's default camera
  auto plain = registry().make("cheetah-run");
  plain->reset(3);
  CHECK(fast_render(*plain, 64, 64) == start);

  std::vector<float> action(6, 1.0f);
  TimeStep step;
  for (int t = 0; t < 30; ++t) step = env->step(action);
  CHECK(step.obs.empty());
  CHECK(copy(step.pixels) != start);
  CHECK(same_bits(env->pixels(), step.pixels));

  // the spec remakes the same env, and survives JSON
  CHECK(registry().make(spec.id, spec.options)->spec() == spec);
  CHECK(spec_from_json(spec_to_json(spec)) == spec);
}

TEST_CASE("pixels=WxH and camera=NAME") {
  auto env = registry().make(kOrientation, options({{"pixels", "48x32"}, {"camera", "back"}}));
  CHECK(env->spec().pixel_space->shape() == std::vector<int64_t>{32, 48, 3});
  CHECK(env->spec().options.get_string("pixels") == "48x32");
  const TimeStep first = env->reset(0);
  REQUIRE(first.pixels.size() == 32 * 48 * 3);
  auto plain = registry().make(kOrientation);
  plain->reset(0);
  CHECK(copy(first.pixels) == fast_render(*plain, 48, 32, "back"));
  CHECK(copy(first.pixels) != fast_render(*plain, 48, 32, "front"));
}

TEST_CASE("pixels_and_state=1 keeps the state observation bit for bit") {
  auto env =
      registry().make("reacher-reach", options({{"pixels", "32"}, {"pixels_and_state", "1"}}));
  auto plain = registry().make("reacher-reach");
  CHECK(env->spec().observation_space == plain->spec().observation_space);
  CHECK(env->spec().goal_space == plain->spec().goal_space);
  const TimeStep a = env->reset(5);
  const TimeStep b = plain->reset(5);
  CHECK(same_bits(a.obs, b.obs));
  CHECK(a.pixels.size() == 32 * 32 * 3);
  uw::Rng rng(2);
  std::vector<float> action(2);
  for (int t = 0; t < 50; ++t) {
    env->spec().action_space.sample(rng, action);
    const TimeStep x = env->step(action);
    const TimeStep y = plain->step(action);
    REQUIRE(same_bits(x.obs, y.obs));
    REQUIRE(x.reward == y.reward);
    REQUIRE(x.info.success == y.info.success);
  }
  // a goal task stays a goal task, with the state to compare against the goal
  const uw::envs::Goal* goal = env->goal();
  REQUIRE(goal != nullptr);
  REQUIRE(plain->goal() != nullptr);
  CHECK(same_bits(goal->values(), plain->goal()->values()));
  CHECK(same_bits(goal->observation(), plain->goal()->observation()));
  CHECK(goal->success(goal->observation(), goal->values()));
  // the simulation is reached through the wrapper
  CHECK(env->world() != nullptr);
  CHECK(env->world() != plain->world());
  CHECK(env->world()->as_mujoco() != nullptr);
}

TEST_CASE("a goal task with pixels only keeps its goal and reports success") {
  auto env = registry().make("pointmass-reach", options({{"pixels", "32"}}));
  const uw::envs::Goal* goal = env->goal();
  REQUIRE(goal != nullptr);
  const TimeStep first = env->reset(4);
  CHECK(first.info.success.has_value());
  auto plain = registry().make("pointmass-reach");
  plain->reset(4);
  CHECK(same_bits(goal->values(), plain->goal()->values()));
  CHECK(goal->observation().empty());
  CHECK_THROWS_WITH(goal->success({}, goal->values()), Contains("pixels_and_state=1"));
  std::vector<float> out(2);
  CHECK_THROWS_WITH(goal->achieved({}, out), Contains("pixels_and_state=1"));
}

// Pixels (as RGB triples) that differ between two pictures of the same size.
size_t differing_pixels(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  size_t n = 0;
  for (size_t i = 0; i < a.size(); i += 3) {
    if (!std::equal(a.begin() + i, a.begin() + i + 3, b.begin() + i)) ++n;
  }
  return n;
}

TEST_CASE("goal pictures: the goal state drawn as the pixel observation draws the env") {
  auto env =
      registry().make("pointmass-reach", options({{"pixels", "64"}, {"pixels_and_state", "1"}}));
  const uw::envs::Goal* goal = env->goal();
  REQUIRE(goal != nullptr);
  CHECK(goal->pixels().empty());  // no goal yet
  env->reset(4);
  const std::vector<uint8_t> picture = copy(goal->pixels());
  REQUIRE(picture.size() == 64 * 64 * 3);
  const size_t at_start = differing_pixels(env->pixels(), picture);
  CHECK(at_start >= 4);  // the point mass (a few pixels across) is elsewhere
  // drive the point mass to the goal and let it settle: the observation becomes the goal picture
  std::vector<float> action(2);
  for (int t = 0; t < 150; ++t) {
    const std::span<const float> obs = env->observation();
    for (size_t i = 0; i < 2; ++i) {
      action[i] = std::clamp(4.0f * (goal->values()[i] - obs[i]) - 1.5f * obs[2 + i], -1.0f, 1.0f);
    }
    env->step(action);
  }
  INFO("pixels differing at the start: " << at_start);
  CHECK(differing_pixels(env->pixels(), picture) <= at_start / 4);
  // a restore within the episode keeps the picture; a clone draws its goals from its next reset
  env->restore_state(env->save_state());
  CHECK(copy(goal->pixels()) == picture);
  auto twin = env->clone();
  CHECK(twin->goal()->pixels().empty());
  twin->reset(4);
  CHECK(copy(twin->goal()->pixels()) == picture);
  env->reset(5);
  CHECK(copy(goal->pixels()) != picture);  // another goal
  // without pixels there is no goal picture
  auto plain = registry().make("pointmass-reach");
  plain->reset(4);
  CHECK(plain->goal()->pixels().empty());
}

TEST_CASE("pixel observations leave out the goal marker unless markers=1") {
  auto hidden = registry().make("pointmass-reach", options({{"pixels", "48"}}));
  auto shown = registry().make("pointmass-reach", options({{"pixels", "48"}, {"markers", "1"}}));
  hidden->reset(4);
  shown->reset(4);
  const std::vector<uint8_t> without(hidden->pixels().begin(), hidden->pixels().end());
  const std::vector<uint8_t> with(shown->pixels().begin(), shown->pixels().end());
  CHECK(without != with);
  CHECK(hidden->spec().options.get_string("markers") == "0");
  // the same picture but for the marker: a few pixels differ
  size_t differing = 0;
  for (size_t i = 0; i < with.size(); i += 3) {
    if (!std::equal(with.begin() + i, with.begin() + i + 3, without.begin() + i)) ++differing;
  }
  CHECK(differing > 0);
  CHECK(differing < 48 * 48 / 50);
  CHECK_THROWS_WITH(registry().make("pointmass-reach", options({{"markers", "1"}})),
                    Contains("'markers'") && Contains("pixels=N"));
}

TEST_CASE("save, restore and clone carry the pixels") {
  auto env = registry().make("cartpole-swingup", options({{"pixels", "40"}}));
  env->reset(1);
  push(*env, 15);
  const std::vector<double> state = env->save_state();
  const std::vector<uint8_t> at_save = copy(env->pixels());
  auto twin = env->clone();
  CHECK(copy(twin->pixels()) == at_save);
  CHECK(twin->spec() == env->spec());
  push(*env, 25);
  CHECK(copy(env->pixels()) != at_save);
  env->restore_state(state);
  CHECK(copy(env->pixels()) == at_save);  // restore renders the restored state
  // the clone steps like the original, pixels included
  std::vector<float> action = {0.7f};
  for (int t = 0; t < 10; ++t) {
    const std::vector<uint8_t> a = copy(env->step(action).pixels);
    REQUIRE(copy(twin->step(action).pixels) == a);
  }
}

TEST_CASE("pixel options are errors that say what was expected") {
  auto make = [](std::initializer_list<std::pair<const char*, const char*>> items) {
    return registry().make("cartpole-swingup", options(items));
  };
  CHECK_THROWS_WITH(
      make({{"pixels", "big"}}),
      Contains("option 'pixels' of env 'cartpole-swingup' = 'big'") && Contains("WxH"));
  CHECK_THROWS_WITH(make({{"pixels", "0x5"}}), Contains("'pixels'"));
  CHECK_THROWS_WITH(make({{"pixels", "2000"}}), Contains("[1, 1024]"));
  CHECK_THROWS_WITH(make({{"pixels", "-4"}}), Contains("'pixels'"));
  CHECK_THROWS_WITH(make({{"camera", "side"}}), Contains("'camera'") && Contains("pixels=N"));
  CHECK_THROWS_WITH(make({{"pixels_and_state", "1"}}), Contains("pixels=N"));
  CHECK_THROWS_WITH(make({{"pixels", "16"}, {"pixels_and_state", "maybe"}}),
                    Contains("'pixels_and_state'") && Contains("boolean"));
  CHECK_THROWS_WITH(make({{"pixels", "16"}, {"camera", "top"}}),
                    Contains("unknown camera") && Contains("'side'"));
  // the unknown-option message lists the pixel options beside the env's own
  CHECK_THROWS_WITH(make({{"pixel", "16"}}), Contains("unknown option 'pixel'") &&
                                                 Contains("substeps") && Contains("pixels"));
  // pixels=0 is no pixels
  CHECK_FALSE(make({{"pixels", "0"}})->spec().has_pixels());
  CHECK(make({{"pixels", "0"}})->spec() == make({})->spec());
}

// Every registered task with pixels: one CTest entry per env (tests/conformance.cmake). This is
// the same check on a model with asymmetric cameras, where a flipped picture would show.
TEST_CASE("an mjcf env with pixels passes check_env") {
  CheckEnvConfig config;
  config.steps = 20;
  config.save_after = 5;
  for (const std::string& id : {kOrientation}) {
    for (const char* keep_state : {"0", "1"}) {
      SECTION(id + " pixels_and_state=" + keep_state) {
        const uw::Options given =
            options({{"pixels", "24x16"}, {"pixels_and_state", keep_state}, {"max_steps", "30"}});
        const CheckEnvReport report = check_env([&] { return registry().make(id, given); }, config);
        std::string failures;
        for (const std::string& f : report.failures) failures += f + "\n";
        INFO(failures);
        CHECK(report.ok());
      }
    }
  }
}

TEST_CASE("a vector env batches pixels [N, H, W, 3], whatever the thread count") {
  const uw::Options given = options({{"pixels", "24"}, {"max_steps", "12"}});
  const size_t frame = 24 * 24 * 3;
  std::vector<std::vector<uint8_t>> traces;
  for (int threads : {1, 2}) {
    VectorEnv envs(registry().make("pointmass-reach", given),
                   {3, threads, AutoresetMode::kNextStep});
    CHECK(envs.pixel_size() == int64_t(frame));
    CHECK(envs.obs_size() == 0);
    BatchStep batch = envs.reset(10);
    REQUIRE(batch.pixels.size() == 3 * frame);
    for (int i = 0; i < 3; ++i) {
      auto single = registry().make("pointmass-reach", given);
      CHECK(copy(batch.pixels.subspan(i * frame, frame)) == copy(single->reset(10 + i).pixels));
    }
    std::vector<uint8_t> trace;
    uw::Rng rng(1);
    std::vector<float> actions(3 * 2);
    for (int t = 0; t < 30; ++t) {  // crosses autoresets
      envs.spec().action_space.sample(rng, std::span(actions).first(2));
      envs.spec().action_space.sample(rng, std::span(actions).subspan(2, 2));
      envs.spec().action_space.sample(rng, std::span(actions).subspan(4, 2));
      batch = envs.step(actions);
      for (int i = 0; i < 3; ++i) {
        REQUIRE(copy(batch.pixels.subspan(i * frame, frame)) == copy(envs.env(i).pixels()));
      }
      trace.insert(trace.end(), batch.pixels.begin(), batch.pixels.end());
    }
    traces.push_back(trace);
  }
  CHECK(traces[0] == traces[1]);
}

TEST_CASE("same-step autoreset keeps the last pixels of an episode in final_pixels") {
  const uw::Options given = options({{"pixels", "16"}, {"max_steps", "5"}});
  VectorEnv envs(registry().make("cartpole-swingup", given), {2, 1, AutoresetMode::kSameStep});
  auto single = registry().make("cartpole-swingup", given);
  envs.reset(0);
  single->reset(0);
  const std::vector<float> actions = {0.5f, 0.5f};
  const size_t frame = 16 * 16 * 3;
  for (int t = 0; t < 5; ++t) {
    const BatchStep batch = envs.step(actions);
    const TimeStep step = single->step(std::span(actions).first(1));
    if (t < 4) {
      CHECK_FALSE(batch.has_final_obs[0]);
      CHECK(copy(batch.pixels.first(frame)) == copy(step.pixels));
      continue;
    }
    REQUIRE(batch.has_final_obs[0]);
    CHECK(copy(batch.final_pixels.first(frame)) == copy(step.pixels));
    // the row is the next episode's first picture
    CHECK(copy(batch.pixels.first(frame)) == copy(single->reset().pixels));
  }
}

#if UMWELT_COUNTS_ALLOCATIONS
TEST_CASE("a vector env step with pixels allocates nothing") {
  VectorEnv envs(registry().make("cheetah-run", options({{"pixels", "16"}, {"max_steps", "8"}})),
                 {2, 2, AutoresetMode::kSameStep});
  std::vector<float> actions(12, 0.3f);
  envs.reset(0);
  envs.step(actions);  // first use makes the renderers and warms up every buffer
  uw::test::start_counting_allocations();
  for (int t = 1; t < 20; ++t) envs.step(actions);  // crosses autoresets
  CHECK(uw::test::stop_counting_allocations() == 0);
}
#endif
