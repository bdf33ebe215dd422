#include "agents/model_file.h"

#include <algorithm>
#include <cstring>

#include "agents/safetensors.h"
#include "core/error.h"
#include "datagen/file_io.h"

namespace uw::agents {
namespace {

constexpr const char* kFormat = "umwelt-world-model";
constexpr int kFormatVersion = 1;

nlohmann::json shape_to_json(const DataShape& s) {
  return {{"obs_size", s.obs_size},
          {"action_size", s.action_size},
          {"pixel_height", s.pixel_height},
          {"pixel_width", s.pixel_width}};
}

nlohmann::json normalization_to_json(const Normalization& n) {
  return {{"obs_mean", n.obs_mean},
          {"obs_std", n.obs_std},
          {"action_mean", n.action_mean},
          {"action_std", n.action_std}};
}

// A field of config.json, named in the error when it is missing or of another type.
template <class T>
T field(const nlohmann::json& json, const char* name, const std::string& where) {
  if (!json.is_object() || !json.contains(name)) throw Error(where + ": missing '" + name + "'");
  try {
    return json[name].get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(where + ": '" + name + "' is " + json[name].dump() + ", of the wrong type");
  }
}

std::vector<float> stats(const nlohmann::json& json, const char* name, int64_t size, bool positive,
                         const std::string& where) {
  const auto values = field<std::vector<float>>(json, name, where);
  if (static_cast<int64_t>(values.size()) != size) {
    throw Error(where + ": '" + name + "' has " + std::to_string(values.size()) +
                " values, expected " + std::to_string(size));
  }
  for (const float v : values) {
    if (!std::isfinite(v) || (positive && v <= 0)) {
      throw Error(where + ": '" + name + "' holds " + std::to_string(v) + ", expected " +
                  (positive ? "finite values > 0" : "finite values"));
    }
  }
  return values;
}

// safetensors has no checksum: this one, over the tensors' bytes in name order (writers may
// lay them out in any order), finds a flipped bit in a weight
std::string data_checksum(std::vector<TensorBytes> tensors) {
  std::sort(tensors.begin(), tensors.end(),
            [](const TensorBytes& a, const TensorBytes& b) { return a.name < b.name; });
  data::Xxh64Stream hash;
  for (const TensorBytes& t : tensors) hash.update(t.bytes);
  return data::hex64(hash.digest());
}

}  // namespace

const NamedTensor& ModelFile::tensor(const std::string& name,
                                     std::span<const int64_t> shape) const {
  const std::string where = data::quoted(dir / "weights.safetensors");
  for (const NamedTensor& t : weights) {
    if (t.name != name) continue;
    if (!std::equal(t.shape.begin(), t.shape.end(), shape.begin(), shape.end())) {
      throw Error("checkpoint " + where + ": tensor '" + name + "' has shape " +
                  shape_text(t.shape) + ", expected " + shape_text(shape) +
                  " for the architecture in config.json");
    }
    return t;
  }
  throw Error("checkpoint " + where + " has no tensor '" + name +
              "', which the architecture in config.json needs");
}

std::string ModelFile::fingerprint() const {
  const std::string text = nlohmann::json{{"model", config_to_json(config)["model"]},
                                          {"spec", envs::spec_to_json(spec)},
                                          {"shape", shape_to_json(shape)},
                                          {"normalization", normalization_to_json(normalization)}}
                               .dump();
  return data::hex64(
      data::xxh64_of(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())));
}

nlohmann::json model_json(const ModelFile& m) {
  return {{"format", kFormat},
          {"format_version", kFormatVersion},
          {"fingerprint", m.fingerprint()},
          {"config", config_to_json(m.config)},
          {"env_spec", envs::spec_to_json(m.spec)},
          {"shape", shape_to_json(m.shape)},
          {"normalization", normalization_to_json(m.normalization)},
          {"dataset", m.dataset},
          {"training", m.training},
          {"metrics", m.metrics}};
}

void save_model(const std::filesystem::path& dir, const ModelFile& m) {
  std::filesystem::create_directories(dir);
  std::vector<TensorBytes> tensors;
  tensors.reserve(m.weights.size());
  for (const NamedTensor& t : m.weights) {
    tensors.push_back({t.name, DType::kF32, t.shape,
                       std::span(reinterpret_cast<const uint8_t*>(t.values.data()),
                                 t.values.size() * sizeof(float))});
  }
  const std::string step =
      m.training.contains("step") ? m.training["step"].dump() : std::string("0");
  write_safetensors(dir / "weights.safetensors", tensors,
                    {{"format", kFormat},
                     {"fingerprint", m.fingerprint()},
                     {"step", step},
                     {"data_xxh64", data_checksum(tensors)}});
  data::write_file_atomically(dir / "config.json", model_json(m).dump(2) + "\n");
}

