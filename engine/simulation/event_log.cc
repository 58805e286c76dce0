#include "engine/simulation/event_log.h"

namespace termijn::simulation {

std::string event_log_csv(const SimulationResult&) { return ""; }
std::string event_log_xes(const SimulationResult&) { return ""; }

}  // namespace termijn::simulation
