#include "engine/frontend/source_text.h"

#include <fmt/format.h>

#include "engine/base/limits.h"
#include "engine/base/utf8.h"

namespace termijn {

bool admit_source(const SourceFilePtr& source, DiagnosticList& diagnostics) {
  const std::string& text = source->text();
  if (text.size() > limits::kSourceBytes) {
    SourcePos at = source->position(limits::kSourceBytes);
    diagnostics.error(SourceRange{source, at, at},
                      fmt::format("the file is {} bytes; at most {} are read (limit: source bytes)", text.size(),
                                  limits::kSourceBytes));
    return false;
  }
  if (auto bad = find_invalid_utf8(text)) {
    SourcePos at = source->position(*bad);
    diagnostics.error(SourceRange{source, at, SourcePos{at.line, at.column + 1}},
                      fmt::format("byte 0x{:02X} is not valid UTF-8; save the file as UTF-8",
                                  static_cast<unsigned char>(text[*bad])));
    return false;
  }
  return true;
}

}  // namespace termijn
