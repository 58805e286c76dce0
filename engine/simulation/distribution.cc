#include "engine/simulation/distribution.h"

#include <fmt/format.h>

#include <cmath>

#include "engine/simulation/internal/mean.h"

namespace termijn::simulation {

double Distribution::sample(Rng& rng) const {
  switch (kind) {
    case Kind::kFixed: return a;
    case Kind::kUniform: return a + (b - a) * rng.uniform();
    case Kind::kExponential: return rng.exponential(a);
    case Kind::kTriangular: {
      double u = rng.uniform(), f = (b - a) / (c - a);
      return u < f ? a + std::sqrt(u * (c - a) * (b - a)) : c - std::sqrt((1 - u) * (c - a) * (c - b));
    }
    case Kind::kLognormal: {
      // From the duration's own mean and sd to the underlying normal's parameters.
      double sigma2 = std::log(1 + (b * b) / (a * a));
      return std::exp(std::log(a) - sigma2 / 2 + std::sqrt(sigma2) * rng.normal());
    }
    case Kind::kEmpirical: return values[static_cast<std::size_t>(rng.uniform() * values.size())];
  }
  return a;
}

double Distribution::mean() const {
  switch (kind) {
    case Kind::kUniform: return (a + b) / 2;
    case Kind::kTriangular: return (a + b + c) / 3;
    case Kind::kEmpirical: return internal::mean(values);
    default: return a;
  }
}

namespace {

std::string minutes_text(double m) {
  if (m >= 1440 && std::fmod(m, 1440) == 0) return fmt::format("{} d", m / 1440);
  if (m >= 60) return fmt::format("{:.4g} h", m / 60);
  return fmt::format("{:.4g} min", m);
}

}  // namespace

std::string Distribution::describe() const {
  switch (kind) {
    case Kind::kFixed: return minutes_text(a);
    case Kind::kUniform: return fmt::format("uniform {}..{}", minutes_text(a), minutes_text(b));
    case Kind::kExponential: return fmt::format("exponential, mean {}", minutes_text(a));
    case Kind::kTriangular: return fmt::format("triangular {}, {}, {}", minutes_text(a), minutes_text(b), minutes_text(c));
    case Kind::kLognormal: return fmt::format("lognormal, mean {}, sd {}", minutes_text(a), minutes_text(b));
    case Kind::kEmpirical: return fmt::format("empirical, {} observations", values.size());
  }
  return "";
}

const Json& Choice::pick(Rng& rng) const {
  double u = rng.uniform();
  for (const auto& [value, p] : options) {
    if (u < p) return value;
    u -= p;
  }
  return options.back().first;
}

}  // namespace termijn::simulation
