// Line-based formats beside the language (coordinators' scenarios, simulation files): a line
// split into words with their source ranges, and a reader that reports what it expected as a
// diagnostic at file:line:col.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/frontend/source_text.h"
#include "engine/time/instant.h"

namespace termijn::lines {

using Json = nlohmann::json;

struct Word {
  std::string text;
  bool quoted = false;
  SourceRange range;
};

// Words of one line: "quoted text", = , [ ] as words of their own; `#` or `//` ends the line.
std::vector<Word> split(const SourceFilePtr& source, int line_number, std::string_view line, DiagnosticList& d);

// 2026-10-20 (digits in place; whether the day exists is for parse_instant to say).
bool is_date(const std::string& s);
// 14:35, from 00:00 to 23:59.
bool is_time(const std::string& s);
// "NN:NN", in range or not: so "25:00" is reported as a bad time, not as an unknown word.
bool looks_like_time(const std::string& s);
// The minutes since midnight of a text for which is_time holds.
std::chrono::minutes time_of_day(const std::string& s);
// Whether `s` is written as a whole number (it may still be too large: convert with parse_int).
bool is_int(const std::string& s);
// A finite decimal number.
bool is_number(const std::string& s);

// Calls `each(words, line_range, line_text)` for every non-empty line of `source`; nothing
// when the file is too large or not UTF-8 (an error says so).
template <typename Each>
void for_each_line(const SourceFilePtr& source, DiagnosticList& d, Each each) {
  if (!admit_source(source, d)) return;
  const std::string& text = source->text();
  int line_number = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++line_number;
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    std::vector<Word> words = split(source, line_number, line, d);
    if (!words.empty()) {
      each(std::move(words), SourceRange{source, {line_number, 1}, {line_number, static_cast<int>(line.size()) + 1}}, line);
    }
    if (end == text.size()) break;
  }
}

class LineReader {
 public:
  LineReader(std::vector<Word> words, DiagnosticList& d, SourceRange line) : w_(std::move(words)), d_(d), line_(line) {}

  bool done() const { return i_ >= w_.size(); }
  const Word* peek() const { return done() ? nullptr : &w_[i_]; }
  bool accept(const char* keyword);
  std::optional<Word> word(const char* what);
  bool expect(const char* keyword);
  std::optional<std::string> quoted(const char* what);
  // DATE [TIME]
  std::optional<Instant> moment(const std::string& default_time = "00:00");
  // Reads a time of day ("14:35") into `time` if the next word looks like one; false after
  // reporting one out of range ("25:00", "14:60").
  bool time_of_day(std::string& time);
  // k=v, k=v
  std::optional<Json> record();
  std::optional<Json> value();
  void finish();
  SourceRange end_range() const { return SourceRange{line_.file, line_.end, line_.end}; }
  const std::vector<Word>& keys() const { return keys_; }
  DiagnosticList& diagnostics() { return d_; }

 private:
  std::optional<Json> value_at(int depth);

  std::vector<Word> w_;
  std::size_t i_ = 0;
  DiagnosticList& d_;
  SourceRange line_;
  std::vector<Word> keys_;
};

}  // namespace termijn::lines
