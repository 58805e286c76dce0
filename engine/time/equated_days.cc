#include "engine/time/equated_days.h"

#include <fmt/format.h>

#include <cctype>
#include <map>
#include <optional>
#include <string_view>

#include "engine/base/language.h"
#include "engine/base/numbers.h"
#include "engine/time/holidays.h"

namespace termijn {

using namespace date;

namespace {

// The Atw is in force from 1 April 1965 (law.md §3) and the engine holds no moment after 2199
// (evaluator.cc), so a day outside these years is a typing mistake.
constexpr int kFirstYear = 1965;
constexpr int kLastYear = 2199;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string day_text(year_month_day d) { return date::format("%a %d-%m-%Y", sys_days{d}); }

// "2022-05-27": the digits in place, each number in its range, a day that exists.
std::optional<year_month_day> read_day(std::string_view text, const SourceRange& range, DiagnosticList& diagnostics) {
  bool shape = text.size() == 10 && text[4] == '-' && text[7] == '-';
  for (std::size_t i = 0; shape && i < text.size(); ++i) {
    if (i != 4 && i != 7) shape = std::isdigit(static_cast<unsigned char>(text[i])) != 0;
  }
  if (!shape) {
    diagnostics.error(range, tr("expected a date as YYYY-MM-DD (2022-05-27), then the decree that equated it"));
    return std::nullopt;
  }
  std::optional<int> y = parse_int_in(text.substr(0, 4), kFirstYear, kLastYear);
  std::optional<int> m = parse_int_in(text.substr(5, 2), 1, 12);
  std::optional<int> d = parse_int_in(text.substr(8, 2), 1, 31);
  if (!y) {
    diagnostics.error(range, tr("the year is outside {}-{}: the Algemene termijnenwet is in force from 1965 "
                                "and termijn holds no moment after {}", kFirstYear, kLastYear, kLastYear));
    return std::nullopt;
  }
  year_month_day day = (m && d) ? year{*y} / month{static_cast<unsigned>(*m)} / date::day{static_cast<unsigned>(*d)}
                                : year_month_day{};
  if (!day.ok()) {
    diagnostics.error(range, tr("{} is not a day in the calendar", text));
    return std::nullopt;
  }
  return day;
}

}  // namespace

std::vector<EquatedDay> parse_equated_days(const SourceFilePtr& file, DiagnosticList& diagnostics) {
  std::vector<EquatedDay> out;
  std::map<sys_days, SourceRange> listed;
  const int lines = file->position(file->text().size()).line;
  for (int n = 1; n <= lines; ++n) {
    const std::string_view line = file->line(n);
    auto range = [&](std::size_t from, std::size_t to) {
      return SourceRange{file, {n, static_cast<int>(from) + 1}, {n, static_cast<int>(to) + 1}};
    };
    std::size_t begin = 0;
    while (begin < line.size() && is_blank(line[begin])) ++begin;
    if (begin == line.size() || line[begin] == '#') continue;
    std::size_t date_end = begin;
    while (date_end < line.size() && !is_blank(line[date_end])) ++date_end;
    std::size_t decree_begin = date_end;
    while (decree_begin < line.size() && is_blank(line[decree_begin])) ++decree_begin;
    std::size_t decree_end = line.size();
    while (decree_end > decree_begin && is_blank(line[decree_end - 1])) --decree_end;

    const SourceRange date_range = range(begin, date_end);
    std::optional<year_month_day> day = read_day(line.substr(begin, date_end - begin), date_range, diagnostics);
    if (!day) continue;
    if (decree_begin == decree_end) {
      diagnostics.error(range(date_end, date_end), tr("after the date, name the royal decree that equated the day "
                                                      "(art. 3 lid 3 Algemene termijnenwet)"));
      continue;
    }
    const sys_days as_days{*day};
    const weekday wd{as_days};
    if (wd == Saturday || wd == Sunday) {
      diagnostics.error(date_range, tr("{} is a {}, which the Algemene termijnenwet never counts: equating it "
                                       "changes nothing",
                                       day_text(*day), wd == Saturday ? "Saturday" : "Sunday"));
      continue;
    }
    if (auto name = atw_statutory_holiday(*day)) {
      diagnostics.error(date_range, tr("{} is already a holiday under art. 3 Algemene termijnenwet ({})",
                                       day_text(*day), *name));
      continue;
    }
    if (auto [first, inserted] = listed.emplace(as_days, date_range); !inserted) {
      diagnostics.error(date_range, tr("{} is listed twice", day_text(*day)),
                        {note(first->second, tr("the first line for it is here"))});
      continue;
    }
    out.push_back(EquatedDay{*day, std::string(line.substr(decree_begin, decree_end - decree_begin))});
  }
  return out;
}

}  // namespace termijn
