// Legal time: deadlines are computed in Europe/Amsterdam local time and stored as UTC instants.
// "10 days" from 14:35 ends at 14:35 local ten days later, also across a change to or from
// summer time: art. 2 lid 1 Wth gives the ban "een periode van tien dagen", and decisions end it
// at the same clock time ten days on, also across the change (ECLI:NL:RBMID:2011:BP2167, law.md §4).
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

  // "2026-10-30 14:35 CET"
  std::string format(Instant t) const;
  // The local calendar day of `t`.
  date::year_month_day local_day(Instant t) const;
  // The instant of an Amsterdam wall-clock time. The clocks go forward at 02:00 on the last
  // Sunday of March (02:00-02:59 does not exist) and back at 03:00 on the last Sunday of October
  // (02:00-02:59 occurs twice), law.md §3.8. No statute or decision says what a term ending in
  // those hours means (law.md §4, §5 point 3 [NF]), so one documented rule, RFC 5545 (3.3.5) and
  // java.time's: a time in the gap is read with the offset before the gap, so it moves forward by
  // the gap's length (02:30 -> 03:30 CEST); a time in the overlap takes the earlier offset, its
  // first occurrence (02:30 CEST). When either applied, a line saying so goes to `notes`.
  Instant from_local(date::local_time<std::chrono::milliseconds> local,
                     std::vector<std::string>* notes = nullptr) const;
  date::local_time<std::chrono::milliseconds> to_local(Instant t) const;

 private:
  const date::time_zone* zone_;
};

}  // namespace termijn
