#include "engine/simulation/internal/pool_discipline.h"

#include <algorithm>
#include <tuple>

namespace termijn::simulation::internal {

namespace {

constexpr int kDay = 24 * 60;  // minutes
// Looked ahead for the next shift: the longest stretch without workdays (a weekend beside
// Christmas and a holiday) is days, not weeks; a pool whose shifts never come again waits for
// its busy workers instead.
constexpr int kLookAheadDays = 31;

bool overnight(const Shift& s) { return s.end < s.start; }
bool round_the_clock(const Shift& s) { return s.start == 0 && s.end == kDay && s.days == Shift::Days::kDaily; }

}  // namespace

Roster::Roster(const Pool& pool, const LegalTime& legal, const HolidayCalendar& holidays)
    : pool_(&pool), legal_(&legal), holidays_(&holidays) {
  for (const Shift& s : pool.shifts) most_ += s.workers;
  if (std::all_of(pool.shifts.begin(), pool.shifts.end(), round_the_clock)) always_ = most_;
}

bool Roster::works_on(const Shift& shift, date::local_days day) const {
  if (shift.days == Shift::Days::kDaily) return true;
  bool workday = holidays_->is_working_day(date::sys_days(day.time_since_epoch()));
  return workday == (shift.days == Shift::Days::kWorkdays);
}

int Roster::on_duty(Instant t) const {
  if (always_) return *always_;
  auto local = legal_->to_local(t);
  auto day = date::floor<date::days>(local);
  auto minute = static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - day).count());
  int workers = 0;
  for (const Shift& s : pool_->shifts) {
    // A shift belongs to the day it starts on: one past midnight is on until its end the next day.
    bool today = works_on(s, day) && minute >= s.start && (overnight(s) || minute < s.end);
    bool from_yesterday = overnight(s) && minute < s.end && works_on(s, day - date::days(1));
    if (today || from_yesterday) workers += s.workers;
  }
  return workers;
}

std::optional<Instant> Roster::more_after(Instant t, int than) const {
  if (always_ || than >= most_) return std::nullopt;  // every worker there is is on duty already
  auto first = date::floor<date::days>(legal_->to_local(t));
  for (int n = 0; n <= kLookAheadDays; ++n) {
    auto day = first + date::days(n);
    std::optional<Instant> earliest;
    for (const Shift& s : pool_->shifts) {
      // A shift round the clock starts at midnight, but is already on: it brings no one new.
      if (round_the_clock(s)) continue;
      if (!works_on(s, day)) continue;
      Instant start = legal_->from_local(day + std::chrono::minutes(s.start));
      if (start > t && (!earliest || start < *earliest) && on_duty(start) > than) earliest = start;
    }
    if (earliest) return earliest;
  }
  return std::nullopt;
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
