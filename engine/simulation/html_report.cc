#include "engine/simulation/html_report.h"

namespace termijn::simulation {

std::string html_report(const SimulationResult&) { return ""; }

}  // namespace termijn::simulation
