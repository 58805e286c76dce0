#include "engine/time/legal_time.h"

#include <date/tz.h>
#include <fmt/format.h>

#include "engine/base/language.h"


namespace termijn {

using namespace date;
using std::chrono::milliseconds;
using std::chrono::minutes;

namespace {

// The zone's period (offset, abbreviation) at `t`. Each thread keeps its last answer: the moments
// a case computes one after another nearly always fall in the same half year, and the zone's
// lookup searches its transitions every time.
const sys_info& info_at(const time_zone* zone, sys_seconds t) {
  struct Last {
    const time_zone* zone = nullptr;
    sys_info info;
  };
  thread_local Last last;
  if (last.zone != zone || t < last.info.begin || t >= last.info.end) {
    last.info = zone->get_info(t);
    last.zone = zone;
  }
  return last.info;
}

std::string offset_text(const sys_info& info) {
  auto total = std::chrono::duration_cast<minutes>(info.offset).count();
  return fmt::format("UTC{}{:02}:{:02}", total < 0 ? '-' : '+', std::abs(total) / 60, std::abs(total) % 60);
}

std::string day_text(year_month_day d) { return date::format("%d-%m-%Y", sys_days{d}); }
// "February 2027", or "februari 2027" in Dutch.
std::string month_text(year_month_day d) {
  const char* const names[] = {tr("January"), tr("February"), tr("March"),     tr("April"),   tr("May"),      tr("June"),
                               tr("July"),    tr("August"),   tr("September"), tr("October"), tr("November"), tr("December")};
  return fmt::format("{} {}", names[static_cast<unsigned>(d.month()) - 1], static_cast<int>(d.year()));
}

// Writes `n` (which has at most `width` digits) as `width` digits, zeros first.
void put_digits(char* at, unsigned n, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + n % 10);
    n /= 10;
  }
}

// "YYYY-MM-DD" at the start of `text`, for a year of at most four digits.
void put_date(char* text, int year, const year_month_day& ymd) {
  put_digits(text, static_cast<unsigned>(year), 4);
  put_digits(text + 5, static_cast<unsigned>(ymd.month()), 2);
  put_digits(text + 8, static_cast<unsigned>(ymd.day()), 2);
}

}  // namespace

LegalTime::LegalTime() : zone_(locate_zone("Europe/Amsterdam")) {}

Instant LegalTime::from_local(local_time<milliseconds> local, std::vector<std::string>* notes) const {
  // `first` is the offset in force before a gap, or the earlier of two in an overlap (RFC 5545).
  // A day or more from either end of the period the same offset gives: the time is unique there
  // (Amsterdam's clocks move an hour), and the zone need not be searched.
  {
    const auto offset = info_at(zone_, floor<std::chrono::seconds>(Instant{local.time_since_epoch()})).offset;
    Instant at{local.time_since_epoch() - offset};
    const sys_info& period = info_at(zone_, floor<std::chrono::seconds>(at));
    if (period.offset == offset && at >= period.begin + days{1} && at < period.end - days{1}) return at;
  }
  local_info info = zone_->get_info(local);
  Instant at{local.time_since_epoch() - info.first.offset};
  if (notes != nullptr && info.result != local_info::unique) {
    const bool gap = info.result == local_info::nonexistent;
    notes->push_back(tr("{} {} on {} (clocks go {}): {}{}, RFC 5545", date::format("%H:%M", local),
                        gap ? tr("does not exist") : tr("occurs twice"), day_text(year_month_day{floor<days>(local)}),
                        gap ? tr("forward") : tr("back"), gap ? "" : tr("the first, "),
                        date::format("%H:%M %Z", zoned_time<minutes>{zone_, floor<minutes>(at)})));
  }
  return at;
}

local_time<milliseconds> LegalTime::to_local(Instant t) const {
  return local_time<milliseconds>{t.time_since_epoch() + info_at(zone_, floor<std::chrono::seconds>(t)).offset};
}

year_month_day LegalTime::local_day(Instant t) const { return year_month_day{floor<days>(to_local(t))}; }

std::string LegalTime::format(Instant t) const {
  // Written by hand, as to_iso_utc, for the years of four digits; the same text as
  // date::format("%Y-%m-%d %H:%M %Z"), without its ostringstream: a simulated case ends a stage,
  // with the moment in the reason, thousands of times a second.
  auto at = floor<minutes>(t);
  const sys_info& info = info_at(zone_, at);
  auto local = at + info.offset;
  auto day = floor<days>(local);
  year_month_day ymd(day);
  int year = static_cast<int>(ymd.year());
  if (year < 1000 || year > 9999) return date::format("%Y-%m-%d %H:%M %Z", zoned_time<minutes>{zone_, at});
  hh_mm_ss<std::chrono::seconds> time(local - day);
  char text[] = "YYYY-MM-DD HH:MM ";
  put_date(text, year, ymd);
  put_digits(text + 11, static_cast<unsigned>(time.hours().count()), 2);
  put_digits(text + 14, static_cast<unsigned>(time.minutes().count()), 2);
  std::string out(text, sizeof text - 1);
  out += info.abbrev;
  return out;
}

