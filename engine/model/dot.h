// Draws a compiled process as a Graphviz diagram. In a variant, what it adds is green, what it
// overrides is amber, and what it removed from its parent is listed in a legend.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "engine/model/model.h"

namespace termijn::model {

std::string to_dot(const Process& process);

enum class DrawingProblem { kNone, kNoGraphviz, kFailed, kTooLarge };
struct Drawing {
  std::optional<std::string> svg;
  DrawingProblem problem = DrawingProblem::kNone;  // why there is no svg
};

// How long `dot` may draw, and how large its drawing may be, before it is stopped (kTooLarge).
inline constexpr std::chrono::milliseconds kDrawingTime{10'000};
inline constexpr std::size_t kDrawingBytes = 16 << 20;

// The DOT text drawn as SVG by Graphviz's `dot` program.
Drawing render_svg(const std::string& dot, std::chrono::milliseconds limit = kDrawingTime);

}  // namespace termijn::model
