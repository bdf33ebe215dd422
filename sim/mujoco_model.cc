#include "sim/mujoco_model.h"

#include <array>
#include <mutex>
#include <system_error>

#include "core/error.h"

namespace uw::sim {
namespace {

// MuJoCo's engine is C, compiled with unwind tables on this platform, and its own compiler
// throws through it the same way; so a C++ exception is a safe way not to return from
// mju_error (returning would continue with a corrupt mjData).
[[noreturn]] void throw_engine_error(const char* message) {
  throw Error(std::string("MuJoCo error: ") + message);
}

void ignore_warning(const char*) {}

}  // namespace

void install_mujoco_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    // the RPATH links the library the headers came with; a loader override could still swap it
    UW_CHECK(mj_version() == mjVERSION_HEADER,
             "the MuJoCo library loaded is not the version Umwelt was compiled against");
    mju_user_error = throw_engine_error;
    mju_user_warning = ignore_warning;
  });
}

std::string mujoco_version() { return mj_versionString(); }

std::shared_ptr<const MujocoModel> MujocoModel::load(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error("cannot load MJCF model '" + path.string() + "': " +
                (std::filesystem::exists(path, ec) ? "not a regular file" : "no such file"));
  }
  return compile(path.c_str(), nullptr, path);
}

std::shared_ptr<const MujocoModel> MujocoModel::from_xml(const std::string& xml,
                                                         const std::string& name) {
  struct VfsDeleter {
    void operator()(mjVFS* vfs) const {
      mj_deleteVFS(vfs);
      delete vfs;
    }
  };
  std::unique_ptr<mjVFS, VfsDeleter> vfs(new mjVFS);
  mj_defaultVFS(vfs.get());
  const char* file = "model.xml";
  if (mj_addBufferVFS(vfs.get(), file, xml.data(), static_cast<int>(xml.size())) != 0) {
    throw Error("cannot load MJCF model '" + name + "': MuJoCo's VFS refused it");
  }
  return compile(file, vfs.get(), name);
}

std::shared_ptr<const MujocoModel> MujocoModel::compile(const char* file, const mjVFS* vfs,
                                                        const std::filesystem::path& path) {
  install_mujoco_handlers();
  // MuJoCo's compiler swaps the process-wide error handlers while it runs, so two loads must
  // not overlap. (A world stepping on another thread meanwhile would see the compiler's handler;
  // MujocoWorld turns whatever it throws into a fault.)
  static std::mutex load_mutex;
  std::array<char, 1024> error{};
  mjModel* raw = nullptr;
  {
    std::lock_guard lock(load_mutex);
    try {
      raw = mj_loadXML(file, vfs, error.data(), static_cast<int>(error.size()));
    } catch (const Error& e) {
      throw Error("cannot load MJCF model '" + path.string() + "': " + e.what());
    }
  }
  std::string message(error.data());
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  if (raw == nullptr) {
    throw Error("cannot load MJCF model '" + path.string() +
                "': " + (message.empty() ? "MuJoCo gave no reason" : message));
  }
  std::shared_ptr<MujocoModel> model(new MujocoModel());
  model->model_.reset(raw);
  model->path_ = path;
  model->load_warning_ = message;
  return model;
}

int MujocoModel::require_id(mjtObj type, const char* name) const {
  const int id = mj_name2id(model_.get(), type, name);
  if (id < 0) {
    throw Error("model '" + path_.string() + "' has no " + mju_type2Str(type) + " named '" + name +
                "'");
  }
  return id;
}

}  // namespace uw::sim
