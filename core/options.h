#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uw {

// One option a component accepts, with its default and a line of help.
struct OptionSpec {
  std::string name;
  std::string default_value;
  std::string help;
};

// Named string values given by the user (`--option key=value`), read with typed getters whose
// errors name the option, its owner (say, the env id) and what was expected.
class Options {
 public:
  Options() = default;

  // Parses "key=value" items; throws uw::Error on a missing '=', an empty key or a repeated key.
  static Options parse(std::span<const std::string> items);
  // The options as "key=value" items, sorted by key: parse's inverse.
  std::vector<std::string> items() const;

  void set(const std::string& key, std::string value);
  bool contains(std::string_view key) const;
  const std::map<std::string, std::string, std::less<>>& values() const { return values_; }

  // The getters throw uw::Error when the key is missing or its value does not parse.
  const std::string& get_string(std::string_view key) const;
  int64_t get_int(std::string_view key) const;
  // An integer in [low, high].
  int64_t get_int(std::string_view key, int64_t low, int64_t high) const;
  double get_double(std::string_view key) const;
  // Accepts 1/0, true/false, yes/no, on/off.
  bool get_bool(std::string_view key) const;

  // Equal when the values are (the owner is only for messages).
  friend bool operator==(const Options& a, const Options& b) { return a.values_ == b.values_; }

  // Who the options belong to, used in error messages ("env 'cheetah-run'").
  void set_owner(std::string owner) { owner_ = std::move(owner); }

 private:
  [[noreturn]] void fail(std::string_view key, std::string_view expected) const;

  std::map<std::string, std::string, std::less<>> values_;
  std::string owner_;
};

// `given` with every option of `specs` filled in by its default. Throws uw::Error naming `owner`
// and listing the known options when `given` holds a key that `specs` lacks.
Options resolve_options(const Options& given, std::span<const OptionSpec> specs,
                        const std::string& owner);

}  // namespace uw
