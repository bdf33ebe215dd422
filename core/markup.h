#pragma once

#include <string>
#include <string_view>

namespace uw {

// `text` with &, <, >, " and ' replaced by their entities: safe as XML or HTML text and as an
// attribute value (MJCF written for MuJoCo, SVG and HTML reports).
std::string escape_markup(std::string_view text);

}  // namespace uw
