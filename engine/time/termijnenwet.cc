#include "engine/time/termijnenwet.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/base/language.h"
#include "engine/time/equated_days.h"
#include "engine/time/legal_time.h"

namespace termijn {

using namespace date;

namespace {

class AtwCalendar final : public HolidayCalendar {
 public:
  std::optional<std::string> holiday(year_month_day day) const override {
    if (auto name = atw_statutory_holiday(day)) return name;
    if (const EquatedDay* e = equated(day)) {
      return tr("equated with a holiday by royal decree ({}), art. 3 lid 3 Atw", e->decree);
    }
    return std::nullopt;
  }
  bool is_holiday(year_month_day day) const override {
    return atw_statutory_name(day) != nullptr || equated(day) != nullptr;
  }

 private:
  // Art. 3 lid 3 Atw: "the Crown may by decree equate other days (published in the
  // Staatscourant)" with the recognised holidays (law.md §3.4).
  static const EquatedDay* equated(year_month_day day) {
    for (const EquatedDay& e : equated_days()) {
      if (e.day == day) return &e;
    }
    return nullptr;
  }
};

bool counted(local_days day) { return atw_calendar().is_working_day(sys_days{day.time_since_epoch()}); }

// "Sat 31-10-2026", or "za 31-10-2026" in Dutch: the reader's weekday, not the C locale's.
std::string day_text(local_days day) {
  const char* const names[] = {tr("Sun"), tr("Mon"), tr("Tue"), tr("Wed"), tr("Thu"), tr("Fri"), tr("Sat")};
  return fmt::format("{} {}", names[weekday{day}.c_encoding()], date::format("%d-%m-%Y", day));
}

// "Sat 31-10-2026", or "Fri 27-05-2022, equated with a holiday by royal decree (...), art. 3 lid 3 Atw".
std::string described(local_days day) {
  auto name = atw_calendar().holiday(year_month_day{day});
  return name ? day_text(day) + ", " + *name : day_text(day);
}

// The first day from `day` on that the Atw counts; the days passed over are added to `passed`
// (when there is one: no text where nobody reads why).
local_days next_counted(local_days day, std::vector<std::string>* passed) {
  while (!counted(day)) {
    if (passed != nullptr) passed->push_back(described(day));
    day += days{1};
  }
  return day;
}

// "moved past Sat 31-10-2026; Sun 01-11-2026 to Mon 02-11-2026", or "extended to Tue 27-10-2026".
std::string moved(const std::vector<std::string>& passed, local_days to) {
  if (passed.empty()) return tr("extended to {}", day_text(to));
  return tr("moved past {} to {}", fmt::join(passed, "; "), day_text(to));
}

}  // namespace

const HolidayCalendar& atw_calendar() {
  static const AtwCalendar kCalendar;
  return kCalendar;
}

Instant end_of_term(const LegalTime& legal, const TermEnd& term, std::vector<std::string>* why) {
  // The notes' text is made only when asked for: a simulation computes every deadline without it.
  auto note = [why](auto text) {
    if (why != nullptr) why->push_back(text());
  };
  if (!term.termijnenwet) {
    // Nothing moves a term the process did not declare `with termijnenwet`: ban ends keep their
    // clock time on a Saturday or Sunday in every decision law.md found (§3.7, §4). Its day is
    // looked at only to say so.
    if (why != nullptr) {
      const local_days end_day = floor<days>(legal.to_local(term.end));
      if (!counted(end_day)) {
        note([&] {
          return tr("ends on {}; not moved: the term is not declared 'with termijnenwet'", described(end_day));
        });
      }
    }
    return term.end;
  }
  const local_days end_day = floor<days>(legal.to_local(term.end));
  if (term.backwards) {
    // Art. 1 lid 2 Atw: lid 1 "does not apply to terms counted backwards from a moment or event"
    // (terugrekening), law.md §3.2. law.md has no rule for art. 2 on such terms [NF]; neither applies.
    note([] {
      return tr("counted backwards: not extended, art. 1 lid 2 Algemene termijnenwet (a term counted back from a "
                "moment)");
    });
    return term.end;
  }
  // Art. 1 lid 1 Atw: a term that "ends on a Saturday, Sunday or generally recognised holiday is
  // extended 'tot en met' the next day that is none of these" (law.md §3.2). The end keeps the
  // term's clock time, the start's, on that day: the engine's reading of "tot en met" on the safe
  // side [I]. (A 02:30 end moved off the spring-forward Sunday is 02:30 on Monday, not 03:30.)
  const auto local_start = legal.to_local(term.start);
  const local_days start_day = floor<days>(local_start);
  std::vector<std::string> passed;
  std::vector<std::string>* passing = why != nullptr ? &passed : nullptr;
  local_days day = next_counted(end_day, passing);
  if (day != end_day) {
    note([&] {
      return tr("art. 1 lid 1 Algemene termijnenwet: a term that ends on a Saturday, Sunday or holiday runs on "
                "to the next other day: {}", moved(passed, day));
    });
  }
  // Art. 2 Atw: "a statutory term of at least three days is extended, where necessary, so that it
  // contains at least two days that are not Saturday, Sunday or a recognised holiday"; "the start
  // day does not count" (law.md §3.3 [W-copy], the start day [S]).
  if (term.length.kind != DurationKind::kClock && (term.length.months > 0 || term.length.days >= 3)) {
    const local_days first = start_day + days{1};
    int working = 0;
    std::vector<std::string> not_counted;  // short: art. 2 applies only where nearly no day counts
    for (local_days d = first; d <= day && working < 2; d += days{1}) {
      if (counted(d)) ++working;
      else if (why != nullptr) not_counted.push_back(described(d));
    }
    if (working < 2) {
      passed.clear();
      const local_days before = day;
      for (; working < 2; ++working) day = next_counted(day + days{1}, passing);
      note([&] {
        return tr("art. 2 Algemene termijnenwet: a term of at least three days contains at least two days that "
                  "are not a Saturday, Sunday or holiday, its first day not counted; from {} to {} only one does "
                  "(not: {}): {}", day_text(first), day_text(before), fmt::join(not_counted, "; "),
                  moved(passed, day));
      });
    }
  }
  if (day == end_day) return term.end;
  Instant at = legal.from_local(day + (local_start - start_day), why);
  note([&] { return tr("end under the Algemene termijnenwet: {}", legal.format(at)); });
  return at;
}

std::optional<std::string> termijnenwet_excluded(const Duration& length) {
  // Art. 4 Atw gives "a number of exceptions"; as secondary sources describe them, the Atw does not
  // apply to terms expressed in hours, nor to terms "longer than 90 days, 12 weeks, three months"
  // (law.md §3.5 [S]; its exact wording was not found [NF]).
  constexpr const char* kSource = "so secondary sources describe it; its exact wording was not verified";
  if (length.kind == DurationKind::kClock) {
    return tr("art. 4 Algemene termijnenwet excludes terms counted in hours, and so in minutes ({})", kSource);
  }
  // A month counts as 30 days (as in limits.h): three months is the longest term it covers, and
  // 13 weeks (91 days) is too long. A working day counts as a day [I].
  if (length.months > 3 || length.days > 90 - 30 * length.months) {
    return tr("art. 4 Algemene termijnenwet excludes terms longer than three months or 90 days ({})", kSource);
  }
  return std::nullopt;
}

}  // namespace termijn
