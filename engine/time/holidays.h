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
  // Whether `day` is one, without making its name: asked for every day a term counts.
  virtual bool is_holiday(date::year_month_day day) const = 0;
  bool is_working_day(date::sys_days day) const;

  // The calendar for a rule set named in a .wth file (`holidays "NL"`); nullptr if unknown.
  static const HolidayCalendar* find(const std::string& rules);
};

// The "algemeen erkende feestdagen" of art. 3 lid 1 Algemene termijnenwet (law.md §3.4):
// Nieuwjaarsdag, tweede Paas- en Pinksterdag, Hemelvaartsdag, "de dag waarop de verjaardag van de
// Koning wordt gevierd" (law.md §3.6: 30 April up to 2013, 27 April from 2014), "de vijfde mei"
// (every year), eerste en tweede Kerstdag. The calendar `holidays "NL"` of a .wth file, for
// working days. Goede Vrijdag (lid 2) and days equated by decree (lid 3) count only where the
// Atw applies: atw_calendar() in termijnenwet.h.
class DutchHolidays final : public HolidayCalendar {
 public:
  std::optional<std::string> holiday(date::year_month_day day) const override;
  bool is_holiday(date::year_month_day day) const override { return name_of(day) != nullptr; }
  static date::year_month_day easter_sunday(date::year y);
  // The holiday's name on `day`, or nullptr.
  static const char* name_of(date::year_month_day day);
};

// The days the Atw's own text names: art. 3 lid 1 (DutchHolidays) and lid 2, "Goede Vrijdag",
// treated as a recognised holiday for the Atw only (law.md §3.4). The days equated by decree
// (lid 3) are data: atw_calendar() in termijnenwet.h adds them.
std::optional<std::string> atw_statutory_holiday(date::year_month_day day);
// Its name, or nullptr: the same, without making a text.
const char* atw_statutory_name(date::year_month_day day);

}  // namespace termijn
