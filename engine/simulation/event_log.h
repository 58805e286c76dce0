// A simulation's cases event by event, for inspection case by case and for process-mining tools:
// CSV, and XES (IEEE 1849-2016). Byte-identical for the same seed.
#pragma once

#include <string>

#include "engine/simulation/simulation.h"

namespace termijn::simulation {

// Every kept case of every scenario (RunOptions::keep_cases), one row per event.
std::string event_log_csv(const SimulationResult& result);
// The same as an XES log: a trace per case, an event per audit entry.
std::string event_log_xes(const SimulationResult& result);

}  // namespace termijn::simulation
