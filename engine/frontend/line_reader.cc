#include "engine/frontend/line_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "engine/base/language.h"
#include "engine/base/limits.h"
#include "engine/base/numbers.h"

namespace termijn::lines {

std::vector<Word> split(const SourceFilePtr& source, int line_number, std::string_view line, DiagnosticList& d) {
  std::vector<Word> words;
  std::size_t i = 0;
  auto range = [&](std::size_t begin, std::size_t end) {
    return SourceRange{source, {line_number, static_cast<int>(begin) + 1}, {line_number, static_cast<int>(end) + 1}};
  };
  while (i < line.size()) {
    char c = line[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '#' || (c == '/' && i + 1 < line.size() && line[i + 1] == '/')) {
      break;
    } else if (c == '"') {
      std::size_t end = line.find('"', i + 1);
      if (end == std::string_view::npos) {
        d.error(range(i, line.size()), tr("this text has no closing quote"));
        return {};
      }
      words.push_back(Word{std::string(line.substr(i + 1, end - i - 1)), true, range(i, end + 1)});
      i = end + 1;
    } else if (c == '=' || c == ',' || c == '[' || c == ']') {
      words.push_back(Word{std::string(1, c), false, range(i, i + 1)});
      ++i;
    } else {
      std::size_t end = i;
      while (end < line.size() && !std::isspace(static_cast<unsigned char>(line[end])) && line[end] != '=' &&
             line[end] != ',' && line[end] != '[' && line[end] != ']' && line[end] != '"') {
        ++end;
      }
      words.push_back(Word{std::string(line.substr(i, end - i)), false, range(i, end)});
      i = end;
    }
  }
  return words;
}

namespace {
bool digits(const std::string& s, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}
}  // namespace

bool is_date(const std::string& s) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' && digits(s, 0, 4) && digits(s, 5, 7) && digits(s, 8, 10);
}
bool is_time(const std::string& s) {
  return s.size() == 5 && s[2] == ':' && digits(s, 0, 2) && digits(s, 3, 5) && (s[0] - '0') * 10 + (s[1] - '0') < 24 &&
         s[3] < '6';
}
bool looks_like_time(const std::string& s) { return s.size() == 5 && s[2] == ':' && digits(s, 0, 2) && digits(s, 3, 5); }
std::chrono::minutes time_of_day(const std::string& s) {
  return std::chrono::hours((s[0] - '0') * 10 + (s[1] - '0')) + std::chrono::minutes((s[3] - '0') * 10 + (s[4] - '0'));
}
bool is_number(const std::string& s) { return parse_number(s).has_value(); }

bool is_int(const std::string& s) {
  return !s.empty() && std::all_of(s.begin() + (s[0] == '-' ? 1 : 0), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

bool LineReader::accept(const char* keyword) {
  if (!done() && !w_[i_].quoted && w_[i_].text == keyword) {
    ++i_;
    return true;
  }
  return false;
}

std::optional<Word> LineReader::word(const char* what) {
  if (done()) {
    d_.error(end_range(), tr("expected {} here", what));
    return std::nullopt;
  }
  return w_[i_++];
}

bool LineReader::expect(const char* keyword) {
  if (accept(keyword)) return true;
  d_.error(done() ? end_range() : w_[i_].range, tr("expected '{}' here", keyword));
  return false;
}

std::optional<std::string> LineReader::quoted(const char* what) {
  if (done() || !w_[i_].quoted) {
    d_.error(done() ? end_range() : w_[i_].range, tr("expected {} in quotes here", what));
    return std::nullopt;
  }
  return w_[i_++].text;
}

bool LineReader::time_of_day(std::string& time) {
  if (done() || !looks_like_time(w_[i_].text)) return true;
  if (!is_time(w_[i_].text)) {
    d_.error(w_[i_].range, tr("'{}' is not a time of day: hours run from 00 to 23, minutes from 00 to 59",
                              w_[i_].text));
    return false;
  }
  time = w_[i_++].text;
  return true;
}

std::optional<Instant> LineReader::moment(const std::string& default_time) {
  auto date = word(tr("a date (2026-10-20)"));
  if (!date) return std::nullopt;
  if (!is_date(date->text)) {
    d_.error(date->range, tr("'{}' is not a date; write it as 2026-10-20", date->text));
    return std::nullopt;
  }
  std::string time = default_time;
  if (!time_of_day(time)) return std::nullopt;
  auto at = parse_instant(date->text + " " + time);
  if (!at) {
    d_.error(date->range, tr("'{} {}' is not a moment", date->text, time));
  } else if (auto ms = at->time_since_epoch().count(); ms < limits::kEarliestMoment || ms > limits::kLatestMoment) {
    d_.error(date->range, tr("'{}' is not a date between the years 1900 and 2200 (limit: moment)", date->text));
    return std::nullopt;
  }
  return at;
}

std::optional<Json> LineReader::record() {
  Json out = Json::object();
  while (!done()) {
    auto key = word(tr("a field name"));
    if (!key || !expect("=")) return std::nullopt;
    auto v = value();
    if (!v) return std::nullopt;
    out[key->text] = *v;
    keys_.push_back(*key);
    if (!accept(",")) break;
  }
  return out;
}

std::optional<Json> LineReader::value() { return value_at(1); }

std::optional<Json> LineReader::value_at(int depth) {
  auto v = word("a value");
  if (!v) return std::nullopt;
  if (v->quoted) return Json(v->text);
  if (v->text == "[") {
    // Values become case data: bounded as every JSON value from outside is.
    if (depth > limits::kJsonNesting) {
      d_.error(v->range, tr("lists nest more than {} deep here (limit: JSON nesting)", limits::kJsonNesting));
      return std::nullopt;
    }
    Json list = Json::array();
    if (accept("]")) return list;
    for (;;) {
      auto element = value_at(depth + 1);
      if (!element) return std::nullopt;
      if (list.size() == limits::kListElements) {
        d_.error(v->range, tr("this list has more than {} elements (limit: list elements)", limits::kListElements));
        return std::nullopt;
      }
      list.push_back(*element);
      if (accept("]")) return list;
      if (!expect(",")) return std::nullopt;
    }
  }
  if (v->text == "true") return Json(true);
  if (v->text == "false") return Json(false);
  if (is_int(v->text)) {
    auto number = parse_int(v->text);
    if (!number) {
      d_.error(v->range, tr("the number {} is too large", v->text));
      return std::nullopt;
    }
    return Json(*number);
  }
  if (is_date(v->text)) {
    std::string time = "00:00";
    if (!time_of_day(time)) return std::nullopt;
    return Json(v->text + " " + time);
  }
  return Json(v->text);  // a one-of value, or a word
}

void LineReader::finish() {
  if (!done()) d_.error(w_[i_].range, tr("unexpected '{}' at the end of the line", w_[i_].text));
}

}  // namespace termijn::lines
