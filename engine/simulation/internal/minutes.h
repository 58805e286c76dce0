// Minutes, the unit a .sim file's durations and gaps are drawn in, on the virtual clock.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>

#include "engine/time/legal_time.h"

namespace termijn::simulation::internal {

inline constexpr double kMinute = 60'000.0;  // ms

// `minutes` after `at`, saturated: a draw from a long-tailed distribution may be huge, and a
// double beyond the range of milliseconds must not reach the cast. A thousand years is after
// any horizon.
inline Instant later(Instant at, double minutes) {
  constexpr double kLongest = 1000.0 * 366 * 1440;
  double bounded = std::isfinite(minutes) ? std::clamp(minutes, 0.0, kLongest) : kLongest;
  return at + std::chrono::milliseconds(static_cast<std::int64_t>(bounded * kMinute));
}

}  // namespace termijn::simulation::internal
