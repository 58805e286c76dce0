// How the formatters refuse their own result: it would not read back as the same file.
#pragma once

#include <fmt/format.h>

#include <string>

#include "engine/base/diagnostic.h"
#include "engine/base/limits.h"

namespace termijn::format::internal {

// Reports at the file's start why `text`, the new layout of `source`, is not written (`why` as
// found by the formatter's check; empty when it passed); true when it is refused.
inline bool refuse(const SourceFilePtr& source, const std::string& text, const std::string& why,
                   DiagnosticList& diagnostics) {
  if (text.size() > limits::kSourceBytes) {
    // Indentation and aligned columns can make a file near the limit grow past it; it could
    // then not be read again.
    diagnostics.error(SourceRange{source, {1, 1}, {1, 1}},
                      fmt::format("in the canonical layout the file would be {} bytes, more than the {} a source "
                                  "file may have (limit: source bytes); it is left as it is",
                                  text.size(), limits::kSourceBytes));
    return true;
  }
  if (why.empty()) return false;
  diagnostics.error(SourceRange{source, {1, 1}, {1, 1}},
                    fmt::format("termijn fmt would change what this file says ({}), so it leaves the file as it is; "
                                "this is a fault in termijn fmt, please report it with the file",
                                why));
  return true;
}

}  // namespace termijn::format::internal
