// Source files and the ranges that every AST node, diagnostic and model node carries.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace termijn {

// A position as a person reads it: 1-based line and column (columns count bytes).
struct SourcePos {
  int line = 0;
  int column = 0;
  friend bool operator==(const SourcePos&, const SourcePos&) = default;
};

// One loaded source file. Shared between the AST, the model and diagnostics so that a
// range can always print its own line.
class SourceFile {
 public:
  SourceFile(std::string path, std::string text);
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  // The text of line `line` (1-based) without its newline; empty when out of range.
  std::string_view line(int line) const;
  // The line and column of byte `offset` (clamped to the end of the text).
  SourcePos position(std::size_t offset) const;

 private:
  std::string path_;
  std::string text_;
  std::vector<std::size_t> line_starts_;
};

using SourceFilePtr = std::shared_ptr<const SourceFile>;

// [begin, end) in one file; `end` is the position just past the last character.
struct SourceRange {
  SourceFilePtr file;
  SourcePos begin;
  SourcePos end;

  bool valid() const { return file != nullptr && begin.line > 0; }
  // "path:line:col"
  std::string location() const;
  // The source text it covers, its whitespace runs folded to one space ("now < einde").
  std::string text() const;
};

}  // namespace termijn
