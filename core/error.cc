#include "core/error.h"

#include <cstdio>
#include <cstdlib>

namespace uw::detail {

void check_failed(const char* file, int line, const char* expression, const std::string& message) {
  std::fprintf(stderr, "%s:%d: internal check failed: %s: %s\n", file, line, expression,
               message.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace uw::detail
