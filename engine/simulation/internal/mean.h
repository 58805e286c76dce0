// The arithmetic mean the simulation reports everywhere: a KPI over replications, a measure over
// cases, an empirical distribution's draws. Summed in order, so a report made twice is the same
// to the last digit.
#pragma once

#include <vector>

namespace termijn::simulation::internal {

// 0 for no values: a KPI no case reached reads as none, not as NaN.
inline double mean(const std::vector<double>& values) {
  if (values.empty()) return 0;
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

}  // namespace termijn::simulation::internal
