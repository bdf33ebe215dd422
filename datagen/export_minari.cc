#include "datagen/export_minari.h"

#include <hdf5.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/error.h"
#include "datagen/file_io.h"

namespace uw::data {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// An HDF5 identifier that closes itself with its kind's close function.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(other.close_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      close();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      close_ = other.close_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;

  hid_t get() const { return id_; }
  // Closes now, reporting a failure (for the file: the last data is written then).
  herr_t close() { return id_ >= 0 ? close_(std::exchange(id_, H5I_INVALID_HID)) : 0; }

 private:
  hid_t id_ = H5I_INVALID_HID;
  herr_t (*close_)(hid_t) = nullptr;
};

// Turns off HDF5's printing of its error stack while it lives; failures become uw::Error.
class QuietErrors {
 public:
  QuietErrors() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// The innermost message of HDF5's error stack (where the failure was found), then cleared.
std::string hdf5_reason() {
  std::string reason;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* error, void* out) -> herr_t {
        if (n == 0 && error->desc != nullptr) *static_cast<std::string*>(out) = error->desc;
        return 0;
      },
      &reason);
  H5Eclear2(H5E_DEFAULT);
  if (reason.empty()) return "unknown HDF5 error";
  // "file write failed: time = ..., errno = 28, error message = 'No space left on device', ..."
  constexpr std::string_view kSystem = "error message = '";
  if (const size_t at = reason.find(kSystem); at != std::string::npos) {
    const size_t begin = at + kSystem.size();
    return reason.substr(0, reason.find(':')) + ": " +
           reason.substr(begin, reason.find('\'', begin) - begin);
  }
  return reason;
}

// "/episode_3/infos": an object's path in its file, for messages.
std::string object_path(hid_t object) {
  const ssize_t size = H5Iget_name(object, nullptr, 0);
  if (size <= 0) return "";
  std::string name(static_cast<size_t>(size) + 1, '\0');
  H5Iget_name(object, name.data(), name.size());
  name.resize(static_cast<size_t>(size));
  return name == "/" ? "" : name;
}

// One HDF5 file being written; every call that fails throws uw::Error naming the file, the
// object and HDF5's reason.
class H5Writer {
 public:
  explicit H5Writer(const fs::path& path) : path_(path) {
    file_ = make(H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                 "cannot create the file");
    // h5py reads this enum as numpy bool
    bool_type_ = make(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose, "cannot make the bool type");
    for (const auto& [name, value] :
         {std::pair{"FALSE", int8_t{0}}, std::pair{"TRUE", int8_t{1}}}) {
      check(H5Tenum_insert(bool_type_.get(), name, &value), "cannot make the bool type");
    }
    // variable-length UTF-8: h5py reads it as str
    string_type_ = make(H5Tcopy(H5T_C_S1), H5Tclose, "cannot make the string type");
    check(H5Tset_size(string_type_.get(), H5T_VARIABLE), "cannot make the string type");
    check(H5Tset_cset(string_type_.get(), H5T_CSET_UTF8), "cannot make the string type");
  }

  hid_t root() const { return file_.get(); }
  hid_t bool_type() const { return bool_type_.get(); }

  Handle group(hid_t parent, const std::string& name) {
    return make(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                "cannot create group '" + name + "'");
  }

  // A dataset of `dims` in `file_type`, written from `data` laid out as `memory_type`.
  void dataset(hid_t parent, const std::string& name, hid_t file_type, hid_t memory_type,
               const std::vector<hsize_t>& dims, const void* data) {
    const std::string what = "dataset '" + object_path(parent) + "/" + name + "'";
    Handle space = make(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                        H5Sclose, "cannot make the dataspace of " + what);
    Handle set = make(H5Dcreate2(parent, name.c_str(), file_type, space.get(), H5P_DEFAULT,
                                 H5P_DEFAULT, H5P_DEFAULT),
                      H5Dclose, "cannot create " + what);
    hsize_t count = 1;
    for (hsize_t d : dims) count *= d;
    if (count > 0) {
      check(H5Dwrite(set.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data),
            "cannot write " + what);
    }
    check(set.close(), "cannot close " + what);
  }

