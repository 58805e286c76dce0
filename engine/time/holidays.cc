#include "engine/time/holidays.h"

namespace termijn {

using namespace date;

bool HolidayCalendar::is_working_day(sys_days day) const {
  weekday wd{day};
  if (wd == Saturday || wd == Sunday) return false;
  return !holiday(year_month_day{day}).has_value();
}

const HolidayCalendar* HolidayCalendar::find(const std::string& rules) {
  static const DutchHolidays kDutch;
  if (rules == "NL") return &kDutch;
  return nullptr;
}

year_month_day DutchHolidays::easter_sunday(year y) {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  int Y = static_cast<int>(y);
  int a = Y % 19, b = Y / 100, c = Y % 100, d = b / 4, e = b % 4;
  int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month_number = (h + l - 7 * m + 114) / 31;
  int day_number = ((h + l - 7 * m + 114) % 31) + 1;
  return y / month_number / day_number;
}

std::optional<std::string> DutchHolidays::holiday(year_month_day day) const {
  const year y = day.year();
  const sys_days d{day};
  if (day.month() == January && day.day() == 1_d) return "Nieuwjaarsdag";
  if (day.month() == May && day.day() == 5_d) return "Bevrijdingsdag";
  if (day.month() == December && day.day() == 25_d) return "Eerste Kerstdag";
  if (day.month() == December && day.day() == 26_d) return "Tweede Kerstdag";
  // Koningsdag: 27 April; when that is a Sunday, Saturday the 26th.
  sys_days kings{y / April / 27};
  if (weekday{kings} == Sunday) kings -= days{1};
  if (d == kings) return "Koningsdag";
  sys_days easter{easter_sunday(y)};
  if (d == easter + days{1}) return "Tweede Paasdag";
  if (d == easter + days{39}) return "Hemelvaartsdag";
  if (d == easter + days{50}) return "Tweede Pinksterdag";
  return std::nullopt;
}

}  // namespace termijn
