#include "engine/simulation/internal/arrivals.h"

#include <algorithm>

#include "engine/simulation/internal/minutes.h"

namespace termijn::simulation::internal {

namespace {

double highest(const std::vector<double>& weights) {
  return weights.empty() ? 1.0 : *std::max_element(weights.begin(), weights.end());
}

}  // namespace

Arrivals::Arrivals(Rng rng, double per_day, const Rules& rules, const LegalTime& legal, Instant begin, Instant end)
    : rng_(rng),
      rules_(&rules),
      legal_(&legal),
      peak_(highest(rules.weekday_profile) * highest(rules.hour_profile)),
      mean_gap_(1440.0 / (per_day * peak_)),
      last_(begin),
      end_(end) {}

std::optional<Instant> Arrivals::next() {
  const auto& days = rules_->weekday_profile;
  const auto& hours = rules_->hour_profile;
  for (;;) {
    last_ = later(last_, rng_.exponential(mean_gap_));
    if (last_ >= end_) return std::nullopt;
    if (peak_ != 1.0 || !days.empty() || !hours.empty()) {
      auto local = legal_->to_local(last_);
      auto day = date::floor<date::days>(local);
      unsigned monday_first = (date::weekday(day).c_encoding() + 6) % 7;
      auto hour = std::chrono::duration_cast<std::chrono::hours>(local - day).count();
      double w = (days.empty() ? 1.0 : days[monday_first]) * (hours.empty() ? 1.0 : hours[static_cast<std::size_t>(hour)]);
      if (rng_.uniform() * peak_ >= w) continue;
    }
    return last_;
  }
}

}  // namespace termijn::simulation::internal
