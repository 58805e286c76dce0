// One stream of arriving cases: a Poisson stream at a rate per day; with a weekday or hour
// profile, thinned from the peak rate (Lewis-Shedler). Drawn one arrival at a time, as the run
// reaches the one before it: a replication's queue holds each stream's next arrival, not the
// year's.
#pragma once

#include <optional>

#include "engine/simulation/random.h"
#include "engine/simulation/spec.h"
#include "engine/time/legal_time.h"

namespace termijn::simulation::internal {

class Arrivals {
 public:
  // `per_day` cases a day on average from `begin` until `end`, under the rules' weekday and
  // hour profiles (by Amsterdam time), drawn from `rng`.
  Arrivals(Rng rng, double per_day, const Rules& rules, const LegalTime& legal, Instant begin, Instant end);

  // The moment of the next arrival; none once the arrivals have ended.
  std::optional<Instant> next();

 private:
  Rng rng_;
  const Rules* rules_;
  const LegalTime* legal_;
  double peak_, mean_gap_;  // the profiles' highest weight; the gap at that rate, in minutes
  Instant last_, end_;
};

}  // namespace termijn::simulation::internal
