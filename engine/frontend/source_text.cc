#include "engine/frontend/source_text.h"

#include <fmt/format.h>

#include <fstream>

#include "engine/base/language.h"
#include "engine/base/limits.h"
#include "engine/base/utf8.h"

namespace termijn {

std::optional<std::string> read_text_file(const std::filesystem::path& path) {
  // A name with a NUL byte would be cut short by the system call and name another file.
  if (path.native().find('\0') != std::string::npos) return std::nullopt;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(limits::kSourceBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return std::nullopt;
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

bool admit_source(const SourceFilePtr& source, DiagnosticList& diagnostics) {
  const std::string& text = source->text();
  if (text.size() > limits::kSourceBytes) {
    SourcePos at = source->position(limits::kSourceBytes);
    diagnostics.error(SourceRange{source, at, at},
                      tr("the file is {} bytes; at most {} are read (limit: source bytes)", text.size(),
                         limits::kSourceBytes));
    return false;
  }
  if (auto bad = find_invalid_utf8(text)) {
    SourcePos at = source->position(*bad);
    diagnostics.error(SourceRange{source, at, SourcePos{at.line, at.column + 1}},
                      tr("byte 0x{:02X} is not valid UTF-8; save the file as UTF-8",
                         static_cast<unsigned char>(text[*bad])));
    return false;
  }
  return true;
}

}  // namespace termijn
