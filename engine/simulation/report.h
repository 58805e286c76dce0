// A simulation's results for people and programs: a terminal table (mean ± 95 % half-width per
// scenario, and the paired difference against the first), CSV, JSON and an SVG chart. All
// byte-identical for the same seed: no timestamps, fixed number formats, fixed order.
#pragma once

#include <string>

#include "engine/simulation/simulation.h"

namespace termijn::simulation {

std::string table(const SimulationResult& result);
std::string csv(const SimulationResult& result);
Json to_json(const SimulationResult& result);
std::string svg(const SimulationResult& result);

}  // namespace termijn::simulation
