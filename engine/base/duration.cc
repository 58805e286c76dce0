#include "engine/base/duration.h"

#include <fmt/format.h>

#include <limits>
#include <vector>

#include "engine/base/limits.h"

namespace termijn {

namespace {
// Plurals first: "dayz" should suggest "days".
const char* const kUnitWords[] = {"minutes", "hours", "days", "weeks", "months", "years", "minute",
                                  "hour",    "day",   "week", "month", "year",  nullptr};

std::string plural(std::int64_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, (n == 1 || n == -1) ? one : many);
}

// Past any limit, so within_limits() says no; arithmetic on durations never wraps, a unit's
// conversion of an amount as written ("555555555555555555 hours") included.
constexpr std::int64_t kOverflowed = std::numeric_limits<std::int64_t>::max();
std::int64_t checked_sum(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  return __builtin_add_overflow(a, b, &out) ? kOverflowed : out;
}
std::int64_t checked_product(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  return __builtin_mul_overflow(a, b, &out) ? kOverflowed : out;
}
}  // namespace

const char* const* unit_words() { return kUnitWords; }

const char* kind_name(DurationKind kind) {
  switch (kind) {
    case DurationKind::kCalendar: return "days";
    case DurationKind::kWorking: return "working days";
    case DurationKind::kClock: return "hours";
  }
  return "days";
}

std::optional<Duration> make_duration(std::int64_t amount, const std::string& unit, bool working) {
  Duration d;
  if (working) {
    if (unit != "day" && unit != "days") return std::nullopt;
    d.kind = DurationKind::kWorking;
    d.days = amount;
    return d;
  }
  if (unit == "minute" || unit == "minutes") {
    d.kind = DurationKind::kClock;
    d.minutes = amount;
  } else if (unit == "hour" || unit == "hours") {
    d.kind = DurationKind::kClock;
    d.minutes = checked_product(amount, 60);
  } else if (unit == "day" || unit == "days") {
    d.days = amount;
  } else if (unit == "week" || unit == "weeks") {
    d.days = checked_product(amount, 7);
  } else if (unit == "month" || unit == "months") {
    d.months = amount;
  } else if (unit == "year" || unit == "years") {
    d.months = checked_product(amount, 12);
  } else {
    return std::nullopt;
  }
  return d;
}

bool within_limits(const Duration& d) {
  auto in = [](std::int64_t v, std::int64_t bound) { return v >= -bound && v <= bound; };
  return in(d.months, limits::kDurationDays / 30) && in(d.days, limits::kDurationDays) &&
         in(d.minutes, limits::kDurationDays * 1440);
}

std::optional<Duration> add(const Duration& a, const Duration& b) {
  if (a.kind != b.kind) return std::nullopt;
  return Duration{a.kind, checked_sum(a.months, b.months), checked_sum(a.days, b.days), checked_sum(a.minutes, b.minutes)};
}

Duration scale(const Duration& d, std::int64_t factor) {
  return Duration{d.kind, checked_product(d.months, factor), checked_product(d.days, factor),
                  checked_product(d.minutes, factor)};
}

Duration negate(const Duration& d) { return scale(d, -1); }

std::string to_string(const Duration& d) {
  switch (d.kind) {
    case DurationKind::kWorking:
      return plural(d.days, "working day", "working days");
    case DurationKind::kClock:
      if (d.minutes % 60 == 0) return plural(d.minutes / 60, "hour", "hours");
      return plural(d.minutes, "minute", "minutes");
    case DurationKind::kCalendar: {
      std::vector<std::string> parts;
      if (d.months != 0) {
        if (d.months % 12 == 0) {
          parts.push_back(plural(d.months / 12, "year", "years"));
        } else {
          parts.push_back(plural(d.months, "month", "months"));
        }
      }
      if (d.days != 0 || parts.empty()) parts.push_back(plural(d.days, "day", "days"));
      return fmt::format("{}", fmt::join(parts, " "));
    }
  }
  return "";
}

}  // namespace termijn
