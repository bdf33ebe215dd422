#pragma once

#include <stdexcept>
#include <string>

namespace uw {

// Bad input from outside: a file, a config field, a command-line value, an action. The message
// names the thing (file, field, line) and says what was expected.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

namespace detail {
[[noreturn]] void check_failed(const char* file, int line, const char* expression,
                               const std::string& message);
}  // namespace detail

}  // namespace uw

// A broken invariant: a bug in Umwelt, not bad input. Aborts with file:line; always on.
#define UW_CHECK(condition, message)                                         \
  do {                                                                       \
    if (!(condition)) [[unlikely]] {                                         \
      ::uw::detail::check_failed(__FILE__, __LINE__, #condition, (message)); \
    }                                                                        \
  } while (false)
