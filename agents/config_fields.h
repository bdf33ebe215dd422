// Reading and writing a flat config struct as a JSON object, field by field, with errors that
// name the field. A struct takes part by a `visit(Struct&, f)` overload, found by argument-
// dependent lookup, that calls f(name, member) for each field.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "core/error.h"

namespace uw::agents::detail {

// Whether a JSON value can be read as T without losing anything.
template <class T>
bool fits(const nlohmann::json& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v.is_boolean();
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return v.is_number_integer();
  } else if constexpr (std::is_same_v<T, double>) {
    return v.is_number();
  } else if constexpr (std::is_same_v<T, std::string>) {
    return v.is_string();
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    if (!v.is_array()) return false;
    for (const nlohmann::json& item : v) {
      if (!item.is_string()) return false;
    }
    return true;
  } else {
    static_assert(std::is_same_v<T, std::vector<int64_t>>);
    if (!v.is_array()) return false;
    for (const nlohmann::json& item : v) {
      if (!item.is_number_integer()) return false;
    }
    return true;
  }
}

template <class T>
const char* type_words() {
  if constexpr (std::is_same_v<T, bool>) return "true or false";
  if constexpr (std::is_same_v<T, int64_t>) return "an integer";
  if constexpr (std::is_same_v<T, double>) return "a number";
  if constexpr (std::is_same_v<T, std::string>) return "a string";
  if constexpr (std::is_same_v<T, std::vector<std::string>>) return "a list of strings";
  return "a list of integers";
}

template <class Section>
nlohmann::json section_to_json(Section section) {
  nlohmann::json out = nlohmann::json::object();
  visit(section, [&](const char* name, const auto& value) { out[name] = value; });
  return out;
}

// Fields left out keep their values; an unknown field or a value of the wrong type throws
// uw::Error naming `where` and the field.
template <class Section>
void section_from_json(const nlohmann::json& json, const std::string& where, Section& section) {
  if (!json.is_object()) throw Error(where + ": expected an object");
  std::set<std::string> known;
  visit(section, [&](const char* name, auto& value) {
    known.insert(name);
    if (!json.contains(name)) return;
    using T = std::decay_t<decltype(value)>;
    const nlohmann::json& v = json[name];
    if (!fits<T>(v)) {
      throw Error(where + "." + name + " is " + v.dump() + ", expected " + type_words<T>());
    }
    value = v.get<T>();
  });
  for (const auto& [name, value] : json.items()) {
    if (known.count(name) == 0) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      throw Error(where + " has no field '" + name + "'; known: " + list);
    }
  }
}

}  // namespace uw::agents::detail
