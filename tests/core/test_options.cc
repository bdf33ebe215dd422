#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/options.h"

using Catch::Matchers::Contains;
using uw::Options;

TEST_CASE("options parse key=value items") {
  const std::vector<std::string> items = {"substeps=4", "path=a=b", "flag=yes"};
  const Options options = Options::parse(items);
  CHECK(options.get_int("substeps") == 4);
  CHECK(options.get_string("path") == "a=b");
  CHECK(options.get_bool("flag"));
  // written back as items, sorted by key, and read again: the same options
  CHECK(options.items() == std::vector<std::string>{"flag=yes", "path=a=b", "substeps=4"});
  CHECK(Options::parse(options.items()) == options);
}

TEST_CASE("malformed option items are refused") {
  CHECK_THROWS_WITH(Options::parse(std::vector<std::string>{"novalue"}),
                    Contains("'novalue'") && Contains("key=value"));
  CHECK_THROWS_WITH(Options::parse(std::vector<std::string>{"=3"}), Contains("key=value"));
  CHECK_THROWS_WITH(Options::parse(std::vector<std::string>{"a=1", "a=2"}),
                    Contains("'a' is given twice"));
}

TEST_CASE("typed getters name the option, its owner and what was expected") {
  Options options;
  options.set_owner("env 'cheetah-run'");
  options.set("steps", "ten");
  options.set("ratio", "nan");
  options.set("on", "maybe");
  options.set("big", "500");
  CHECK_THROWS_AS(options.get_int("steps"), uw::Error);
  CHECK_THROWS_WITH(options.get_int("steps"),
                    Contains("'steps'") && Contains("cheetah-run") && Contains("an integer"));
  CHECK_THROWS_WITH(options.get_double("ratio"), Contains("a finite number"));
  CHECK_THROWS_WITH(options.get_bool("on"), Contains("a boolean"));
  CHECK_THROWS_WITH(options.get_int("big", 1, 100), Contains("[1, 100]"));
  CHECK_THROWS_WITH(options.get_int("missing"), Contains("'missing'") && Contains("is missing"));
}

TEST_CASE("resolve_options fills defaults and refuses unknown keys") {
  const std::vector<uw::OptionSpec> specs = {{"substeps", "5", ""}, {"max_steps", "200", ""}};
  Options given;
  given.set("max_steps", "50");
  const Options resolved = uw::resolve_options(given, specs, "env 'x'");
  CHECK(resolved.get_int("substeps") == 5);
  CHECK(resolved.get_int("max_steps") == 50);

  given.set("substep", "3");
  CHECK_THROWS_WITH(uw::resolve_options(given, specs, "env 'x'"),
                    Contains("unknown option 'substep'") && Contains("env 'x'") &&
                        Contains("substeps, max_steps"));
}
