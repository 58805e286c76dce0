#include "engine/simulation/internal/pool_discipline.h"

#include <tuple>

#include "engine/time/holidays.h"

namespace termijn::simulation::internal {

namespace {

// Office hours: Monday to Friday in Amsterdam time, except the public holidays of the
// Dutch calendar (`holidays "NL"`, the one the shipped processes use).
bool working_day(date::local_days day) {
  static const HolidayCalendar& holidays = *HolidayCalendar::find("NL");
  return holidays.is_working_day(date::sys_days(day.time_since_epoch()));
}

}  // namespace

bool open_at(const Pool& pool, Instant t, const LegalTime& legal, Instant* next_open) {
  if (!pool.office_hours) return true;
  auto local = legal.to_local(t);
  auto day = date::floor<date::days>(local);
  auto minute = std::chrono::duration_cast<std::chrono::minutes>(local - day).count();
  if (working_day(day) && minute >= pool.open && minute < pool.close) return true;
  // The next opening: today if before opening on a working day, else the next working day.
  auto candidate = day;
  if (!(working_day(day) && minute < pool.open)) candidate += date::days(1);
  while (!working_day(candidate)) candidate += date::days(1);
  *next_open = legal.from_local(candidate + std::chrono::minutes(pool.open));
  return false;
}

std::size_t next_in_line(const Pool& pool, const std::vector<Waiting>& waiting, const runtime::Runtime& runtime) {
  if (pool.order == Pool::Order::kFirstCome) return 0;
  auto rank = [&](const Waiting& w) {
    const runtime::Task& t = *runtime.find_task(w.task);
    int level = pool.order == Pool::Order::kEscalation ? -t.escalation_level : 0;
    return std::make_tuple(level, t.due.at);
  };
  std::size_t best = 0;
  for (std::size_t i = 1; i < waiting.size(); ++i) {
    if (rank(waiting[i]) < rank(waiting[best])) best = i;
  }
  return best;
}

}  // namespace termijn::simulation::internal
