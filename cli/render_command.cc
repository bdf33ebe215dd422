// umwelt render: draw an env after some random steps into a PNG, offscreen with no display.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/random.h"
#include "envs/registry.h"
#include "sim/image.h"

namespace uw::cli {
namespace {

struct RenderArgs {
  std::string env;
  uint64_t seed = 0;
  int steps = 0;
  std::vector<std::string> options;
  std::string camera;
  std::string out;
  std::vector<int> size = {256, 256};
  bool json = false;
};

// Fails before any work when the PNG could not be written where asked.
void check_output(const std::filesystem::path& out) {
  const std::filesystem::path folder = out.has_parent_path() ? out.parent_path() : ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    throw Error("cannot write '" + out.string() + "': folder '" + folder.string() +
                "' does not exist");
  }
  if (std::filesystem::is_directory(out, ec)) {
    throw Error("cannot write '" + out.string() + "': it is a folder; expected a file name");
  }
}

void run_render(const RenderArgs& args) {
  const int width = args.size[0];
  const int height = args.size[1];
  if (width < 1 || height < 1 || width > sim::kMaxImageSize || height > sim::kMaxImageSize) {
    throw Error("--size " + std::to_string(width) + " " + std::to_string(height) +
                ": expected a width and height in [1, " + std::to_string(sim::kMaxImageSize) + "]");
  }
  check_output(args.out);
  const envs::Registry registry = envs::make_default_registry();
  std::unique_ptr<envs::Env> env = registry.make(args.env, Options::parse(args.options));
  if (!args.camera.empty()) {
    const std::vector<std::string> names = env->camera_names();
    if (std::find(names.begin(), names.end(), args.camera) == names.end()) {
      std::string known;
      for (const std::string& name : names) known += (known.empty() ? "'" : ", '") + name + "'";
      throw Error("--camera '" + args.camera + "': env '" + args.env + "' has " +
                  (known.empty() ? std::string("no named cameras") : "cameras " + known));
    }
  }
  // random actions from their own stream; an episode that ends starts again
  env->reset(args.seed);
  Rng rng(derive_seed(args.seed, 0x72656e646572ULL));
  const envs::Space& space = env->spec().action_space;
  std::vector<float> action(space.flat_size());
  for (int t = 0; t < args.steps; ++t) {
    space.sample(rng, action);
    if (env->step(action).done()) env->reset();
  }
  const sim::Image image = env->render(args.camera, width, height);
  sim::write_png(image, args.out);
  const std::string camera = args.camera.empty() ? "default" : args.camera;
  if (args.json) {
    const nlohmann::json out = {{"path", args.out},   {"width", width},  {"height", height},
                                {"camera", camera},   {"env", args.env}, {"seed", args.seed},
                                {"steps", args.steps}};
    std::cout << out.dump() << std::endl;
    return;
  }
  std::cout << "wrote " << args.out << " (" << width << "x" << height << ", env " << args.env
            << ", camera " << camera << ", " << args.steps << " random steps, seed " << args.seed
            << ")\n";
}

}  // namespace

void add_render_command(App& app) {
  auto args = std::make_shared<RenderArgs>();
  auto* command = app.add_subcommand(
      "render", "Draw an env after random steps into a PNG (offscreen, no display needed)");
  command->add_option("--env", args->env, "Env id (see `umwelt envs`) or mjcf:<path>")->required();
  command->add_option("--seed", args->seed, "Seed of the reset and of the random actions");
  command->add_option("--steps", args->steps, "Random steps before drawing")
      ->check(NonNegativeNumber);
  command->add_option("--option", args->options, "Env option key=value (repeatable)");
  command->add_option("--camera", args->camera,
                      "A camera of the model by name (default: the task's view)");
  command->add_option("--out", args->out, "PNG file to write")->required();
  command->add_option("--size", args->size, "Width and height in pixels (default 256 256)")
      ->expected(2);
  command->add_flag("--json", args->json, "Print one JSON object");
  command->callback([args] { run_render(*args); });
}

}  // namespace uw::cli
