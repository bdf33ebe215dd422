// Exports of a finished dataset: NumPy .npz (checked with a ZIP and .npy reader written here)
// and Minari's HDF5 layout (checked with the HDF5 C API).
#include <hdf5.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "datagen/dataset.h"
#include "datagen/export_minari.h"
#include "datagen/export_npz.h"
#include "datagen/file_io.h"
#include "datagen/generator.h"
#include "envs/registry.h"

namespace fs = std::filesystem;
using uw::data::Dataset;
using uw::data::Episode;

namespace {

// A fresh folder under the system's temporary directory, removed with the object.
struct TempDir {
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("umwelt_test_export_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

Dataset make_dataset(const fs::path& dir, const std::string& env = "pointmass-reach",
                     int64_t episodes = 5, int64_t max_steps = 20,
                     const std::vector<std::string>& options = {}) {
  uw::data::GenerationConfig config;
  config.env_id = env;
  config.options = uw::Options::parse(options);
  config.seed = 11;
  config.episodes = episodes;
  config.max_steps = max_steps;
  config.shard_episodes = 2;
  uw::data::generate(uw::envs::make_default_registry(), config, dir, {});
  return Dataset::open(dir);
}

std::vector<Episode> read_all(const Dataset& dataset) {
  std::vector<Episode> episodes;
  for (int64_t i = 0; i < dataset.size(); ++i) episodes.push_back(dataset.read(i));
  return episodes;
}

template <class T>
void append_bytes(std::vector<uint8_t>& out, const std::vector<T>& values) {
  const auto* p = reinterpret_cast<const uint8_t*>(values.data());
  out.insert(out.end(), p, p + values.size() * sizeof(T));
}

template <class T>
void append_value(std::vector<uint8_t>& out, T value) {
  append_bytes(out, std::vector<T>{value});
}

// ---- a small ZIP reader: every structure checked, no compression ----

uint64_t le(const std::vector<uint8_t>& b, uint64_t at, int n) {
  REQUIRE(at + n <= b.size());
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | b[at + i];
  return v;
}

struct ZipMember {
  std::vector<uint8_t> data;
  bool zip64_sizes = false;   // the central entry's sizes are in its ZIP64 extra
  bool zip64_offset = false;  // the central entry's offset is
};

struct Zip {
  std::map<std::string, ZipMember> members;
  std::vector<std::string> order;
  bool zip64_end = false;  // a ZIP64 end record and locator
};

Zip read_zip(const fs::path& path) {
  const std::vector<uint8_t> b = uw::data::File(path, uw::data::File::Mode::kRead).read_all();
  REQUIRE(b.size() >= 22);
  const uint64_t eocd = b.size() - 22;  // written without a comment
  REQUIRE(le(b, eocd, 4) == 0x06054b50);
  REQUIRE(le(b, eocd + 20, 2) == 0);
  uint64_t entries = le(b, eocd + 10, 2);
  uint64_t cd_size = le(b, eocd + 12, 4);
  uint64_t cd_offset = le(b, eocd + 16, 4);
  uint64_t cd_end = eocd;
  Zip zip;
  if (eocd >= 20 && le(b, eocd - 20, 4) == 0x07064b50) {
    zip.zip64_end = true;
    const uint64_t record = le(b, eocd - 20 + 8, 8);
    REQUIRE(le(b, eocd - 20 + 16, 4) == 1);  // disks
    REQUIRE(record == eocd - 20 - 56);
    REQUIRE(le(b, record, 4) == 0x06064b50);
    REQUIRE(le(b, record + 4, 8) == 44);
    entries = le(b, record + 32, 8);
    REQUIRE(le(b, record + 24, 8) == entries);
    cd_size = le(b, record + 40, 8);
    cd_offset = le(b, record + 48, 8);
    cd_end = record;
  }
  REQUIRE(cd_offset + cd_size == cd_end);
  uint64_t at = cd_offset;
  uint64_t expected_local = 0;  // members tile the file from byte 0 on
  for (uint64_t k = 0; k < entries; ++k) {
    REQUIRE(le(b, at, 4) == 0x02014b50);
    REQUIRE(le(b, at + 10, 2) == 0);  // stored
    const uint32_t crc = static_cast<uint32_t>(le(b, at + 16, 4));
    uint64_t csize = le(b, at + 20, 4);
    uint64_t usize = le(b, at + 24, 4);
    const uint64_t name_size = le(b, at + 28, 2);
    const uint64_t extra_size = le(b, at + 30, 2);
    const uint64_t comment_size = le(b, at + 32, 2);
    uint64_t offset = le(b, at + 42, 4);
    const std::string name(b.begin() + at + 46, b.begin() + at + 46 + name_size);
    ZipMember member;
    // the ZIP64 extra holds the fields whose 32-bit slot is 0xFFFFFFFF, in this order
    uint64_t extra = at + 46 + name_size;
    const uint64_t extra_end = extra + extra_size;
    while (extra < extra_end) {
      const uint64_t id = le(b, extra, 2), size = le(b, extra + 2, 2);
      uint64_t field = extra + 4;
      if (id == 1) {
        if (usize == 0xFFFFFFFF) usize = le(b, field, 8), field += 8, member.zip64_sizes = true;
        if (csize == 0xFFFFFFFF) csize = le(b, field, 8), field += 8;
        if (offset == 0xFFFFFFFF) offset = le(b, field, 8), field += 8, member.zip64_offset = true;
        REQUIRE(field == extra + 4 + size);
      }
      extra += 4 + size;
    }
    REQUIRE(csize == usize);
    REQUIRE(offset == expected_local);
    // the local header agrees with the central one
    REQUIRE(le(b, offset, 4) == 0x04034b50);
    REQUIRE(le(b, offset + 8, 2) == 0);
    REQUIRE(le(b, offset + 14, 4) == crc);
    const uint64_t local_name = le(b, offset + 26, 2), local_extra = le(b, offset + 28, 2);
    REQUIRE(std::string(b.begin() + offset + 30, b.begin() + offset + 30 + local_name) == name);
    uint64_t local_size = le(b, offset + 22, 4);
    if (local_size == 0xFFFFFFFF) {
      REQUIRE(local_extra >= 20);
      REQUIRE(le(b, offset + 30 + local_name, 2) == 1);
      local_size = le(b, offset + 30 + local_name + 4, 8);
    }
    REQUIRE(local_size == usize);
    const uint64_t data = offset + 30 + local_name + local_extra;
    REQUIRE(data + usize <= cd_offset);
    member.data.assign(b.begin() + data, b.begin() + data + usize);
    REQUIRE(uw::data::crc32(member.data) == crc);
    expected_local = data + usize;
    zip.order.push_back(name);
    zip.members[name] = std::move(member);
    at = extra_end + comment_size;
  }
  REQUIRE(at == cd_end);
  REQUIRE(expected_local == cd_offset);
  return zip;
}

// ---- .npy ----

struct Npy {
  std::string descr;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;
};

Npy parse_npy(const std::vector<uint8_t>& bytes) {
  REQUIRE(bytes.size() >= 10);
  REQUIRE(std::memcmp(bytes.data(), "\x93NUMPY\x01\x00", 8) == 0);
  const size_t header_size = bytes[8] | (bytes[9] << 8);
  REQUIRE((10 + header_size) % 64 == 0);
  const std::string dict(bytes.begin() + 10, bytes.begin() + 10 + header_size);
  REQUIRE(dict.back() == '\n');
  Npy npy;
  const size_t d = dict.find("'descr': '");
  REQUIRE(d != std::string::npos);
  npy.descr = dict.substr(d + 10, dict.find('\'', d + 10) - d - 10);
  REQUIRE(dict.find("'fortran_order': False") != std::string::npos);
  const size_t s = dict.find("'shape': (");
  REQUIRE(s != std::string::npos);
  const std::string shape = dict.substr(s + 10, dict.find(')', s) - s - 10);
  for (size_t at = 0; at < shape.size();) {
    size_t end = shape.find(',', at);
    if (end == std::string::npos) end = shape.size();
    if (end > at) npy.shape.push_back(std::stoll(shape.substr(at, end - at)));
    at = end + 1;
    while (at < shape.size() && shape[at] == ' ') ++at;
  }
  npy.data.assign(bytes.begin() + 10 + header_size, bytes.end());
  return npy;
}

struct Expected {
  std::string descr;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;
};

// The arrays export_npz documents, built here from the episodes.
std::map<std::string, Expected> expected_arrays(const Dataset& dataset) {
  const uw::data::EpisodeLayout& layout = dataset.manifest().layout;
  const std::vector<Episode> episodes = read_all(dataset);
  int64_t n = 0;
  for (const Episode& e : episodes) n += e.steps;
  const auto count = static_cast<int64_t>(episodes.size());
  std::map<std::string, Expected> out = {
      {"observations", {"<f4", {n + count, layout.obs_size}, {}}},
      {"actions", {"<f4", {n, layout.action_size}, {}}},
      {"rewards", {"<f4", {n}, {}}},
      {"terminations", {"|b1", {n}, {}}},
      {"truncations", {"|b1", {n}, {}}},
      {"episode_lengths", {"<i8", {count}, {}}},
      {"episode_index", {"<i8", {count}, {}}},
      {"episode_seeds", {"<u8", {count}, {}}},
      {"states", {"<f8", {n + count, layout.state_size}, {}}},
  };
  if (layout.goal_size > 0) {
    out["goals"] = {"<f4", {count, layout.goal_size}, {}};
    out["goal_observations"] = {"<f4", {count, layout.obs_size}, {}};
  }
  if (layout.pixel_height > 0) {
    out["pixels"] = {"|u1", {n + count, layout.pixel_height, layout.pixel_width, 3}, {}};
  }
  for (const Episode& e : episodes) {
    append_bytes(out["observations"].data, e.observations);
    append_bytes(out["actions"].data, e.actions);
    append_bytes(out["rewards"].data, e.rewards);
    std::vector<uint8_t> flags(e.steps, 0);
    flags.back() = e.terminated;
    append_bytes(out["terminations"].data, flags);
    flags.back() = e.truncated;
    append_bytes(out["truncations"].data, flags);
    append_value(out["episode_lengths"].data, e.steps);
    append_value(out["episode_index"].data, e.index);
    append_value(out["episode_seeds"].data, e.seed);
    append_bytes(out["states"].data, e.states);
    if (layout.goal_size > 0) {
      append_bytes(out["goals"].data, e.goal);
      append_bytes(out["goal_observations"].data, e.goal_observation);
    }
    if (layout.pixel_height > 0) append_bytes(out["pixels"].data, e.pixels);
  }
  return out;
}

void check_npz_holds(const Zip& zip, const Dataset& dataset) {
  const std::map<std::string, Expected> expected = expected_arrays(dataset);
  REQUIRE(zip.members.size() == expected.size());
  for (const auto& [name, want] : expected) {
    INFO(name);
    REQUIRE(zip.members.count(name + ".npy") == 1);
    const Npy npy = parse_npy(zip.members.at(name + ".npy").data);
    CHECK(npy.descr == want.descr);
    CHECK(npy.shape == want.shape);
    CHECK(npy.data == want.data);
  }
}

// ---- HDF5 reading ----

struct H5 {
  hid_t id;
  herr_t (*close)(hid_t);
  ~H5() {
    if (id >= 0) close(id);
  }
};

std::vector<hsize_t> dims_of(hid_t dataset) {
  H5 space{H5Dget_space(dataset), H5Sclose};
  std::vector<hsize_t> dims(H5Sget_simple_extent_ndims(space.id));
  H5Sget_simple_extent_dims(space.id, dims.data(), nullptr);
  return dims;
}

template <class T>
std::vector<T> read_dataset(hid_t parent, const std::string& name, hid_t memory_type,
                            std::vector<hsize_t>* dims = nullptr) {
  INFO(name);
  H5 set{H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose};
  REQUIRE(set.id >= 0);
  const std::vector<hsize_t> d = dims_of(set.id);
  hsize_t count = 1;
  for (hsize_t x : d) count *= x;
  std::vector<T> values(count);
  if (count > 0) {
    REQUIRE(H5Dread(set.id, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  }
  if (dims != nullptr) *dims = d;
  return values;
}

H5T_class_t type_class(hid_t parent, const std::string& name) {
  H5 set{H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose};
  H5 type{H5Dget_type(set.id), H5Tclose};
  return H5Tget_class(type.id);
}

int64_t int_attribute(hid_t object, const std::string& name) {
  INFO(name);
  H5 attribute{H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose};
  REQUIRE(attribute.id >= 0);
  int64_t value = 0;
  REQUIRE(H5Aread(attribute.id, H5T_NATIVE_INT64, &value) >= 0);
  return value;
}

uint64_t uint_attribute(hid_t object, const std::string& name) {
  H5 attribute{H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose};
  REQUIRE(attribute.id >= 0);
  uint64_t value = 0;
  REQUIRE(H5Aread(attribute.id, H5T_NATIVE_UINT64, &value) >= 0);
  return value;
}

std::string string_attribute(hid_t object, const std::string& name) {
  INFO(name);
  H5 attribute{H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose};
  REQUIRE(attribute.id >= 0);
  H5 type{H5Aget_type(attribute.id), H5Tclose};
  REQUIRE(H5Tis_variable_str(type.id) > 0);
  char* text = nullptr;
  REQUIRE(H5Aread(attribute.id, type.id, &text) >= 0);
  std::string value(text);
  H5free_memory(text);
  return value;
}

template <class T>
std::vector<T> repeat(const std::vector<T>& row, int64_t times) {
  std::vector<T> out;
  for (int64_t i = 0; i < times; ++i) out.insert(out.end(), row.begin(), row.end());
  return out;
}

// Flips one byte inside the first episode's frame.
void damage_first_frame(const Dataset& dataset) {
  uw::data::File shard(dataset.shard_path(0), uw::data::File::Mode::kReadWrite);
  const uint64_t at = dataset.entry(0).offset + dataset.entry(0).size / 2;
  std::vector<uint8_t> byte(1);
  shard.read_at(at, byte);
  byte[0] ^= 0x5A;
  shard.write_at(at, byte);
}

}  // namespace

TEST_CASE("crc32 gives the IEEE check value, also in pieces") {
  const std::string text = "123456789";
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  CHECK(uw::data::crc32(bytes) == 0xCBF43926u);
  CHECK(uw::data::crc32(bytes.subspan(4), uw::data::crc32(bytes.first(4))) == 0xCBF43926u);
  CHECK(uw::data::crc32({}) == 0u);
}

TEST_CASE("npy_header: format 1.0, padded to 64 bytes, NumPy's dict") {
  const std::string header = uw::data::npy_header("<f4", {7, 3});
  REQUIRE(header.size() % 64 == 0);
  CHECK(header.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
  const size_t length = static_cast<uint8_t>(header[8]) | (static_cast<uint8_t>(header[9]) << 8);
  CHECK(length == header.size() - 10);
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (7, 3), }";
  CHECK(header == std::string("\x93NUMPY\x01\x00\x76\x00", 10) + dict +
                      std::string(128 - 10 - dict.size() - 1, ' ') + "\n");
  CHECK(header.back() == '\n');
  CHECK(uw::data::npy_header("|b1", {5}).find("'shape': (5,), }") != std::string::npos);
  CHECK(uw::data::npy_header("<i8", {}).find("'shape': (), }") != std::string::npos);
}

TEST_CASE("export_npz writes every array of the dataset, exactly") {
  TempDir tmp;
  const Dataset dataset = make_dataset(tmp.path / "data");
  REQUIRE(dataset.manifest().layout.goal_size > 0);
  const fs::path out = tmp.path / "out" / "data.npz";
  const uw::data::ExportResult result = uw::data::export_npz(dataset, out);
  CHECK(result.episodes == 5);
  CHECK(result.steps == dataset.manifest().steps());
  CHECK(result.bytes == fs::file_size(out));
  CHECK(result.path == out);
  CHECK_FALSE(fs::exists(out.string() + ".tmp"));

  const Zip zip = read_zip(out);
  CHECK_FALSE(zip.zip64_end);
  for (const auto& [name, member] : zip.members) CHECK_FALSE(member.zip64_sizes);
  CHECK(zip.order.front() == "observations.npy");
  check_npz_holds(zip, dataset);

  // the same dataset gives the same bytes
  const fs::path again = tmp.path / "again.npz";
  uw::data::export_npz(dataset, again);
  CHECK(uw::data::xxh64_of_file(again) == uw::data::xxh64_of_file(out));
}

TEST_CASE("export_npz writes ZIP64 fields for sizes and offsets from the threshold on") {
  TempDir tmp;
  const Dataset dataset = make_dataset(tmp.path / "data");
  SECTION("some members over it") {
    const fs::path out = tmp.path / "some.npz";
    uw::data::export_npz(dataset, out, {.zip64_threshold = 1000});
    const Zip zip = read_zip(out);
    CHECK(zip.zip64_end);
    // small arrays keep 32-bit sizes, big ones do not; every offset past 1000 bytes is ZIP64
    CHECK_FALSE(zip.members.at("episode_seeds.npy").zip64_sizes);
    CHECK(zip.members.at("episode_seeds.npy").zip64_offset);
    CHECK(zip.members.at("states.npy").zip64_sizes);
    CHECK_FALSE(zip.members.at("observations.npy").zip64_offset);
    check_npz_holds(zip, dataset);
  }
  SECTION("everything over it") {
    const fs::path out = tmp.path / "all.npz";
    uw::data::export_npz(dataset, out, {.zip64_threshold = 0});
    const Zip zip = read_zip(out);
    CHECK(zip.zip64_end);
    for (const auto& [name, member] : zip.members) {
      CHECK(member.zip64_sizes);
      CHECK(member.zip64_offset);
    }
    check_npz_holds(zip, dataset);
  }
}

TEST_CASE("export_npz writes pixels") {
  TempDir tmp;
  const Dataset dataset =
      make_dataset(tmp.path / "data", "pointmass-reach", 3, 4, {"pixels=8", "pixels_and_state=1"});
  REQUIRE(dataset.manifest().layout.pixel_height == 8);
  const fs::path out = tmp.path / "pixels.npz";
  uw::data::export_npz(dataset, out);
  const Zip zip = read_zip(out);
  REQUIRE(zip.members.count("pixels.npy") == 1);
  check_npz_holds(zip, dataset);
}

TEST_CASE("export_minari writes Minari's HDF5 layout and metadata") {
  TempDir tmp;
  const Dataset dataset = make_dataset(tmp.path / "data");
  const uw::data::EpisodeLayout& layout = dataset.manifest().layout;
  const fs::path out = tmp.path / "minari" / "pointmass-v0";
  const uw::data::ExportResult result = uw::data::export_minari(dataset, out, "pointmass-v0");
  CHECK(result.episodes == 5);
  CHECK(result.steps == dataset.manifest().steps());
  CHECK(result.path == out);
  CHECK_FALSE(fs::exists(out.string() + ".tmp"));
  CHECK(result.bytes == fs::file_size(out / "data" / "main_data.hdf5") +
                            fs::file_size(out / "data" / "metadata.json"));

  const nlohmann::json metadata =
      nlohmann::json::parse(uw::data::read_text_file(out / "data" / "metadata.json"));
  CHECK(metadata.at("dataset_id") == "pointmass-v0");
  CHECK(metadata.at("total_episodes") == 5);
  CHECK(metadata.at("total_steps") == result.steps);
  CHECK(metadata.at("data_format") == "hdf5");
  CHECK(metadata.at("minari_version") == uw::data::kMinariVersion);
  CHECK(metadata.at("observation_space") ==
        uw::data::minari_space(dataset.manifest().spec.observation_space));
  CHECK_FALSE(metadata.contains("env_spec"));  // Minari would parse it as a Gymnasium spec

  H5 file{H5Fopen((out / "data" / "main_data.hdf5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
          H5Fclose};
  REQUIRE(file.id >= 0);
  hsize_t groups = 0;
  H5Gget_num_objs(file.id, &groups);
  CHECK(groups == 5);
  CHECK(int_attribute(file.id, "total_episodes") == 5);
  CHECK(int_attribute(file.id, "total_steps") == result.steps);
  CHECK(string_attribute(file.id, "dataset_id") == "pointmass-v0");
  CHECK(nlohmann::json::parse(string_attribute(file.id, "env_spec")) ==
        uw::envs::spec_to_json(dataset.manifest().spec));
  CHECK(nlohmann::json::parse(string_attribute(file.id, "umwelt_manifest")) ==
        uw::data::manifest_to_json(dataset.manifest()));

  const std::vector<Episode> episodes = read_all(dataset);
  for (size_t i = 0; i < episodes.size(); ++i) {
    const Episode& e = episodes[i];
    INFO("episode " << i);
    H5 group{H5Gopen2(file.id, ("episode_" + std::to_string(i)).c_str(), H5P_DEFAULT), H5Gclose};
    REQUIRE(group.id >= 0);
    CHECK(int_attribute(group.id, "id") == static_cast<int64_t>(i));
    CHECK(int_attribute(group.id, "total_steps") == e.steps);
    CHECK(uint_attribute(group.id, "seed") == e.seed);
    CHECK(int_attribute(group.id, "index") == e.index);
    CHECK(string_attribute(group.id, "policy") == e.policy);

    std::vector<hsize_t> dims;
    CHECK(read_dataset<float>(group.id, "observations", H5T_NATIVE_FLOAT, &dims) == e.observations);
    CHECK(dims == std::vector<hsize_t>{hsize_t(e.steps + 1), hsize_t(layout.obs_size)});
    CHECK(read_dataset<float>(group.id, "actions", H5T_NATIVE_FLOAT, &dims) == e.actions);
    CHECK(dims == std::vector<hsize_t>{hsize_t(e.steps), hsize_t(layout.action_size)});
    CHECK(read_dataset<double>(group.id, "rewards", H5T_NATIVE_DOUBLE) ==
          std::vector<double>(e.rewards.begin(), e.rewards.end()));
    CHECK(type_class(group.id, "terminations") == H5T_ENUM);
    std::vector<int8_t> flags(e.steps, 0);
    flags.back() = e.terminated;
    CHECK(read_dataset<int8_t>(group.id, "terminations", H5T_NATIVE_INT8) == flags);
    flags.back() = e.truncated;
    CHECK(read_dataset<int8_t>(group.id, "truncations", H5T_NATIVE_INT8) == flags);
    CHECK(read_dataset<double>(group.id, "infos/states", H5T_NATIVE_DOUBLE, &dims) == e.states);
    CHECK(dims == std::vector<hsize_t>{hsize_t(e.steps + 1), hsize_t(layout.state_size)});
    CHECK(read_dataset<float>(group.id, "infos/goal", H5T_NATIVE_FLOAT) ==
          repeat(e.goal, e.steps + 1));
    CHECK(read_dataset<float>(group.id, "infos/goal_observation", H5T_NATIVE_FLOAT) ==
          repeat(e.goal_observation, e.steps + 1));
  }
}

TEST_CASE("export_minari refuses a bad dataset id and an occupied directory") {
  TempDir tmp;
  const Dataset dataset = make_dataset(tmp.path / "data", "pointmass-reach", 1, 5);
  using Catch::Matchers::Contains;
  for (const std::string id : {"pointmass", "point mass-v0", "/pointmass-v0", "a//b-v1x"}) {
    INFO(id);
    CHECK_THROWS_WITH(uw::data::export_minari(dataset, tmp.path / "m", id),
                      Contains("(namespace/)name-v<version>"));
  }
  CHECK_NOTHROW(uw::data::check_minari_dataset_id("umwelt/pointmass-reach/random-v0"));
  fs::create_directories(tmp.path / "m");
  std::ofstream(tmp.path / "m" / "keep.txt") << "mine";
  CHECK_THROWS_WITH(uw::data::export_minari(dataset, tmp.path / "m", "pointmass-v0"),
                    Contains("already exists"));
  CHECK(fs::exists(tmp.path / "m" / "keep.txt"));
  // an empty directory is taken
  fs::create_directories(tmp.path / "empty");
  uw::data::export_minari(dataset, tmp.path / "empty", "pointmass-v0");
  CHECK(fs::exists(tmp.path / "empty" / "data" / "main_data.hdf5"));
}

TEST_CASE("a failed export leaves no file under the final or the temporary name") {
  TempDir tmp;
  {
    const Dataset dataset = make_dataset(tmp.path / "data");
    damage_first_frame(dataset);
  }
  const Dataset dataset = Dataset::open(tmp.path / "data");
  using Catch::Matchers::Contains;
  const fs::path npz = tmp.path / "out.npz";
  CHECK_THROWS_AS(uw::data::export_npz(dataset, npz), uw::Error);
  CHECK_THROWS_WITH(uw::data::export_npz(dataset, npz), Contains("episode 0"));
  CHECK_FALSE(fs::exists(npz));
  CHECK_FALSE(fs::exists(npz.string() + ".tmp"));
  const fs::path minari = tmp.path / "minari";
  CHECK_THROWS_WITH(uw::data::export_minari(dataset, minari, "pointmass-v0"),
                    Contains("episode 0"));
  CHECK_FALSE(fs::exists(minari));
  CHECK_FALSE(fs::exists(minari.string() + ".tmp"));
}

TEST_CASE("a leftover temporary of a killed export is replaced") {
  TempDir tmp;
  const Dataset dataset = make_dataset(tmp.path / "data", "pointmass-reach", 1, 5);
  const fs::path npz = tmp.path / "out.npz";
  std::ofstream(npz.string() + ".tmp") << "half an archive";
  uw::data::export_npz(dataset, npz);
  CHECK_FALSE(fs::exists(npz.string() + ".tmp"));
  check_npz_holds(read_zip(npz), dataset);

  const fs::path minari = tmp.path / "minari";
  fs::create_directories(minari.string() + ".tmp/data");
  std::ofstream(minari.string() + ".tmp/data/main_data.hdf5") << "half a file";
  uw::data::export_minari(dataset, minari, "pointmass-v0");
  CHECK_FALSE(fs::exists(minari.string() + ".tmp"));
  CHECK(fs::file_size(minari / "data" / "main_data.hdf5") > 1000);
}
