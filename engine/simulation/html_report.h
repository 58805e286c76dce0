// A simulation's report for a ministry analyst: one self-contained HTML document in the language
// in force, English or Dutch (engine/base/language.h), with question, method, sources,
// assumptions, calibration, differences in plain words with units and intervals, sensitivity with
// a tornado chart, distributions and caveats. No scripts, no external files; byte-identical for
// the same seed and language.
#pragma once

#include <string>

#include "engine/simulation/simulation.h"

namespace termijn::simulation {

std::string html_report(const SimulationResult& result);

}  // namespace termijn::simulation
