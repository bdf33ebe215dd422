#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace uw::test {

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `umwelt <args>` through the shell; stderr is captured through a temporary file.
inline Run umwelt(const std::string& args) {
  const std::filesystem::path err_file =
      std::filesystem::temp_directory_path() / ("umwelt_test_err_" + std::to_string(getpid()));
  const std::string command = std::string(UMWELT_BINARY) + " " + args + " 2>" + err_file.string();
  Run run;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_file);
  run.err.assign(std::istreambuf_iterator<char>(err), {});
  std::filesystem::remove(err_file);
  return run;
}

// A failed run whose stderr says `needle`.
inline void expect_error(const Run& run, const std::string& needle) {
  INFO("stdout: " << run.out << "\nstderr: " << run.err);
  CHECK(run.exit_code != 0);
  CHECK_THAT(run.err, Catch::Contains(needle));
}

}  // namespace uw::test
