#include "engine/time/holidays.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <utility>

namespace termijn {

using namespace date;

bool HolidayCalendar::is_working_day(sys_days day) const {
  weekday wd{day};
  if (wd == Saturday || wd == Sunday) return false;
  // Asked for every day a term counts, of a calendar or two (a process's, the Atw's) and a year or
  // two (a term of days, and a year of monitoring that ends in the next): each thread keeps the
  // holidays of the last eight years it asked a calendar about, one bit a day. Calendars are
  // immutable and live as long as the program.
  struct Year {
    const HolidayCalendar* calendar = nullptr;
    sys_days first;
    std::bitset<366> holidays;
  };
  thread_local std::array<Year, 8> kept;
  thread_local std::size_t replace = 0;
  auto holds = [&](const Year& y) { return y.calendar == this && day >= y.first && day - y.first < days{366}; };
  auto year = std::find_if(kept.begin(), kept.end(), holds);
  if (year == kept.end()) {
    year = kept.begin() + static_cast<std::ptrdiff_t>(replace);
    replace = (replace + 1) % kept.size();
    year->calendar = nullptr;  // not this calendar's while half written
    year->first = sys_days{year_month_day{day}.year() / January / 1};
    for (std::size_t i = 0; i < year->holidays.size(); ++i) {
      year->holidays[i] = is_holiday(year_month_day{year->first + days{static_cast<int>(i)}});
    }
    year->calendar = this;
  }
  return !year->holidays[static_cast<std::size_t>((day - year->first).count())];
}

const HolidayCalendar* HolidayCalendar::find(const std::string& rules) {
  static const DutchHolidays kDutch;
  if (rules == "NL") return &kDutch;
  return nullptr;
}

year_month_day DutchHolidays::easter_sunday(year y) {
  // Asked for every working day a term counts: each thread keeps the last year's answer.
  thread_local std::optional<std::pair<year, year_month_day>> last;
  if (last && last->first == y) return last->second;
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  int Y = static_cast<int>(y);
  int a = Y % 19, b = Y / 100, c = Y % 100, d = b / 4, e = b % 4;
  int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month_number = (h + l - 7 * m + 114) / 31;
  int day_number = ((h + l - 7 * m + 114) % 31) + 1;
  last.emplace(y, y / month_number / day_number);
  return last->second;
}

std::optional<std::string> DutchHolidays::holiday(year_month_day day) const {
  if (const char* name = name_of(day)) return name;
  return std::nullopt;
}

const char* DutchHolidays::name_of(year_month_day day) {
  const year y = day.year();
  const sys_days d{day};
  if (day.month() == January && day.day() == 1_d) return "Nieuwjaarsdag";
  if (day.month() == May && day.day() == 5_d) return "Bevrijdingsdag";
  if (day.month() == December && day.day() == 25_d) return "Eerste Kerstdag";
  if (day.month() == December && day.day() == 26_d) return "Tweede Kerstdag";
  // "De dag waarop de verjaardag van de Koning wordt gevierd" (art. 3 lid 1 Atw), law.md §3.6:
  // up to 2013 Koninginnedag, 30 April (KB of 24 April 1980, "behoudens uitzonderingen in verband
  // met zondagen": a Sunday 30 April was celebrated on Saturday the 29th); from 2014 Koningsdag,
  // 27 April (KB of 30 January 2013, Stcrt. 2013, 4075; a Sunday 27 April -> Saturday the 26th).
  // Years before 1980 follow the 1980 rule: law.md has only a low-reliability source for the
  // older Sunday shift (to 1 May) [S], and the Atw's text before the 1981 amendment (no 5 May,
  // "verjaardag des Konings") [S] is not modelled either.
  const bool koningsdag = y >= 2014_y;
  sys_days kings{y / April / (koningsdag ? 27_d : 30_d)};
  if (weekday{kings} == Sunday) kings -= days{1};
  if (d == kings) return koningsdag ? "Koningsdag" : "Koninginnedag";
  sys_days easter{easter_sunday(y)};
  if (d == easter + days{1}) return "Tweede Paasdag";
  if (d == easter + days{39}) return "Hemelvaartsdag";
  if (d == easter + days{50}) return "Tweede Pinksterdag";
  return nullptr;
}

const char* atw_statutory_name(year_month_day day) {
  if (const char* name = DutchHolidays::name_of(day)) return name;
  // Art. 3 lid 2 Atw: Good Friday is treated as a recognised holiday for the Atw (law.md §3.4).
  if (sys_days{day} == sys_days{DutchHolidays::easter_sunday(day.year())} - days{2}) {
    return "Goede Vrijdag, art. 3 lid 2 Atw";
  }
  return nullptr;
}

std::optional<std::string> atw_statutory_holiday(year_month_day day) {
  if (const char* name = atw_statutory_name(day)) return name;
  return std::nullopt;
}

}  // namespace termijn
