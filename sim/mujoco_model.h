#pragma once

#include <mujoco/mujoco.h>

#include <filesystem>
#include <memory>
#include <string>

namespace uw::sim {

// An immutable compiled MuJoCo model, shared by every world (and every env of a batch) that
// simulates it.
class MujocoModel {
 public:
  // Parses and compiles an MJCF file. Throws uw::Error with the path and MuJoCo's message
  // when the file is missing, malformed, or names assets that cannot be loaded.
  static std::shared_ptr<const MujocoModel> load(const std::filesystem::path& path);
  // Compiles MJCF text held in memory; `name` stands for the file in messages. Asset files it
  // names by absolute path are read from disk.
  static std::shared_ptr<const MujocoModel> from_xml(const std::string& xml,
                                                     const std::string& name);

  const mjModel* get() const { return model_.get(); }
  const std::filesystem::path& path() const { return path_; }
  // Compiler warnings MuJoCo reported while loading, empty when none.
  const std::string& load_warning() const { return load_warning_; }
  // The id of a named object (mjOBJ_JOINT, mjOBJ_BODY, ...); throws uw::Error naming the file
  // and the object when the model has no such object.
  int require_id(mjtObj type, const char* name) const;

 private:
  struct Deleter {
    void operator()(mjModel* m) const { mj_deleteModel(m); }
  };
  MujocoModel() = default;
  static std::shared_ptr<const MujocoModel> compile(const char* file, const mjVFS* vfs,
                                                    const std::filesystem::path& path);

  std::unique_ptr<mjModel, Deleter> model_;
  std::filesystem::path path_;
  std::string load_warning_;
};

// Installs Umwelt's MuJoCo error and warning handlers (once per process; later calls do
// nothing). The error handler throws instead of letting MuJoCo call exit(); the warning handler
// is silent because warnings are read from mjData's counters (see MujocoWorld::health).
void install_mujoco_handlers();

// MuJoCo's version, e.g. "4.0.0".
std::string mujoco_version();

}  // namespace uw::sim
