#include "engine/base/source.h"

#include <fmt/format.h>

#include <algorithm>

namespace termijn {

SourceFile::SourceFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

std::string_view SourceFile::line(int line) const {
  if (line < 1 || static_cast<std::size_t>(line) > line_starts_.size()) return {};
  // From the table, not by searching for the newline: a caller asking for every token's line
  // would make a long line quadratic.
  std::size_t begin = line_starts_[line - 1];
  std::size_t end = static_cast<std::size_t>(line) < line_starts_.size() ? line_starts_[line] - 1 : text_.size();
  std::string_view view(text_.data() + begin, end - begin);
  if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
  return view;
}

SourcePos SourceFile::position(std::size_t offset) const {
  if (offset > text_.size()) offset = text_.size();
  auto after = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  auto line = static_cast<std::size_t>(after - line_starts_.begin());  // 1-based: starts at or before offset
  return SourcePos{static_cast<int>(line), static_cast<int>(offset - line_starts_[line - 1]) + 1};
}

std::string SourceRange::location() const {
  if (!file) return "<unknown>";
  return fmt::format("{}:{}:{}", file->path(), begin.line, begin.column);
}

std::string SourceRange::text() const {
  if (!valid() || end.line < begin.line) return {};
  std::string out;
  for (int line = begin.line; line <= end.line; ++line) {
    std::string_view view = file->line(line);
    std::size_t from = line == begin.line ? static_cast<std::size_t>(begin.column - 1) : 0;
    std::size_t to = line == end.line ? static_cast<std::size_t>(end.column - 1) : view.size();
    from = std::min(from, view.size());
    to = std::min(std::max(to, from), view.size());
    if (!out.empty()) out += ' ';
    out += view.substr(from, to - from);
  }
  std::string folded;
  for (char c : out) {
    bool space = c == ' ' || c == '\t';
    if (space && (folded.empty() || folded.back() == ' ')) continue;
    folded += space ? ' ' : c;
  }
  while (!folded.empty() && folded.back() == ' ') folded.pop_back();
  return folded;
}

}  // namespace termijn
