// What a simulation draws at random: a duration from a distribution, a value from a choice.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "engine/simulation/random.h"

namespace termijn::simulation {

using Json = nlohmann::json;

// A duration drawn at random, in minutes.
struct Distribution {
  enum class Kind { kFixed, kUniform, kExponential, kTriangular, kLognormal, kEmpirical } kind = Kind::kFixed;
  double a = 0, b = 0, c = 0;  // fixed: a; uniform: a..b; exponential: mean a; triangular: min a, mode b,
                               // max c; lognormal: mean a, sd b (of the duration itself)
  std::vector<double> values;  // empirical: equally likely observations
  double sample(Rng& rng) const;
  double mean() const;
  std::string describe() const;
};

// One of several values, each with a probability.
struct Choice {
  std::vector<std::pair<Json, double>> options;
  const Json& pick(Rng& rng) const;
};

}  // namespace termijn::simulation
