// The offscreen renderer, run with no display (CTest unsets DISPLAY, WAYLAND_DISPLAY and
// EGL_PLATFORM): software rendering through EGL where there is no GPU.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <thread>

#include "core/error.h"
#include "sim/mujoco_world.h"
#include "sim/renderer.h"
#include "tests/test_util.h"

using Catch::Matchers::Contains;
using uw::sim::Image;
using uw::sim::MujocoModel;
using uw::sim::MujocoWorld;
using uw::sim::Renderer;
using uw::sim::RenderQuality;
using uw::test::one_colour;

namespace {

const std::string kData = UMWELT_TEST_DATA;
const std::string kAssets = UMWELT_ASSET_DIR;

std::unique_ptr<MujocoWorld> load(const std::string& path) {
  auto world = std::make_unique<MujocoWorld>(MujocoModel::load(path));
  world->forward();
  return world;
}

struct Rgb {
  int r, g, b;
};

Rgb pixel(const Image& image, int x, int y) {
  const size_t i = (size_t(y) * image.width + x) * 3;
  return {image.rgb[i], image.rgb[i + 1], image.rgb[i + 2]};
}

// The colour that dominates a pixel clearly: 'r', 'g', 'b', or '?'.
char dominant(Rgb c) {
  if (c.r > c.g + 60 && c.r > c.b + 60) return 'r';
  if (c.g > c.r + 60 && c.g > c.b + 60) return 'g';
  if (c.b > c.r + 60 && c.b > c.g + 60) return 'b';
  return '?';
}

bool same_pixels(const Image& a, const Image& b) {
  return a.width == b.width && a.height == b.height && a.rgb == b.rgb;
}

}  // namespace

TEST_CASE("the tests render with no display") {
  CHECK(std::getenv("DISPLAY") == nullptr);
  CHECK(std::getenv("WAYLAND_DISPLAY") == nullptr);
  CHECK(std::getenv("EGL_PLATFORM") == nullptr);
  Renderer renderer(RenderQuality::kFast);
  INFO("backend: " << renderer.backend());
  CHECK_FALSE(renderer.backend().empty());
  auto world = load(kAssets + "/cartpole.xml");
  const Image image = renderer.render(world->draw(), "", 64, 64);
  CHECK(image.width == 64);
  CHECK(image.height == 64);
  CHECK(image.rgb.size() == 64 * 64 * 3);
  CHECK_FALSE(one_colour(image.rgb));
}

TEST_CASE("images come top row first, left column first") {
  auto world = load(kData + "/render_orientation.xml");
  for (RenderQuality quality : {RenderQuality::kFast, RenderQuality::kPretty}) {
    Renderer renderer(quality);
    // odd sizes too: rows of 3 * width bytes are not padded
    for (auto [w, h] : {std::pair{64, 64}, std::pair{33, 17}, std::pair{101, 75}}) {
      const Image image = renderer.render(world->draw(), "front", w, h);
      INFO("quality " << int(quality) << ", " << w << "x" << h);
      // the boxes' centres are 0.26 image heights from the centre (0.3 / tan(30 degrees) / 2)
      const int offset = static_cast<int>(std::lround(0.26 * h));
      CHECK(dominant(pixel(image, w / 2, h / 2 - offset)) == 'r');  // red box above
      CHECK(dominant(pixel(image, w / 2, h / 2 + offset)) == 'b');  // blue box below
      CHECK(dominant(pixel(image, w / 2 + offset, h / 2)) == 'g');  // green box to the right
    }
    // seen from behind, right and left swap
    const Image back = renderer.render(world->draw(), "back", 64, 64);
    CHECK(dominant(pixel(back, 32 - 17, 32)) == 'g');
  }
}

TEST_CASE("the same state gives the same pixels, another state other pixels") {
  auto world = load(kAssets + "/cheetah.xml");
  Renderer renderer(RenderQuality::kFast);
  const Image first = renderer.render(world->draw(), "", 64, 64);
  CHECK(same_pixels(renderer.render(world->draw(), "", 64, 64), first));
  Renderer other(RenderQuality::kFast);
  CHECK(same_pixels(other.render(world->draw(), "", 64, 64), first));

  const std::vector<double> state = world->save_state();
  std::vector<double> u(world->control_size(), 0.8);
  world->set_control(u);
  world->step(200);
  REQUIRE(world->health().ok);
  const Image moved = renderer.render(world->draw(), "", 64, 64);
  CHECK_FALSE(one_colour(moved.rgb));
  CHECK_FALSE(same_pixels(moved, first));
  world->restore_state(state);
  CHECK(same_pixels(renderer.render(world->draw(), "", 64, 64), first));

  // a world just stepped draws its current state, as it does once restored to that state
  world->step(7);
  const Image stepped = renderer.render(world->draw(), "", 64, 64);
  world->restore_state(world->save_state());
  CHECK(same_pixels(renderer.render(world->draw(), "", 64, 64), stepped));
}

