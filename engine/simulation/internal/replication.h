// One replication of one scenario: arrivals, the production runtime on a virtual clock, pools of
// workers, drawn durations and outcomes, and the figures of the cases measured.
#pragma once

#include <set>
#include <string>

#include "engine/simulation/internal/prepared.h"
#include "engine/simulation/simulation.h"

namespace termijn::simulation::internal {

// Which commands keep an undo log (runtime::Runtime::set_undo_log). kWhenRefusable: only those
// often refused (an event nothing may listen for); the others change a case without copying it
// first, and when one of them is refused half way after all, the replication starts over keeping
// every log: the same draws, so the same figures, only later. kAlways: every command from the
// start.
enum class UndoLogs { kWhenRefusable, kAlways };

// Figures by KPI key (internal/kpi.h); `assumptions` collects defaults the run had to choose.
ReplicationResult run_replication(const Prepared& prepared, const Spec& spec, int replication, bool keep_cases,
                                  std::set<std::string>& assumptions, UndoLogs undo = UndoLogs::kWhenRefusable);

}  // namespace termijn::simulation::internal
