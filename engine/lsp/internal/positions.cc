#include "engine/lsp/internal/positions.h"

#include <fmt/format.h>

#include <limits>

#include "engine/tooling/uri.h"

namespace termijn::lsp::internal {

namespace {

// A non-negative integer that fits LSP's uinteger (2^31 - 1).
std::size_t count(const Json& position, const char* key) {
  const Json& value = member(position, key, Json::value_t::number_unsigned);
  auto n = value.get<std::uint64_t>();
  if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
    throw BadParams{fmt::format("'{}' is larger than 2147483647", key)};
  }
  return static_cast<std::size_t>(n);
}

int line_count(const SourceFile& file) {
  // position() clamps to the end, so the last line's number is that of the text's end.
  return file.position(file.text().size()).line;
}

}  // namespace

const Json& member(const Json& object, const char* key, Json::value_t type) {
  if (!object.is_object()) throw BadParams{fmt::format("expected an object holding '{}'", key)};
  auto it = object.find(key);
  // JSON has one kind of integer; nlohmann tells non-negative ones apart as unsigned.
  bool ok = it != object.end() &&
            (it->type() == type || (type == Json::value_t::number_integer && it->is_number_integer()) ||
             (type == Json::value_t::number_unsigned && it->is_number_integer() && *it >= 0));
  if (!ok) throw BadParams{fmt::format("'{}' is missing or of the wrong type", key)};
  return *it;
}

std::string text_member(const Json& object, const char* key) {
  return member(object, key, Json::value_t::string).get<std::string>();
}

Json to_lsp(const SourceFile& file, SourcePos pos, ColumnUnit unit) {
  int line = std::max(pos.line, 1);
  std::size_t bytes = static_cast<std::size_t>(std::max(pos.column, 1) - 1);
  return {{"line", line - 1}, {"character", file.units_before(line, bytes, unit)}};
}

Json to_lsp(const SourceRange& range, ColumnUnit unit) {
  if (!range.valid()) return {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 0}}}};
  return {{"start", to_lsp(*range.file, range.begin, unit)}, {"end", to_lsp(*range.file, range.end, unit)}};
}

Json location(const SourceRange& range, ColumnUnit unit) {
  return {{"uri", range.file ? tooling::file_uri(range.file->path()) : ""}, {"range", to_lsp(range, unit)}};
}

SourcePos from_lsp(const SourceFile& file, const Json& position, ColumnUnit unit) {
  std::size_t line = count(position, "line");
  std::size_t character = count(position, "character");
  int lines = line_count(file);
  if (line + 1 > static_cast<std::size_t>(lines)) {
    return file.position(file.text().size());
  }
  int at = static_cast<int>(line) + 1;
  return {at, static_cast<int>(file.bytes_after(at, character, unit)) + 1};
}

}  // namespace termijn::lsp::internal
