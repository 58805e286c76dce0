// Public holiday calendars for terms counted in working days and for the Algemene termijnenwet.
#pragma once

#include <date/date.h>

#include <optional>
#include <string>

namespace termijn {

class HolidayCalendar {
 public:
  virtual ~HolidayCalendar() = default;
  // The holiday's name on `day`, if it is one.
  virtual std::optional<std::string> holiday(date::year_month_day day) const = 0;
  bool is_working_day(date::sys_days day) const;

  // The calendar for a rule set named in a .wth file (`holidays "NL"`); nullptr if unknown.
  static const HolidayCalendar* find(const std::string& rules);
};

// The "algemeen erkende feestdagen" of art. 3 lid 1 Algemene termijnenwet: Nieuwjaarsdag,
// tweede Paasdag, Hemelvaartsdag, tweede Pinksterdag, Koningsdag (27 April, or the 26th when the
// 27th is a Sunday: Wet viering Koningsdag), 5 mei, eerste en tweede Kerstdag.
class DutchHolidays final : public HolidayCalendar {
 public:
  std::optional<std::string> holiday(date::year_month_day day) const override;
  static date::year_month_day easter_sunday(date::year y);
};

}  // namespace termijn
