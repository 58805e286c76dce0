// Draws a compiled process as a Graphviz diagram. In a variant, what it adds is green, what it
// overrides is amber, and what it removed from its parent is listed in a legend.
#pragma once

#include <optional>
#include <string>

#include "engine/model/model.h"

namespace termijn::model {

std::string to_dot(const Process& process);

// The DOT text drawn as SVG by Graphviz's `dot` program; nothing when it is missing or fails.
std::optional<std::string> render_svg(const std::string& dot);

}  // namespace termijn::model
