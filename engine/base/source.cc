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
  checkpoint_starts_.reserve(line_starts_.size() + 1);
  checkpoint_starts_.push_back(0);
  for (std::size_t n = 1; n <= line_starts_.size(); ++n) {
    add_checkpoints(line(static_cast<int>(n)));
    checkpoint_starts_.push_back(checkpoints_.size());
  }
}

struct SourceFile::LineCheckpoints {
  std::string_view text;
  const Checkpoint* first = nullptr;
  const Checkpoint* last = nullptr;  // one past; first == last for a line of ASCII

  std::size_t units_at(const Checkpoint& at, ColumnUnit unit) const {
    if (unit == ColumnUnit::kBytes) return at.byte;
    if (unit == ColumnUnit::kUtf16) return at.utf16;
    return static_cast<std::size_t>(&at - first) * kCheckpointEvery;
  }
};

void SourceFile::add_checkpoints(std::string_view line) {
  if (std::all_of(line.begin(), line.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) return;
  // Stepping as units_in and bytes_for do, so that the table agrees with them on any text: a file
  // is held here before its UTF-8 is checked, and its error is then shown on it.
  std::size_t characters = 0;
  std::size_t utf16 = 0;
  for (std::size_t i = 0; i < line.size(); ++characters) {
    if (characters % kCheckpointEvery == 0) checkpoints_.push_back(Checkpoint{i, utf16});
    auto [length, width] = utf8_character(static_cast<unsigned char>(line[i]), ColumnUnit::kUtf16);
    utf16 += width;
    i = std::min(i + length, line.size());
  }
}

SourceFile::LineCheckpoints SourceFile::checkpoints_of(int line) const {
  LineCheckpoints out{this->line(line)};
  if (line >= 1 && static_cast<std::size_t>(line) < checkpoint_starts_.size()) {
    out.first = checkpoints_.data() + checkpoint_starts_[line - 1];
    out.last = checkpoints_.data() + checkpoint_starts_[line];
  }
  return out;
}

std::size_t SourceFile::units_before(int line, std::size_t bytes, ColumnUnit unit) const {
  LineCheckpoints at = checkpoints_of(line);
  if (at.first == at.last) return std::min(bytes, at.text.size());
  // The first checkpoint is the line's start, so one lies at or before any count.
  const Checkpoint* from = std::upper_bound(at.first, at.last, bytes, [](std::size_t b, const Checkpoint& c) {
    return b < c.byte;
  }) - 1;
  return at.units_at(*from, unit) + units_in(at.text.substr(from->byte), bytes - from->byte, unit);
}

std::size_t SourceFile::bytes_after(int line, std::size_t units, ColumnUnit unit) const {
  LineCheckpoints at = checkpoints_of(line);
  if (at.first == at.last) return std::min(units, at.text.size());
  const Checkpoint* from = std::upper_bound(at.first, at.last, units, [&](std::size_t u, const Checkpoint& c) {
    return u < at.units_at(c, unit);
  }) - 1;
  return from->byte + bytes_for(at.text.substr(from->byte), units - at.units_at(*from, unit), unit);
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