  void attribute(hid_t object, const std::string& name, hid_t file_type, hid_t memory_type,
                 const void* value) {
    const std::string owner = object_path(object);
    const std::string what = "attribute '" + name + "' of '" + (owner.empty() ? "/" : owner) + "'";
    Handle space = make(H5Screate(H5S_SCALAR), H5Sclose, "cannot make the dataspace of " + what);
    Handle attribute =
        make(H5Acreate2(object, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
             H5Aclose, "cannot create " + what);
    check(H5Awrite(attribute.get(), memory_type, value), "cannot write " + what);
  }
  void attribute(hid_t object, const std::string& name, int64_t value) {
    attribute(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
  }
  void attribute(hid_t object, const std::string& name, uint64_t value) {
    attribute(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
  }
  void attribute(hid_t object, const std::string& name, bool value) {
    const int8_t v = value ? 1 : 0;
    attribute(object, name, bool_type_.get(), bool_type_.get(), &v);
  }
  void attribute(hid_t object, const std::string& name, const std::string& value) {
    const char* text = value.c_str();
    attribute(object, name, string_type_.get(), string_type_.get(), &text);
  }

  void close() {
    bool_type_.close();
    string_type_.close();
    check(file_.close(), "cannot close the file");
  }

 private:
  Handle make(hid_t id, herr_t (*close)(hid_t), const std::string& what) {
    if (id < 0) fail(what);
    return {id, close};
  }
  void check(herr_t status, const std::string& what) {
    if (status < 0) fail(what);
  }
  [[noreturn]] void fail(const std::string& what) {
    throw Error(quoted(path_) + ": " + what + ": " + hdf5_reason());
  }

  fs::path path_;
  Handle file_;
  Handle bool_type_;
  Handle string_type_;
};

std::vector<hsize_t> dims_of(int64_t rows, const std::vector<int64_t>& shape) {
  std::vector<hsize_t> dims = {static_cast<hsize_t>(rows)};
  for (int64_t d : shape) dims.push_back(static_cast<hsize_t>(d));
  return dims;
}

// `rows` elements of `space` (stored as floats in the episode) in the space's own dtype, as
// Minari reads them: float32 or uint8 Box arrays, Discrete as int64.
void write_space_values(H5Writer& w, hid_t group, const std::string& name, const envs::Space& space,
                        int64_t rows, const std::vector<float>& values) {
  if (space.kind() == envs::Space::Kind::kDiscrete) {
    const std::vector<int64_t> integers(values.begin(), values.end());
    w.dataset(group, name, H5T_STD_I64LE, H5T_NATIVE_INT64, {static_cast<hsize_t>(rows)},
              integers.data());
  } else if (space.dtype() == envs::Space::Dtype::kUint8) {
    const std::vector<uint8_t> bytes(values.begin(), values.end());
    w.dataset(group, name, H5T_STD_U8LE, H5T_NATIVE_UINT8, dims_of(rows, space.shape()),
              bytes.data());
  } else {
    w.dataset(group, name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, dims_of(rows, space.shape()),
              values.data());
  }
}

// `row` repeated `rows` times: per-episode values as Minari infos, which have a row per
// observation.
std::vector<float> repeated(const std::vector<float>& row, int64_t rows) {
  std::vector<float> out;
  out.reserve(row.size() * static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) out.insert(out.end(), row.begin(), row.end());
  return out;
}

void write_episode(H5Writer& w, const Episode& e, int64_t id, const Manifest& manifest) {
  const EpisodeLayout& layout = manifest.layout;
  const envs::EnvSpec& spec = manifest.spec;
  const int64_t T = e.steps;
  Handle group = w.group(w.root(), "episode_" + std::to_string(id));
  const hid_t g = group.get();
  w.attribute(g, "id", id);
  w.attribute(g, "total_steps", T);
  w.attribute(g, "seed", e.seed);
  w.attribute(g, "index", e.index);
  w.attribute(g, "policy", e.policy);
  w.attribute(g, "end_reason", std::string(envs::end_reason_name(e.reason)));
  if (e.success.has_value()) w.attribute(g, "success", *e.success);

  write_space_values(w, g, "observations", spec.observation_space, T + 1, e.observations);
  write_space_values(w, g, "actions", spec.action_space, T, e.actions);
  const std::vector<double> rewards(e.rewards.begin(), e.rewards.end());
  w.dataset(g, "rewards", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {static_cast<hsize_t>(T)},
            rewards.data());
  std::vector<int8_t> flags(static_cast<size_t>(T), 0);
  flags.back() = e.terminated ? 1 : 0;
  w.dataset(g, "terminations", w.bool_type(), w.bool_type(), {static_cast<hsize_t>(T)},
            flags.data());
  flags.back() = e.truncated ? 1 : 0;
  w.dataset(g, "truncations", w.bool_type(), w.bool_type(), {static_cast<hsize_t>(T)},
            flags.data());

  Handle infos = w.group(g, "infos");
  if (layout.state_every == 1) {  // Minari's infos hold a value per step, or nothing
    w.dataset(infos.get(), "states", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
              dims_of(T + 1, {layout.state_size}), e.states.data());
  }
  if (layout.goal_size > 0) {
    w.dataset(infos.get(), "goal", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
              dims_of(T + 1, {layout.goal_size}), repeated(e.goal, T + 1).data());
    w.dataset(infos.get(), "goal_observation", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
              dims_of(T + 1, {layout.obs_size}), repeated(e.goal_observation, T + 1).data());
  }
  if (layout.pixel_height > 0) {
    w.dataset(infos.get(), "pixels", H5T_STD_U8LE, H5T_NATIVE_UINT8,
              dims_of(T + 1, {layout.pixel_height, layout.pixel_width, 3}), e.pixels.data());
  }
}

void write_main_data(const Dataset& dataset, const fs::path& path, const std::string& dataset_id,
                     int64_t steps) {
  const QuietErrors quiet;
  H5Writer w(path);
  const Manifest& manifest = dataset.manifest();
  w.attribute(w.root(), "total_episodes", dataset.size());
  w.attribute(w.root(), "total_steps", steps);
  w.attribute(w.root(), "dataset_id", dataset_id);
  w.attribute(w.root(), "minari_version", std::string(kMinariVersion));
  w.attribute(w.root(), "env_spec", envs::spec_to_json(manifest.spec).dump());
  w.attribute(w.root(), "umwelt_manifest", manifest_to_json(manifest).dump());
  for (int64_t i = 0; i < dataset.size(); ++i) write_episode(w, dataset.read(i), i, manifest);
  w.close();
}

// Shortest text that reads back as the same float, in Python's JSON (which knows Infinity).
std::string python_json_number(float x) {
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  char text[32];
  const auto result = std::to_chars(text, text + sizeof(text), x);
  return {text, result.ptr};
}

// Bounds nested as the space's shape, as numpy's tolist() gives them.
void nested_list(std::string& out, const std::vector<float>& values,
                 const std::vector<int64_t>& shape, size_t dim, size_t& next) {
  if (dim == shape.size()) {
    out += python_json_number(values[next++]);
    return;
  }
  out += '[';
  for (int64_t i = 0; i < shape[dim]; ++i) {
    if (i > 0) out += ", ";
    nested_list(out, values, shape, dim + 1, next);
  }
  out += ']';
}

void sync_file(const fs::path& path) { File(path, File::Mode::kRead).sync(); }

uint64_t size_of_file(const fs::path& path) { return File(path, File::Mode::kRead).size(); }

}  // namespace

void check_minari_dataset_id(const std::string& id) {
  // Minari's DATASET_ID_RE, (?:[-\w][-\w/]*[-\w]+/)?[-\w]+?-v\d+, with its version required
  // (Minari fails on an id without one); checked by hand, since std::regex trips GCC 12's
  // uninitialised-use warning under the sanitizers
  const auto word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  };
  const size_t version = id.rfind("-v");
  const size_t slash = id.rfind('/');
  const std::string digits = version == std::string::npos ? "" : id.substr(version + 2);
  const std::string name =
      version == std::string::npos ? "" : id.substr(slash + 1, version - (slash + 1));
  const std::string space = slash == std::string::npos ? "" : id.substr(0, slash);
  bool valid =
      !digits.empty() &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      (slash == std::string::npos || slash < version) && !name.empty() &&
      std::all_of(name.begin(), name.end(), word);
  if (slash != std::string::npos) {
    valid = valid && space.size() >= 2 && word(space.front()) && word(space.back()) &&
            std::all_of(space.begin(), space.end(), [&](char c) { return word(c) || c == '/'; });
  }
  if (!valid) {
    throw Error("dataset id '" + id +
                "': expected Minari's form (namespace/)name-v<version> of letters, digits, "
                "'_' and '-', e.g. 'umwelt/pointmass-reach/random-v0'");
  }
}

std::string minari_space(const envs::Space& space) {
  if (space.kind() == envs::Space::Kind::kDiscrete) {
    return R"({"type": "Discrete", "dtype": "int64", "start": 0, "n": )" +
           std::to_string(space.n()) + "}";
  }
  std::string out = R"({"type": "Box", "dtype": ")";
  out += envs::dtype_name(space.dtype());
  out += R"(", "shape": )";
  out += json(space.shape()).dump();
  size_t next = 0;
  out += R"(, "low": )";
  nested_list(out, space.low(), space.shape(), 0, next);
  next = 0;
  out += R"(, "high": )";
  nested_list(out, space.high(), space.shape(), 0, next);
  out += '}';
  return out;
}

