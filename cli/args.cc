#include "cli/args.h"

#include <CLI/CLI.hpp>
#include <deque>
#include <filesystem>

namespace uw::cli {

struct App::Store {
  std::deque<std::unique_ptr<App>> commands;
  std::deque<Option> options;  // a deque keeps its elements where they are
};

Option* Option::required() {
  option_->required();
  return this;
}

Option* Option::check(const Check& check) {
  switch (check.kind) {
    case Check::Kind::kPositive:
      option_->check(CLI::PositiveNumber);
      break;
    case Check::Kind::kNonNegative:
      option_->check(CLI::NonNegativeNumber);
      break;
    case Check::Kind::kRange:
      option_->check(CLI::Range(check.low, check.high));
      break;
    case Check::Kind::kMember:
      option_->check(CLI::IsMember(check.members));
      break;
  }
  return this;
}

Option* Option::expected(int count) {
  option_->expected(count);
  return this;
}

App::App(const std::string& description)
    : root_(std::make_unique<CLI::App>(description)),
      owned_store_(std::make_unique<Store>()),
      app_(root_.get()),
      store_(owned_store_.get()) {}

App::App(CLI::App* app, Store* store) : app_(app), store_(store) {}

App::~App() = default;

void App::name(const std::string& name) { app_->name(name); }

App* App::add_subcommand(const std::string& name, const std::string& description) {
  CLI::App* sub = app_->add_subcommand(name, description);
  return store_->commands.emplace_back(new App(sub, store_)).get();
}

void App::require_subcommand(int count) { app_->require_subcommand(count); }

template <class T>
Option* App::add_option(const std::string& name, T& value, const std::string& help) {
  return &store_->options.emplace_back(app_->add_option(name, value, help));
}

template Option* App::add_option(const std::string&, int&, const std::string&);
template Option* App::add_option(const std::string&, int64_t&, const std::string&);
template Option* App::add_option(const std::string&, uint64_t&, const std::string&);
template Option* App::add_option(const std::string&, double&, const std::string&);
template Option* App::add_option(const std::string&, std::string&, const std::string&);
template Option* App::add_option(const std::string&, std::vector<std::string>&, const std::string&);
template Option* App::add_option(const std::string&, std::vector<int>&, const std::string&);
template Option* App::add_option(const std::string&, std::vector<int64_t>&, const std::string&);
template Option* App::add_option(const std::string&, std::filesystem::path&, const std::string&);

Option* App::add_flag(const std::string& name, bool& value, const std::string& help) {
  return &store_->options.emplace_back(app_->add_flag(name, value, help));
}

void App::callback(std::function<void()> run) { app_->callback(std::move(run)); }

size_t App::count(const std::string& name) const { return app_->count(name); }

std::optional<int> App::parse(int argc, char** argv) {
  try {
    app_->parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app_->exit(e);
  }
  return std::nullopt;
}

}  // namespace uw::cli
