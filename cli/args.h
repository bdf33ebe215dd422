#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// CLI11, seen through a thin layer of our own: only cli/args.cc includes it, so that its
// header-only code (about 15 s of compiling per file at -O2) is compiled once for the whole
// command line instead of once per command. The calls look like CLI11's.
namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace uw::cli {

// What an option's value must be.
struct Check {
  enum class Kind { kPositive, kNonNegative, kRange, kMember };
  Kind kind;
  double low = 0, high = 0;          // kRange
  std::vector<std::string> members;  // kMember
};
inline const Check PositiveNumber{Check::Kind::kPositive, 0, 0, {}};
inline const Check NonNegativeNumber{Check::Kind::kNonNegative, 0, 0, {}};
inline Check Range(double low, double high) { return {Check::Kind::kRange, low, high, {}}; }
inline Check IsMember(std::vector<std::string> members) {
  return {Check::Kind::kMember, 0, 0, std::move(members)};
}

class Option {
 public:
  explicit Option(CLI::Option* option) : option_(option) {}
  Option* required();
  Option* check(const Check& check);
  Option* expected(int count);  // values per use (a size: --size W H)

 private:
  CLI::Option* option_;
};

// A command or subcommand. Objects handed out (subcommands, options) live as long as the root.
class App {
 public:
  // The root command.
  explicit App(const std::string& description);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  void name(const std::string& name);
  App* add_subcommand(const std::string& name, const std::string& description);
  void require_subcommand(int count);
  // Options of the types the commands take (instantiated in args.cc).
  template <class T>
  Option* add_option(const std::string& name, T& value, const std::string& help);
  Option* add_flag(const std::string& name, bool& value, const std::string& help);
  void callback(std::function<void()> run);
  // How often an option was given.
  size_t count(const std::string& name) const;

  // Parses the command line and runs the chosen command's callback (whose uw::Error goes to
  // the caller). Returns an exit code when parsing ended the run (--help, a usage error, which
  // it printed), else nothing.
  std::optional<int> parse(int argc, char** argv);

 private:
  struct Store;                      // every wrapper handed out, owned by the root
  App(CLI::App* app, Store* store);  // a subcommand

  std::unique_ptr<CLI::App> root_;  // the root only
  std::unique_ptr<Store> owned_store_;
  CLI::App* app_;
  Store* store_;
};

}  // namespace uw::cli
