// Draws a compiled process as a Graphviz diagram. In a variant, what it adds is green, what it
// overrides is amber, and what it removed from its parent is listed in a legend.
#pragma once

#include <string>

#include "engine/model/model.h"

namespace termijn::model {

std::string to_dot(const Process& process);

}  // namespace termijn::model
