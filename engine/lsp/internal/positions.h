// Positions between termijn and an editor. termijn counts 1-based lines and 1-based byte
// columns; the Language Server Protocol counts 0-based lines and 0-based columns in the unit the
// two sides agreed on at `initialize` (UTF-16 code units unless the editor offers UTF-8).
#pragma once

#include <nlohmann/json.hpp>

#include "engine/base/source.h"
#include "engine/base/utf8.h"

namespace termijn::lsp::internal {

using Json = nlohmann::json;

Json to_lsp(const SourceFile& file, SourcePos pos, ColumnUnit unit);
Json to_lsp(const SourceRange& range, ColumnUnit unit);
// {"uri", "range"} for a range in a file on disk or open in the editor.
Json location(const SourceRange& range, ColumnUnit unit);

// An LSP position in `file` as termijn's; a line or column past the end is clamped to it. Throws
// BadParams when `position` is not {"line": n, "character": n} with n >= 0.
SourcePos from_lsp(const SourceFile& file, const Json& position, ColumnUnit unit);

// Thrown by the readers of a request's params; the server answers InvalidParams with the reason.
struct BadParams {
  std::string why;
};

// params[key] as the given type, or BadParams naming the key.
const Json& member(const Json& object, const char* key, Json::value_t type);
std::string text_member(const Json& object, const char* key);

}  // namespace termijn::lsp::internal
