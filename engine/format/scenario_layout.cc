// The canonical layout of a .scenario file: a line format (engine/frontend/line_reader.h), so
// only the space between words changes, and the check is that every line keeps its words.
#include <algorithm>
#include <cctype>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/format/format.h"
#include "engine/format/internal/refusal.h"
#include "engine/frontend/line_reader.h"

namespace termijn::format {
namespace {

// A `day N HH:MM` longer than this (a day number no one writes) is not aligned, so that one
// line cannot widen every line of its run.
constexpr std::size_t kAlignWhen = 24;

bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

struct ScenarioLine {
  std::string when;  // a timeline line's `day N [HH:MM]` or `at DATE [HH:MM]`, one space apart
  std::string text;  // the rest of a timeline line, or the whole of another line, trimmed
  bool has_words = false;
};

// The words of every line that has any, in order: what a layout must keep.
std::optional<std::vector<std::vector<lines::Word>>> words_of(const SourceFilePtr& source,
                                                              DiagnosticList& diagnostics) {
  std::vector<std::vector<lines::Word>> out;
  int errors = diagnostics.error_count();
  lines::for_each_line(source, diagnostics, [&](std::vector<lines::Word> words, const SourceRange&, std::string_view) {
    out.push_back(std::move(words));
  });
  if (diagnostics.error_count() != errors) return std::nullopt;
  return out;
}

bool same_words(const std::vector<std::vector<lines::Word>>& a, const std::vector<std::vector<lines::Word>>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                      [](const lines::Word& v, const lines::Word& w) { return v.text == w.text && v.quoted == w.quoted; });
  });
}

ScenarioLine read_line(const SourceFilePtr& source, int number, std::string_view line) {
  DiagnosticList ignored;  // words_of has read every line without error
  std::vector<lines::Word> words = lines::split(source, number, line, ignored);
  ScenarioLine out{{}, std::string(trim(line)), !words.empty()};
  auto plain = [&words](std::size_t i, const char* text) { return !words[i].quoted && words[i].text == text; };
  if (words.size() < 3 || !(plain(0, "day") || plain(0, "at")) || words[1].quoted) return out;
  std::size_t first = 2;
  if (!words[2].quoted && lines::looks_like_time(words[2].text)) first = 3;
  if (first >= words.size()) return out;
  for (std::size_t i = 0; i < first; ++i) out.when += (i == 0 ? "" : " ") + words[i].text;
  if (out.when.size() > kAlignWhen) {
    out.when.clear();
    return out;
  }
  out.text = std::string(trim(line.substr(static_cast<std::size_t>(words[first].range.begin.column - 1))));
  return out;
}

// The lines laid out: blank lines at most one in a row, none at the start or the end; the
// timeline lines of one run (not parted by a blank line or another line with words; comment
// lines may stand between them) with their steps in one column, two spaces after the widest
// `day N HH:MM`.
std::string lay_out(const SourceFilePtr& source) {
  std::vector<ScenarioLine> lines;
  const std::string& text = source->text();
  int number = 0;
  for (std::size_t begin = 0; begin <= text.size();) {
    std::size_t end = std::min(text.find('\n', begin), text.size());
    ScenarioLine line = read_line(source, ++number, std::string_view(text).substr(begin, end - begin));
    bool blank = line.text.empty();
    if (!blank || (!lines.empty() && !lines.back().text.empty())) lines.push_back(std::move(line));
    begin = end + 1;
  }
  while (!lines.empty() && lines.back().text.empty()) lines.pop_back();
  for (std::size_t begin = 0; begin < lines.size();) {
    if (lines[begin].when.empty()) {
      ++begin;
      continue;
    }
    std::size_t end = begin, width = 0;
    for (; end < lines.size() && !lines[end].text.empty() && (!lines[end].when.empty() || !lines[end].has_words); ++end) {
      width = std::max(width, lines[end].when.size());
    }
    for (std::size_t i = begin; i < end; ++i) {
      if (!lines[i].when.empty()) lines[i].text = lines[i].when + std::string(width + 2 - lines[i].when.size(), ' ') + lines[i].text;
      lines[i].when.clear();
    }
    begin = end;
  }
  std::string out;
  for (const auto& line : lines) out += line.text + "\n";
  return out;
}

}  // namespace

std::optional<std::string> format_scenario(const SourceFilePtr& source, DiagnosticList& diagnostics) {
  std::optional<std::vector<std::vector<lines::Word>>> before = words_of(source, diagnostics);
  if (!before) return std::nullopt;
  std::string text = lay_out(source);
  auto formatted = std::make_shared<SourceFile>(source->path(), text);
  DiagnosticList again;
  std::optional<std::vector<std::vector<lines::Word>>> after = words_of(formatted, again);
  std::string why = !after                        ? "the new layout cannot be read"
                    : !same_words(*before, *after) ? "the new layout has other words"
                    : lay_out(formatted) != text   ? "laying out the new layout changes it again"
                                                   : "";
  if (internal::refuse(source, text, why, diagnostics)) return std::nullopt;
  return text;
}

}  // namespace termijn::format
