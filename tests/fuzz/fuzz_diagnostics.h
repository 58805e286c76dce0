// The invariant every reader's diagnostics keep: each range lies inside its own file (its begin
// on a line of the file, at most one column past that line's end; its end not before its begin).
#pragma once

#include <fmt/format.h>

#include <string>

#include "engine/base/diagnostic.h"
#include "fuzz_support.h"

namespace termijn::fuzz {

inline int line_count(const std::string& text) {
  int n = 1;
  for (char c : text) n += c == '\n' ? 1 : 0;
  return n;
}

// The length of line `line` in bytes, '\r' included (columns count bytes).
inline std::size_t line_length(const std::string& text, int line) {
  std::size_t pos = 0;
  for (int i = 1; i < line; ++i) pos = text.find('\n', pos) + 1;
  std::size_t end = text.find('\n', pos);
  return (end == std::string::npos ? text.size() : end) - pos;
}

inline std::string where(const SourceRange& r) {
  return fmt::format("{}:{}:{}-{}:{}", r.file ? r.file->path() : "<no file>", r.begin.line, r.begin.column,
                     r.end.line, r.end.column);
}

inline void check_range(const Diagnostic& d) {
  const SourceRange& r = d.range;
  auto broken = [&](const char* why) {
    fail(fmt::format("diagnostic '{}' at {}: {}", d.message, where(r), why));
  };
  if (!r.file) broken("no file");
  const std::string& text = r.file->text();
  int lines = line_count(text);
  if (r.begin.line < 1 || r.begin.line > lines) broken(fmt::format("begin line outside 1..{}", lines).c_str());
  std::size_t len = line_length(text, r.begin.line);
  if (r.begin.column < 1 || static_cast<std::size_t>(r.begin.column) > len + 1) {
    broken(fmt::format("begin column outside 1..{}", len + 1).c_str());
  }
  if (r.end.line != 0 || r.end.column != 0) {  // an end is optional
    if (r.end.line < r.begin.line || r.end.line > lines) broken("end line outside the file or before the begin");
    if (r.end.line == r.begin.line && r.end.column < r.begin.column) broken("end column before the begin");
    // The end column is not held to its line: a diagnostic at the end of the file underlines
    // one character past the text, which renders as a caret there.
    if (r.end.column < 1) broken("end column before the line's start");
  }
  for (const auto& n : d.notes) check_range(n);
}

inline void check_ranges(const DiagnosticList& list) {
  for (const auto& d : list.all()) check_range(d);
}

}  // namespace termijn::fuzz