ModelFile load_model_file(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error("model " + data::quoted(dir) + " is not a directory");
  }
  const std::filesystem::path config_path = dir / "config.json";
  if (!std::filesystem::is_regular_file(config_path, ec)) {
    throw Error("model " + data::quoted(dir) + " has no config.json");
  }
  const std::string where = data::quoted(config_path);
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(data::read_text_file(config_path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + " is not valid JSON: " + e.what());
  }
  if (!json.is_object() || field<std::string>(json, "format", where) != kFormat) {
    throw Error(where + " is not an Umwelt world model's config (format '" + kFormat + "')");
  }
  if (const int version = field<int>(json, "format_version", where); version != kFormatVersion) {
    throw Error(where + ": format_version " + std::to_string(version) + ", this build reads " +
                std::to_string(kFormatVersion));
  }
  ModelFile m;
  m.dir = dir;
  m.config = config_from_json(field<nlohmann::json>(json, "config", where), where + " config");
  try {
    m.spec = envs::spec_from_json(field<nlohmann::json>(json, "env_spec", where));
  } catch (const Error& e) {
    throw Error(where + " env_spec: " + e.what());
  }
  const auto shape = field<nlohmann::json>(json, "shape", where + " shape");
  m.shape.obs_size = field<int64_t>(shape, "obs_size", where + " shape");
  m.shape.action_size = field<int64_t>(shape, "action_size", where + " shape");
  m.shape.pixel_height = field<int64_t>(shape, "pixel_height", where + " shape");
  m.shape.pixel_width = field<int64_t>(shape, "pixel_width", where + " shape");
  for (const int64_t size :
       {m.shape.obs_size, m.shape.action_size, m.shape.pixel_height, m.shape.pixel_width}) {
    if (size < 0 || size > (int64_t{1} << 20)) {
      throw Error(where + " shape: sizes must lie in 0..2^20");
    }
  }
  if (m.shape.action_size < 1) throw Error(where + " shape: action_size must be at least 1");
  const auto norm = field<nlohmann::json>(json, "normalization", where);
  const std::string norm_where = where + " normalization";
  m.normalization.obs_mean = stats(norm, "obs_mean", m.shape.obs_size, false, norm_where);
  m.normalization.obs_std = stats(norm, "obs_std", m.shape.obs_size, true, norm_where);
  m.normalization.action_mean = stats(norm, "action_mean", m.shape.action_size, false, norm_where);
  m.normalization.action_std = stats(norm, "action_std", m.shape.action_size, true, norm_where);
  m.dataset = json.value("dataset", nlohmann::json::object());
  m.training = json.value("training", nlohmann::json::object());
  m.metrics = json.value("metrics", nlohmann::json::object());

  const Safetensors weights = Safetensors::read(dir / "weights.safetensors");
  if (weights.metadata().count("fingerprint") == 0 ||
      weights.meta("fingerprint") != m.fingerprint()) {
    throw Error("checkpoint " + weights.where() +
                " does not belong to the config.json beside it (a different architecture, env or "
                "normalisation)");
  }
  std::vector<TensorBytes> stored;
  for (const auto& [name, entry] : weights.entries()) {
    stored.push_back({name, entry.dtype, entry.shape,
                      weights.data().subspan(entry.begin, entry.end - entry.begin)});
  }
  if (weights.metadata().count("data_xxh64") == 0 ||
      weights.meta("data_xxh64") != data_checksum(stored)) {
    throw Error("checkpoint " + weights.where() +
                ": the tensor data does not match its checksum (data_xxh64): damaged");
  }
  for (const auto& [name, entry] : weights.entries()) {
    NamedTensor t;
    t.name = name;
    t.shape = entry.shape;
    t.values = weights.floats(name, entry.shape);  // refuses other dtypes, naming the tensor
    m.weights.push_back(std::move(t));
  }
  return m;
}

std::string spec_difference(const envs::EnvSpec& trained, const envs::EnvSpec& spec) {
  if (trained.id != spec.id) {
    return "the model was trained on env '" + trained.id + "', not '" + spec.id + "'";
  }
  nlohmann::json a = envs::spec_to_json(trained), b = envs::spec_to_json(spec);
  // a learned model does not need the bit-exact engine a replay needs
  a.erase("engine_versions");
  b.erase("engine_versions");
  for (const auto& [key, value] : a.items()) {
    if (!b.contains(key) || b[key] != value) {
      return "env '" + spec.id + "' differs from the one the model was trained on in '" + key +
             "': " + value.dump() + " in the model, " + (b.contains(key) ? b[key].dump() : "none") +
             " now";
    }
  }
  return {};
}

}  // namespace uw::agents
