#include "envs/pixel_env.h"

#include <algorithm>
#include <charconv>

#include "core/error.h"

namespace uw::envs {
namespace {

// Parses "N" or "WxH" into (width, height); false when it is neither.
bool parse_size(std::string_view text, int& width, int& height) {
  auto number = [](std::string_view digits, int& out) {
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return !digits.empty() && ec == std::errc() && end == digits.data() + digits.size();
  };
  const size_t x = text.find('x');
  if (x == std::string_view::npos) {
    if (!number(text, width)) return false;
    height = width;
    return true;
  }
  return number(text.substr(0, x), width) && number(text.substr(x + 1), height);
}

std::string size_text(int width, int height) {
  return width == height ? std::to_string(width)
                         : std::to_string(width) + "x" + std::to_string(height);
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "'" : ", '") + name + "'";
  return out;
}

// The inner env's goal as seen through the pixel wrapper: without the state observation there
// is no goal observation, and the tests on observations need pixels_and_state=1.
class PixelGoal final : public Goal {
 public:
  PixelGoal(const Env& env, const Env& inner_env, const Goal& inner, bool keep_state)
      : env_(env), inner_env_(inner_env), inner_(inner), keep_state_(keep_state) {}

  std::span<const float> values() const override { return inner_.values(); }
  std::span<const float> observation() const override {
    return keep_state_ ? inner_.observation() : std::span<const float>();
  }
  void achieved(std::span<const float> obs, std::span<float> out) const override {
    require_state("achieved");
    inner_.achieved(obs, out);
  }
  bool success(std::span<const float> obs, std::span<const float> goal) const override {
    require_state("success");
    return inner_.success(obs, goal);
  }
  double cost(std::span<const float> obs, std::span<const float> goal) const override {
    require_state("cost");
    return inner_.cost(obs, goal);
  }
  bool reached() const override { return inner_.reached(); }
  std::span<const uint8_t> pixels() const override { return inner_env_.goal_picture(); }

 private:
  void require_state(const char* what) const {
    if (!keep_state_) {
      throw Error("env " + env_.spec().id + ": the goal's " + what +
                  " compares state observations, and this env observes pixels only; make it "
                  "with pixels_and_state=1");
    }
  }

  const Env& env_;
  const Env& inner_env_;  // draws the goal pictures
  const Goal& inner_;
  bool keep_state_;
};

class PixelEnv final : public Env {
 public:
  PixelEnv(std::unique_ptr<Env> inner, PixelConfig config, std::shared_ptr<const EnvSpec> spec)
      : inner_(std::move(inner)),
        config_(std::move(config)),
        spec_(std::move(spec)),
        pixels_(spec_->pixel_space->flat_size(), 0) {
    if (const Goal* goal = inner_->goal()) {
      goal_.emplace(*this, *inner_, *goal, config_.keep_state);
      inner_->draw_goal_pictures(request());
    }
  }

  const EnvSpec& spec() const override { return *spec_; }
  TimeStep reset(std::optional<uint64_t> seed) override { return observe(inner_->reset(seed)); }
  TimeStep step(std::span<const float> action) override { return observe(inner_->step(action)); }
  std::vector<double> save_state() const override { return inner_->save_state(); }
  int64_t state_size() const override { return inner_->state_size(); }
  void save_state_to(std::span<double> out) const override { inner_->save_state_to(out); }
  bool episode_ended() const override { return inner_->episode_ended(); }
  void restore_state(std::span<const double> state) override {
    inner_->restore_state(state);
    render_pixels();
  }
  std::span<const float> observation() const override {
    return config_.keep_state ? inner_->observation() : std::span<const float>();
  }
  std::span<const uint8_t> pixels() const override { return pixels_; }
  void render_into(const RenderRequest& request, std::span<uint8_t> rgb) override {
    inner_->render_into(request, rgb);
  }
  std::vector<std::string> camera_names() const override { return inner_->camera_names(); }
  const Goal* goal() const override { return goal_ ? &*goal_ : nullptr; }
  const sim::World* world() const override { return inner_->world(); }
  // Poses the state observation (the inner env's); the picture stays the one last drawn.
  bool pose_observation(std::span<const float> obs) override {
    return inner_->pose_observation(obs);
  }
  std::unique_ptr<Env> clone() const override {
    auto copy = std::make_unique<PixelEnv>(inner_->clone(), config_, spec_);
    // the clone is in the same state, so it sees the same picture; it renders from its next step
    copy->pixels_ = pixels_;
    return copy;
  }
  std::string engine_warnings() const override { return inner_->engine_warnings(); }

