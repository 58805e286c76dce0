// A pool of workers' discipline: who of it is on duty when (its shifts), and which of the tasks
// waiting for it a free worker takes.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "engine/runtime/runtime.h"
#include "engine/simulation/spec.h"
#include "engine/time/holidays.h"
#include "engine/time/legal_time.h"

namespace termijn::simulation::internal {

// A task waiting for a worker of its role.
struct Waiting {
  runtime::TaskId task;
  Instant since;  // when it opened
};

// Who of a pool is on duty when: the workers of its shifts (spec.h, Shift) at a moment, in
// Amsterdam time, and the next moment more come on duty, for a queue that waits for them.
class Roster {
 public:
  // `holidays`: the days that are no workdays beside Saturday and Sunday (the Dutch calendar).
  Roster(const Pool& pool, const LegalTime& legal, const HolidayCalendar& holidays);

  // The workers on duty at `t`: those of every shift that is on then, added up.
  int on_duty(Instant t) const;
  // The first moment after `t` at which more than `than` workers are on duty, within a month;
  // none when no shift starts that would bring them (a pool round the clock never changes).
  std::optional<Instant> more_after(Instant t, int than) const;

 private:
  bool works_on(const Shift& shift, date::local_days day) const;

  const Pool* pool_;
  const LegalTime* legal_;
  const HolidayCalendar* holidays_;
  std::optional<int> always_;  // the workers, when every shift is round the clock
  int most_ = 0;               // the workers of all shifts: never more are on duty
};

// The waiting task a free worker takes, by the pool's order (ties: the one that opened first).
std::size_t next_in_line(const Pool& pool, const std::vector<Waiting>& waiting, const runtime::Runtime& runtime);

}  // namespace termijn::simulation::internal
