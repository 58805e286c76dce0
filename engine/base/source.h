// Source files and the ranges that every AST node, diagnostic and model node carries.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/utf8.h"

namespace termijn {

// A position as a person reads it: 1-based line and column (columns count bytes).
// Ordered as read: by line, then by column.
struct SourcePos {
  int line = 0;
  int column = 0;
  friend auto operator<=>(const SourcePos&, const SourcePos&) = default;
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

  // Columns as other tools count them (base/utf8.h): what units_in and bytes_for give for line
  // `line`, without counting from the line's start each time. ANTLR counts characters, editors
  // UTF-16 units; asking for every token or symbol on a long line made the parser and the
  // language server quadratic (a 200 KB one-line file took 20 s).
  std::size_t units_before(int line, std::size_t bytes, ColumnUnit unit) const;
  std::size_t bytes_after(int line, std::size_t units, ColumnUnit unit) const;

 private:
  // Where every kCheckpointEvery-th character of a line that is not all ASCII starts (a line of
  // ASCII needs none: there a byte is a character and a UTF-16 unit). A lookup walks at most that
  // many characters from the checkpoint before it.
  static constexpr std::size_t kCheckpointEvery = 64;
  struct Checkpoint {
    std::size_t byte = 0;
    std::size_t utf16 = 0;  // UTF-16 units before it; its character count is its index times kCheckpointEvery
  };
  struct LineCheckpoints;
  LineCheckpoints checkpoints_of(int line) const;
  void add_checkpoints(std::string_view line);

  std::string path_;
  std::string text_;
  std::vector<std::size_t> line_starts_;
  std::vector<Checkpoint> checkpoints_;
  // Line n's checkpoints are checkpoints_[checkpoint_starts_[n - 1], checkpoint_starts_[n]).
  std::vector<std::size_t> checkpoint_starts_;
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