 private:
  // How the pixel observation is drawn (and each goal picture).
  RenderRequest request() const {
    return {config_.camera, config_.width, config_.height, sim::RenderQuality::kFast,
            config_.markers};
  }
  void render_pixels() { inner_->render_into(request(), pixels_); }

  TimeStep observe(TimeStep step) {
    render_pixels();
    if (!config_.keep_state) step.obs = {};
    step.pixels = pixels_;
    return step;
  }

  std::unique_ptr<Env> inner_;
  PixelConfig config_;
  std::shared_ptr<const EnvSpec> spec_;  // shared with clones: the pixel bounds are large
  std::vector<uint8_t> pixels_;
  std::optional<PixelGoal> goal_;  // the inner env's goal, when it has one
};

}  // namespace

std::vector<OptionSpec> pixel_options() {
  return {
      {"pixels", "0", "observe N x N (or WxH) RGB pixels; 0 = off"},
      {"pixels_and_state", "0", "with pixels: keep the state observation too"},
      {"camera", "", "with pixels: the camera to observe from (default: the task's view)"},
      {"markers", "0", "with pixels: draw the task's markers (the goal) into the observation"},
  };
}

bool is_pixel_option(std::string_view name) {
  return name == "pixels" || name == "pixels_and_state" || name == "camera" || name == "markers";
}

std::optional<PixelConfig> parse_pixel_config(const Options& options, const std::string& owner) {
  const std::string& pixels = options.get_string("pixels");
  PixelConfig config;
  if (!parse_size(pixels, config.width, config.height) || config.width < 0 || config.height < 0 ||
      config.width > kMaxPixelSize || config.height > kMaxPixelSize ||
      (config.width == 0) != (config.height == 0)) {
    throw Error("option 'pixels' of " + owner + " = '" + pixels +
                "': expected N (N x N pixels) or WxH, with sizes in [1, " +
                std::to_string(kMaxPixelSize) + "], or 0 for no pixels");
  }
  config.keep_state = options.get_bool("pixels_and_state");
  config.camera = options.get_string("camera");
  config.markers = options.get_bool("markers");
  if (config.width == 0) {
    const char* needs_pixels = config.keep_state        ? "pixels_and_state"
                               : !config.camera.empty() ? "camera"
                               : config.markers         ? "markers"
                                                        : nullptr;
    if (needs_pixels != nullptr) {
      throw Error(std::string("option '") + needs_pixels + "' of " + owner +
                  " applies to pixel observations: add pixels=N");
    }
    return std::nullopt;
  }
  return config;
}

std::unique_ptr<Env> make_pixel_env(std::unique_ptr<Env> env, const PixelConfig& config) {
  UW_CHECK(env != nullptr && config.width >= 1 && config.height >= 1, "bad pixel env");
  const EnvSpec& inner = env->spec();
  if (!config.camera.empty()) {
    const std::vector<std::string> names = env->camera_names();
    if (std::find(names.begin(), names.end(), config.camera) == names.end()) {
      throw Error("option 'camera' of env '" + inner.id + "' = '" + config.camera +
                  "': unknown camera; " +
                  (names.empty() ? std::string("the env has no named cameras")
                                 : "the env's cameras: " + quoted_list(names)));
    }
  }
  auto spec = std::make_shared<EnvSpec>(inner);
  if (!config.keep_state) {
    spec->observation_space = Space::box({0}, 0.0f, 0.0f);
    spec->sensor_fields.clear();  // they were slices of the state observation
  }
  spec->pixel_space = Space::image(config.height, config.width);
  spec->options.set("pixels", size_text(config.width, config.height));
  spec->options.set("pixels_and_state", config.keep_state ? "1" : "0");
  spec->options.set("camera", config.camera);
  spec->options.set("markers", config.markers ? "1" : "0");
  return std::make_unique<PixelEnv>(std::move(env), config, std::move(spec));
}

}  // namespace uw::envs
