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
  std::size_t begin = line_starts_[line - 1];
  std::size_t end = text_.find('\n', begin);
  if (end == std::string::npos) end = text_.size();
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

}  // namespace termijn
