// A simulation's report for a ministry analyst: one self-contained HTML document in Dutch
// (question, method, sources, assumptions, calibration, differences in plain words with units and
// intervals, sensitivity with a tornado chart, distributions, caveats). No scripts, no external
// files; byte-identical for the same seed.
#pragma once

#include <string>

#include "engine/simulation/simulation.h"

namespace termijn::simulation {

std::string html_report(const SimulationResult& result);

}  // namespace termijn::simulation