Instant LegalTime::add(Instant from, const Duration& d, const HolidayCalendar* calendar,
                       std::vector<std::string>* notes) const {
  if (d.kind == DurationKind::kClock) return from + minutes(d.minutes);

  auto local = to_local(from);
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
        if (notes) notes->push_back(tr("{} has no day {}; the term ends on its last day",
                                       month_text(moved), unsigned(ymd.day())));
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
        notes->push_back(tr("{} is not a working day ({}), so it is not counted", day_text(year_month_day{as_sys}),
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
      notes->push_back(tr("the clocks changed in between ({} to {}){}, {} elapsed hours",
                          offset_text(before), offset_text(after),
                          notes->size() == noted ? ": the term still ends at the same local hour" : "",
                          std::chrono::duration_cast<std::chrono::hours>(result - from).count()));
    }
  }
  return result;
}

std::string to_iso_utc(Instant t) {
  // Written by hand, not through date::format's ostringstream: every audit entry and every
  // deadline the engine reports is formatted here.
  auto seconds = floor<std::chrono::seconds>(t);
  auto day = floor<days>(seconds);
  year_month_day ymd(day);
  int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) return date::format("%FT%TZ", seconds);  // beyond four digits
  hh_mm_ss<std::chrono::seconds> time(seconds - day);
  char text[] = "YYYY-MM-DDTHH:MM:SSZ";
  put_date(text, year, ymd);
  put_digits(text + 11, static_cast<unsigned>(time.hours().count()), 2);
  put_digits(text + 14, static_cast<unsigned>(time.minutes().count()), 2);
  put_digits(text + 17, static_cast<unsigned>(time.seconds().count()), 2);
  return std::string(text, sizeof text - 1);
}

namespace {

// Reads `count` digits at `at` into `out`; false if any is not a digit or the text ends.
bool digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
  if (at + count > text.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

// The shapes accepted, and nothing else (read by hand: a regex here cost a simulation 2 % of its
// time, and date::parse handed a text its format does not fit reads seconds it never set):
//   2014-10-20                       a date alone: the start of that day in Amsterdam
//   2026-10-20 14:35 | T14:35        Amsterdam's wall clock, seconds optional (:00, :00.5, :00.250)
//   2026-10-20T14:35:00Z | +02:00    a moment with its offset from UTC (seconds required)
std::optional<Instant> parse_instant(const std::string& text) {
  static const LegalTime kLegal;
  constexpr std::size_t kLongest = 29;  // 2026-10-20T14:35:00.000+02:00
  if (text.size() > kLongest) return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (!digits(text, 0, 4, y) || text.size() < 10 || text[4] != '-' || !digits(text, 5, 2, m) || text[7] != '-' ||
      !digits(text, 8, 2, d)) {
    return std::nullopt;
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  local_days date_part{ymd};
  if (text.size() == 10) return kLegal.from_local(local_time<milliseconds>(date_part));
  int hour = 0, minute = 0, second = 0, millis = 0;
  if ((text[10] != 'T' && text[10] != ' ') || !digits(text, 11, 2, hour) || text.size() < 16 || text[13] != ':' ||
      !digits(text, 14, 2, minute) || hour > 23 || minute > 59) {
    return std::nullopt;
  }
  std::size_t at = 16;
  bool seconds = false;
  if (at < text.size() && text[at] == ':') {
    if (!digits(text, at + 1, 2, second) || second > 59) return std::nullopt;
    seconds = true;
    at += 3;
    if (at < text.size() && text[at] == '.') {
      std::size_t n = 0;
      while (at + 1 + n < text.size() && n < 4 && text[at + 1 + n] >= '0' && text[at + 1 + n] <= '9') ++n;
      if (n == 0 || n > 3 || !digits(text, at + 1, n, millis)) return std::nullopt;
      for (std::size_t scale = n; scale < 3; ++scale) millis *= 10;  // .5 is 500 ms
      at += 1 + n;
    }
  }
  auto clock = std::chrono::hours(hour) + minutes(minute) + std::chrono::seconds(second) + milliseconds(millis);
  local_time<milliseconds> local = local_time<milliseconds>(date_part) + clock;
  if (at == text.size()) return kLegal.from_local(local);  // Amsterdam's wall clock
  if (!seconds) return std::nullopt;  // an offset comes only after the seconds
  if (text[at] == 'Z' && at + 1 == text.size()) return Instant{local.time_since_epoch()};
  int offset_hours = 0, offset_minutes = 0;
  if ((text[at] != '+' && text[at] != '-') || at + 6 != text.size() || !digits(text, at + 1, 2, offset_hours) ||
      text[at + 3] != ':' || !digits(text, at + 4, 2, offset_minutes) || offset_hours > 23 || offset_minutes > 59) {
    return std::nullopt;
  }
  minutes offset = std::chrono::hours(offset_hours) + minutes(offset_minutes);
  return Instant{local.time_since_epoch() - (text[at] == '-' ? -offset : offset)};
}

}  // namespace termijn
