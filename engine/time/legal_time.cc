#include "engine/time/legal_time.h"

#include <date/tz.h>
#include <fmt/format.h>

#include <regex>
#include <sstream>

namespace termijn {

using namespace date;
using std::chrono::milliseconds;
using std::chrono::minutes;

namespace {
std::string offset_text(const sys_info& info) {
  auto total = std::chrono::duration_cast<minutes>(info.offset).count();
  return fmt::format("UTC{}{:02}:{:02}", total < 0 ? '-' : '+', std::abs(total) / 60, std::abs(total) % 60);
}

std::string day_text(year_month_day d) { return date::format("%d-%m-%Y", sys_days{d}); }
}  // namespace

LegalTime::LegalTime() : zone_(locate_zone("Europe/Amsterdam")) {}

Instant LegalTime::from_local(local_time<milliseconds> local, std::vector<std::string>* notes) const {
  // `first` is the offset in force before a gap, or the earlier of two in an overlap (RFC 5545).
  local_info info = zone_->get_info(local);
  Instant at{local.time_since_epoch() - info.first.offset};
  if (notes != nullptr && info.result != local_info::unique) {
    const bool gap = info.result == local_info::nonexistent;
    notes->push_back(fmt::format("{} {} on {} (clocks go {}): {}{}, RFC 5545", date::format("%H:%M", local),
                                 gap ? "does not exist" : "occurs twice", day_text(year_month_day{floor<days>(local)}),
                                 gap ? "forward" : "back", gap ? "" : "the first, ",
                                 date::format("%H:%M %Z", zoned_time<minutes>{zone_, floor<minutes>(at)})));
  }
  return at;
}

local_time<milliseconds> LegalTime::to_local(Instant t) const { return zone_->to_local(t); }

year_month_day LegalTime::local_day(Instant t) const {
  return year_month_day{floor<days>(zone_->to_local(t))};
}

std::string LegalTime::format(Instant t) const {
  return date::format("%Y-%m-%d %H:%M %Z", zoned_time<minutes>{zone_, floor<minutes>(t)});
}

Instant LegalTime::add(Instant from, const Duration& d, const HolidayCalendar* calendar,
                       std::vector<std::string>* notes) const {
  if (d.kind == DurationKind::kClock) return from + minutes(d.minutes);

  auto local = zone_->to_local(from);
  auto day = floor<days>(local);
  auto time_of_day = local - day;
  local_days target = day;

  if (d.kind == DurationKind::kCalendar) {
    if (d.months != 0) {
      year_month_day ymd{target};
      year_month_day moved = ymd + months{d.months};
      if (!moved.ok()) {
        // 31 January + 1 month: the last day of February.
        moved = moved.year() / moved.month() / last;
        if (notes) notes->push_back(fmt::format("{} has no day {}; the term ends on its last day",
                                                date::format("%B %Y", sys_days{moved}), unsigned(ymd.day())));
      }
      target = local_days{moved};
    }
    target += days{d.days};
  } else {
    // Working days, counted one by one.
    std::int64_t remaining = d.days;
    int step = remaining < 0 ? -1 : 1;
    while (remaining != 0) {
      target += days{step};
      sys_days as_sys{target.time_since_epoch()};
      if (calendar == nullptr || calendar->is_working_day(as_sys)) {
        remaining -= step;
      } else if (notes) {
        auto name = calendar->holiday(year_month_day{as_sys});
        notes->push_back(fmt::format("{} is not a working day ({}), so it is not counted", day_text(year_month_day{as_sys}),
                                     name ? *name : std::string(weekday{as_sys} == Saturday ? "Saturday" : "Sunday")));
      }
    }
  }
  const std::size_t noted = notes ? notes->size() : 0;
  Instant result = from_local(target + time_of_day, notes);
  if (notes) {
    sys_info before = zone_->get_info(from);
    sys_info after = zone_->get_info(result);
    if (before.offset != after.offset) {
      // Unless the hour fell in the spring gap (from_local said so), the end keeps its clock time.
      notes->push_back(fmt::format("the clocks changed in between ({} to {}){}, {} elapsed hours",
                                   offset_text(before), offset_text(after),
                                   notes->size() == noted ? ": the term still ends at the same local hour" : "",
                                   std::chrono::duration_cast<std::chrono::hours>(result - from).count()));
    }
  }
  return result;
}

std::string to_iso_utc(Instant t) { return date::format("%FT%TZ", floor<std::chrono::seconds>(t)); }

std::optional<Instant> parse_instant(const std::string& text) {
  // The shape is decided before date::parse sees the text: handed a format its text does not
  // fit, date.h's %T reads seconds it never set (undefined behaviour, found by fuzzing).
  static const std::regex kShape(R"(\d{4}-\d{2}-\d{2}([T ])\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)");
  static const std::regex kDate(R"(\d{4}-\d{2}-\d{2})");
  constexpr std::size_t kLongest = 29;  // 2026-10-20T14:35:00.000+02:00
  static const LegalTime kLegal;
  // A date alone (a birth date) is the start of that day in Amsterdam.
  if (std::regex_match(text, kDate)) {
    date::local_days day;
    std::istringstream in(text);
    in >> date::parse("%F", day);
    if (in.fail()) return std::nullopt;
    return kLegal.from_local(local_time<milliseconds>(day));
  }
  std::smatch m;
  if (text.size() > kLongest || !std::regex_match(text, m, kShape)) return std::nullopt;
  const std::string separator = m[1].str();
  const bool seconds = m[2].matched;
  std::istringstream in(text);
  if (m[4].matched) {  // a moment with its offset from UTC
    if (!seconds) return std::nullopt;
    sys_time<milliseconds> utc;
    in >> date::parse("%F" + separator + (m[4].str() == "Z" ? "%TZ" : "%T%Ez"), utc);
    if (in.fail()) return std::nullopt;
    return utc;
  }
  local_time<milliseconds> local;  // Amsterdam's wall clock
  in >> date::parse("%F" + separator + (seconds ? "%T" : "%H:%M"), local);
  if (in.fail()) return std::nullopt;
  return kLegal.from_local(local);
}

}  // namespace termijn
