// What several simulation tests share: where the standard library is, a spec from text, and how
// often a text occurs in another.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/simulation/spec.h"

namespace termijn::simulation {

inline std::vector<std::filesystem::path> stdlib() { return {TERMIJN_STDLIB_DIR}; }

inline Spec from_text(const std::string& name, const std::string& text, DiagnosticList& d) {
  return parse_spec(std::make_shared<SourceFile>(name, text), d);
}

// Occurrences that do not overlap.
inline std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace termijn::simulation
