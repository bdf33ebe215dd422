#include "core/options.h"

#include <charconv>
#include <cmath>

#include "core/error.h"

namespace uw {

Options Options::parse(std::span<const std::string> items) {
  Options options;
  for (const std::string& item : items) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error("option '" + item + "': expected key=value");
    }
    const std::string key = item.substr(0, eq);
    if (options.contains(key)) throw Error("option '" + key + "' is given twice");
    options.set(key, item.substr(eq + 1));
  }
  return options;
}

std::vector<std::string> Options::items() const {
  std::vector<std::string> out;
  for (const auto& [key, value] : values_) out.push_back(key + "=" + value);
  return out;
}

void Options::set(const std::string& key, std::string value) { values_[key] = std::move(value); }

bool Options::contains(std::string_view key) const { return values_.find(key) != values_.end(); }

void Options::fail(std::string_view key, std::string_view expected) const {
  std::string message = "option '" + std::string(key) + "'";
  if (!owner_.empty()) message += " of " + owner_;
  const auto it = values_.find(key);
  if (it == values_.end()) {
    message += " is missing";
  } else {
    message += " = '" + it->second + "': expected " + std::string(expected);
  }
  throw Error(message);
}

const std::string& Options::get_string(std::string_view key) const {
  const auto it = values_.find(key);
  if (it == values_.end()) fail(key, "a value");
  return it->second;
}

int64_t Options::get_int(std::string_view key) const {
  const std::string& text = get_string(key);
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) fail(key, "an integer");
  return value;
}

int64_t Options::get_int(std::string_view key, int64_t low, int64_t high) const {
  const int64_t value = get_int(key);
  if (value < low || value > high) {
    fail(key, "an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]");
  }
  return value;
}

double Options::get_double(std::string_view key) const {
  const std::string& text = get_string(key);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    fail(key, "a finite number");
  }
  return value;
}

bool Options::get_bool(std::string_view key) const {
  const std::string& text = get_string(key);
  if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
  if (text == "0" || text == "false" || text == "no" || text == "off") return false;
  fail(key, "a boolean (1/0, true/false, yes/no, on/off)");
}

Options resolve_options(const Options& given, std::span<const OptionSpec> specs,
                        const std::string& owner) {
  Options resolved;
  resolved.set_owner(owner);
  for (const OptionSpec& spec : specs) resolved.set(spec.name, spec.default_value);
  for (const auto& [key, value] : given.values()) {
    if (!resolved.contains(key)) {
      std::string known;
      for (const OptionSpec& spec : specs) known += (known.empty() ? "" : ", ") + spec.name;
      throw Error("unknown option '" + key + "' for " + owner +
                  (known.empty() ? "; it takes no options" : "; known options: " + known));
    }
    resolved.set(key, value);
  }
  return resolved;
}

}  // namespace uw
