// Durations as the law counts them. Calendar days, working days and clock hours are distinct
// kinds: "10 days" runs to the same local hour ten days later (art. 2 lid 1 Wth), "3 working days"
// skips weekends and holidays and so needs a calendar, "24 hours" is elapsed time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace termijn {

enum class DurationKind { kCalendar, kWorking, kClock };

struct Duration {
  DurationKind kind = DurationKind::kCalendar;
  std::int64_t months = 0;   // calendar: months and years
  std::int64_t days = 0;     // calendar days, or working days
  std::int64_t minutes = 0;  // clock

  friend bool operator==(const Duration&, const Duration&) = default;
};

// "days", "working days", "hours": the name of the kind in diagnostics.
const char* kind_name(DurationKind kind);

// Parses a unit word as written after a number ("day", "days", "weeks", "hours", "minute", ...).
// `working` is true for "3 working days". Returns nothing for an unknown unit. An amount whose
// conversion overflows ("555555555555555555 hours") gives a duration outside within_limits().
std::optional<Duration> make_duration(std::int64_t amount, const std::string& unit, bool working);

// Whether every part of `d` lies within limits::kDurationDays (calendar arithmetic and the
// working-day count stay exact and bounded). Results of add and scale that overflow are outside.
bool within_limits(const Duration& d);
// Adds two durations of the same kind; nothing when the kinds differ.
std::optional<Duration> add(const Duration& a, const Duration& b);
Duration scale(const Duration& d, std::int64_t factor);
Duration negate(const Duration& d);

// A readable form: "10 days", "1 year 2 months", "36 hours", "3 working days".
std::string to_string(const Duration& d);

// All unit words, for did-you-mean suggestions.
const char* const* unit_words();

}  // namespace termijn
