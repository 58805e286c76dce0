// One replication of one scenario: arrivals, the production runtime on a virtual clock, pools of
// workers, drawn durations and outcomes, and the figures of the cases measured.
#pragma once

#include <set>
#include <string>

#include "engine/simulation/internal/prepared.h"
#include "engine/simulation/simulation.h"

namespace termijn::simulation::internal {

// Figures by KPI key (internal/kpi.h); `assumptions` collects defaults the run had to choose.
ReplicationResult run_replication(const Prepared& prepared, const Spec& spec, int replication, bool keep_cases,
                                  std::set<std::string>& assumptions);

}  // namespace termijn::simulation::internal