TEST_CASE("rendering leaves the world's state and what it does next unchanged") {
  auto rendered = load(kAssets + "/cheetah.xml");
  auto plain = load(kAssets + "/cheetah.xml");
  Renderer renderer(RenderQuality::kFast);
  std::vector<double> u(rendered->control_size(), -0.5);
  for (int t = 0; t < 20; ++t) {
    const std::vector<double> before = rendered->save_state();
    renderer.render(rendered->draw(), "track", 32, 32);
    CHECK(uw::test::same_bits(std::span<const double>(rendered->save_state()), before));
    for (MujocoWorld* world : {rendered.get(), plain.get()}) {
      world->set_control(u);
      world->step(5);
    }
  }
  CHECK(uw::test::same_bits(std::span<const double>(rendered->save_state()),
                            std::span<const double>(plain->save_state())));
  CHECK(rendered->warnings().empty());
}

TEST_CASE("fixed and tracking cameras by name, the first camera by default") {
  auto cheetah = load(kAssets + "/cheetah.xml");
  Renderer renderer(RenderQuality::kFast);
  CHECK(uw::sim::camera_names(cheetah->draw()) == std::vector<std::string>{"track"});
  CHECK(same_pixels(renderer.render(cheetah->draw(), "", 48, 48),
                    renderer.render(cheetah->draw(), "track", 48, 48)));

  auto world = load(kData + "/render_orientation.xml");
  CHECK(uw::sim::camera_names(world->draw()) ==
        std::vector<std::string>{"front", "back", "follow"});
  CHECK(same_pixels(renderer.render(world->draw(), "", 40, 40),
                    renderer.render(world->draw(), "front", 40, 40)));
  CHECK_FALSE(same_pixels(renderer.render(world->draw(), "back", 40, 40),
                          renderer.render(world->draw(), "front", 40, 40)));
  // the tracking camera keeps the ball in the middle when it moves; the fixed one does not
  auto yellow = [](Rgb c) { return c.r > 150 && c.g > 150 && c.b < 80; };
  const int left = 32 - 17;
  CHECK(yellow(pixel(renderer.render(world->draw(), "follow", 64, 64), 32, 32)));
  CHECK(yellow(pixel(renderer.render(world->draw(), "front", 64, 64), left, 32)));
  world->data()->qpos[2] = -0.6;  // the ball's height
  world->forward();
  CHECK(yellow(pixel(renderer.render(world->draw(), "follow", 64, 64), 32, 32)));
  const Image front = renderer.render(world->draw(), "front", 64, 64);
  CHECK_FALSE(yellow(pixel(front, left, 32)));
  CHECK(yellow(pixel(front, left, 32 + 17)));
}

TEST_CASE("a model without cameras is framed by a free camera") {
  auto world = load(kData + "/no_camera.xml");
  Renderer renderer(RenderQuality::kFast);
  CHECK(uw::sim::camera_names(world->draw()).empty());
  const Image image = renderer.render(world->draw(), "", 64, 64);
  CHECK_FALSE(one_colour(image.rgb));
  // the orange box is in the picture
  int orange = 0;
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 64; ++x) {
      const Rgb c = pixel(image, x, y);
      orange += c.r > 120 && c.r > c.b + 50 && c.g > c.b;
    }
  }
  CHECK(orange > 20);
  CHECK_THROWS_WITH(renderer.render(world->draw(), "top", 8, 8),
                    Contains("unknown camera 'top'") && Contains("no named cameras"));
}

TEST_CASE("bad cameras and sizes are errors that name what was expected") {
  auto world = load(kData + "/render_orientation.xml");
  Renderer renderer(RenderQuality::kFast);
  CHECK_THROWS_WITH(renderer.render(world->draw(), "side", 8, 8),
                    Contains("unknown camera 'side'") && Contains("'front', 'back', 'follow'"));
  for (auto [w, h] : {std::pair{0, 8}, std::pair{8, -1}, std::pair{4097, 8}}) {
    CHECK_THROWS_WITH(renderer.render(world->draw(), "", w, h),
                      Contains("image size") && Contains("[1, 4096]"));
  }
  std::vector<uint8_t> small(8 * 8 * 3 - 1);
  CHECK_THROWS_WITH(renderer.render(world->draw(), "", 8, 8, small), Contains("expected 192"));
  // it still renders after the errors
  CHECK_FALSE(one_colour(renderer.render(world->draw(), "", 8, 8).rgb));
}

TEST_CASE("one renderer draws other models and sizes in turn") {
  auto cartpole = load(kAssets + "/cartpole.xml");
  auto cheetah = load(kAssets + "/cheetah.xml");
  for (RenderQuality quality : {RenderQuality::kFast, RenderQuality::kPretty}) {
    Renderer reused(quality);
    reused.render(cartpole->draw(), "", 32, 32);
    reused.render(cheetah->draw(), "", 80, 40);
    // larger than the models' 512x512 offscreen buffers
    const Image big = reused.render(cartpole->draw(), "", 700, 520);
    CHECK_FALSE(one_colour(big.rgb));
    const Image small = reused.render(cheetah->draw(), "", 24, 36);
    Renderer fresh(quality);
    CHECK(same_pixels(small, fresh.render(cheetah->draw(), "", 24, 36)));
    CHECK(same_pixels(big, fresh.render(cartpole->draw(), "", 700, 520)));
  }
}

