#include <catch2/catch.hpp>

#include "core/markup.h"

TEST_CASE("escape_markup: the five markup characters become entities, the rest stays") {
  CHECK(uw::escape_markup("a <b> & \"c\" 'd'") ==
        "a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;");
  CHECK(uw::escape_markup("plain, ü") == "plain, ü");
  CHECK(uw::escape_markup("").empty());
}
