// The Algemene termijnenwet (Atw, law.md §3): where a legal term declared `with termijnenwet`
// ends, and which terms may be declared so. law.md read art. 1-3 in copies on secondary sites
// [W-copy] and knows art. 4 only as secondary sources describe it [S]; each rule below quotes it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/base/duration.h"
#include "engine/time/holidays.h"
#include "engine/time/instant.h"

namespace termijn {

class LegalTime;

// The days the Atw does not count: Saturdays, Sundays, the holidays of art. 3 lid 1, Goede
// Vrijdag (lid 2) and the days equated by royal decree (lid 3, equated_days.h).
const HolidayCalendar& atw_calendar();

// A legal term's end as LegalTime::add computed it, with what the Atw needs to know about it.
struct TermEnd {
  Instant start;      // the moment the term runs from; its own day does not count (art. 2)
  Instant end;        // start + length, or start - length when counted backwards
  Duration length;
  bool backwards = false;     // `moment - term`
  bool termijnenwet = false;  // the term is declared `with termijnenwet`
};

// The end of the term: extended by art. 1 and 2 Atw when it is declared `with termijnenwet`
// and counted forward; otherwise `term.end`. Each step, and why no step was taken, is appended
// to `why`. The checker keeps the terms art. 4 excludes (termijnenwet_excluded) from getting here.
Instant end_of_term(const LegalTime& legal, const TermEnd& term, std::vector<std::string>* why);

// Art. 4 Atw as secondary sources describe it: why the Atw cannot apply to a term of `length`
// (one in hours or minutes, or longer than three months), or nothing.
std::optional<std::string> termijnenwet_excluded(const Duration& length);

}  // namespace termijn