TEST_CASE("pretty and fast pictures differ (shadows, multisampling) and both show the scene") {
  auto world = load(kAssets + "/cheetah.xml");
  Renderer pretty(RenderQuality::kPretty);
  Renderer fast(RenderQuality::kFast);
  CHECK(pretty.quality() == RenderQuality::kPretty);
  CHECK(fast.quality() == RenderQuality::kFast);
  const Image a = pretty.render(world->draw(), "", 64, 64);
  const Image b = fast.render(world->draw(), "", 64, 64);
  CHECK_FALSE(one_colour(a.rgb));
  CHECK_FALSE(one_colour(b.rgb));
  CHECK_FALSE(same_pixels(a, b));
}

TEST_CASE("a renderer moves between threads, and renderers on two threads work at once") {
  auto world = load(kAssets + "/cheetah.xml");
  auto other = load(kAssets + "/cartpole.xml");
  Renderer renderer(RenderQuality::kFast);
  const Image here = renderer.render(world->draw(), "", 48, 48);
  Image there;
  std::thread([&] { there = renderer.render(world->draw(), "", 48, 48); }).join();
  CHECK(same_pixels(here, there));

  Renderer second(RenderQuality::kFast);
  const Image expected = second.render(other->draw(), "", 48, 48);
  std::vector<Image> a(10);
  std::vector<Image> b(10);
  std::thread ta([&] {
    for (Image& image : a) image = renderer.render(world->draw(), "", 48, 48);
  });
  std::thread tb([&] {
    for (Image& image : b) image = second.render(other->draw(), "", 48, 48);
  });
  ta.join();
  tb.join();
  for (int i = 0; i < 10; ++i) {
    CHECK(same_pixels(a[i], here));
    CHECK(same_pixels(b[i], expected));
  }
}

TEST_CASE("EGL platforms can be chosen, and a bad choice is an error") {
  // Mesa gives both with no display: its surfaceless platform and its software device
  for (auto platform : {uw::sim::EglPlatform::kSurfaceless, uw::sim::EglPlatform::kDevice}) {
    uw::sim::EglContext context(platform);
    CHECK_THAT(context.description(), Contains(std::string(uw::sim::egl_platform_name(platform))));
  }
  CHECK_THROWS_WITH(uw::sim::parse_egl_platform("x11"),
                    Contains("unknown EGL platform 'x11'") && Contains("surfaceless"));
  CHECK(uw::sim::parse_egl_platform("device") == uw::sim::EglPlatform::kDevice);
  // the environment variable picks one too (each test case runs in its own process)
  setenv("UMWELT_EGL_PLATFORM", "surfaceless", 1);
  CHECK_THAT(uw::sim::EglContext().description(), Contains("surfaceless"));
  setenv("UMWELT_EGL_PLATFORM", "wayland", 1);
  CHECK_THROWS_WITH(uw::sim::EglContext(), Contains("UMWELT_EGL_PLATFORM") && Contains("wayland"));
  unsetenv("UMWELT_EGL_PLATFORM");
}

TEST_CASE("a picture does not depend on the frame drawn before it") {
  // MuJoCo places an infinite plane's drawn patch around the scene's camera; without updating
  // the camera first, a picture would depend on where the previous one looked from
  const std::string xml = R"(
    <mujoco>
      <asset>
        <texture name="grid" type="2d" builtin="checker" rgb1=".2 .3 .4" rgb2=".6 .6 .6"
                 width="64" height="64"/>
        <material name="grid" texture="grid" texrepeat="8 8" texuniform="true"/>
      </asset>
      <worldbody>
        <light pos="0 0 3"/>
        <camera name="low" pos="3 -3 0.4" xyaxes="0.7 0.7 0 -0.1 0.1 1"/>
        <camera name="high" pos="0 -12 9" xyaxes="1 0 0 0 0.6 0.8"/>
        <geom type="plane" size="0 0 0.1" material="grid"/>
        <geom type="box" size="0.2 0.2 0.2" pos="0 0 0.2" rgba="0.9 0.2 0.2 1"/>
      </worldbody>
    </mujoco>)";
  MujocoWorld world(MujocoModel::from_xml(xml, "infinite plane"));
  world.forward();
  for (RenderQuality quality : {RenderQuality::kFast, RenderQuality::kPretty}) {
    Renderer fresh(quality);
    const Image first = fresh.render(world.draw(), "low", 48, 48);
    CHECK(same_pixels(fresh.render(world.draw(), "low", 48, 48), first));
    Renderer used(quality);
    used.render(world.draw(), "high", 48, 48);
    CHECK(same_pixels(used.render(world.draw(), "low", 48, 48), first));
  }
}
