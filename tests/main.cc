// Catch2's main, with the leak check run before exit (see core/leak_check.h).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "core/leak_check.h"

int main(int argc, char** argv) {
  const int failed = Catch::Session().run(argc, argv);
  uw::run_leak_check_now();
  return failed;
}
