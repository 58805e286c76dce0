// Legal time: deadlines are computed in Europe/Amsterdam local time and stored as UTC instants.
// "10 days" from 14:35 ends at 14:35 local ten days later, also across a change to or from
// summer time (art. 2 lid 1 Wth: the ban lasts ten days "to the hour").
#pragma once

#include <string>
#include <vector>

#include "engine/base/duration.h"
#include "engine/time/holidays.h"
#include "engine/time/instant.h"

namespace date {
class time_zone;
}

namespace termijn {

class LegalTime {
 public:
  // Europe/Amsterdam, from the system's time zone database.
  LegalTime();

  // `from` + `d`. Calendar days and months keep the local clock time; hours are elapsed time;
  // working days skip weekends and `calendar`'s holidays (required for them). Each adjustment
  // worth knowing (a DST change in between, a skipped holiday) is appended to `notes`.
  Instant add(Instant from, const Duration& d, const HolidayCalendar* calendar,
              std::vector<std::string>* notes = nullptr) const;

  // Art. 1 Algemene termijnenwet: an end on a Saturday, Sunday or public holiday moves to the
  // same hour on the next working day. Returns `end` unchanged when it is a working day.
  Instant next_working_day(Instant end, const HolidayCalendar& calendar, std::vector<std::string>* notes) const;

  // "2026-10-30 14:35 CET"
  std::string format(Instant t) const;
  // The local calendar day of `t`.
  date::year_month_day local_day(Instant t) const;
  Instant from_local(date::local_time<std::chrono::milliseconds> local) const;
  date::local_time<std::chrono::milliseconds> to_local(Instant t) const;

 private:
  const date::time_zone* zone_;
};

}  // namespace termijn