ExportResult export_minari(const Dataset& dataset, const fs::path& out_dir,
                           const std::string& dataset_id) {
  check_minari_dataset_id(dataset_id);
  std::error_code error;
  if (fs::exists(out_dir, error) && !(fs::is_directory(out_dir) && fs::is_empty(out_dir))) {
    throw Error(quoted(out_dir) +
                ": already exists; a Minari export needs a new or empty directory");
  }
  const fs::path temporary = out_dir.string() + ".tmp";
  const fs::path data = temporary / "data";
  fs::remove_all(temporary, error);
  if (error) throw Error(quoted(temporary) + ": cannot remove the leftover: " + error.message());
  fs::create_directories(data, error);
  if (error) throw Error(quoted(data) + ": cannot create the directory: " + error.message());

  const int64_t steps = dataset.steps();
  const Manifest& manifest = dataset.manifest();
  ExportResult result{dataset.size(), steps, 0, out_dir};
  try {
    const fs::path main_data = data / "main_data.hdf5";
    write_main_data(dataset, main_data, dataset_id, steps);
    sync_file(main_data);
    const uint64_t main_bytes = size_of_file(main_data);
    // what Minari's MinariStorage.read and MinariDataset need; env_spec is left out because
    // Minari parses it as a Gymnasium EnvSpec, so Umwelt's spec goes under its own key
    const json metadata = {
        {"dataset_id", dataset_id},
        {"total_episodes", dataset.size()},
        {"total_steps", steps},
        {"data_format", "hdf5"},
        {"jpeg_encoding", false},
        {"observation_space", minari_space(manifest.spec.observation_space)},
        {"action_space", minari_space(manifest.spec.action_space)},
        {"minari_version", kMinariVersion},
        {"dataset_size", std::round(static_cast<double>(main_bytes) / 1e5) / 10},
        {"algorithm_name", manifest.generation.policy},
        {"description",
         "Umwelt dataset of " + manifest.spec.id + " exported from " + quoted(dataset.dir())},
        {"umwelt_env_spec", envs::spec_to_json(manifest.spec)},
        {"umwelt_manifest", manifest_to_json(manifest)},
    };
    const std::string text = metadata.dump(2) + "\n";
    write_file_atomically(data / "metadata.json", text);
    sync_directory(data);
    sync_directory(temporary);
    rename_durably(temporary, out_dir);
    result.bytes = main_bytes + text.size();
  } catch (...) {
    fs::remove_all(temporary, error);
    throw;
  }
  return result;
}

}  // namespace uw::data
