#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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

// Starts `umwelt <args...>` as a child process with its output thrown away.
inline pid_t spawn_umwelt(const std::vector<std::string>& args) {
  std::vector<std::string> argv_text = {UMWELT_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(error == 0);
  return pid;
}

// The child's wait status.
inline int wait_for(pid_t pid) {
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return status;
}

// A failed run whose stderr says `needle`.
inline void expect_error(const Run& run, const std::string& needle) {
  INFO("stdout: " << run.out << "\nstderr: " << run.err);
  CHECK(run.exit_code != 0);
  CHECK_THAT(run.err, Catch::Contains(needle));
}

}  // namespace uw::test
