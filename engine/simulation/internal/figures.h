// The figures of one replication: what it keeps of each case's course (CaseCourse), what it
// counts across the measured cases as they run (Figures), and the KPIs (internal/kpi.h) made of
// both when the run is over.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/model/model.h"
#include "engine/simulation/internal/few.h"
#include "engine/simulation/internal/realised_shares.h"
#include "engine/simulation/simulation.h"
#include "engine/simulation/spec.h"

namespace termijn::simulation::internal {

// One case's course as the figures read it. Names are views of the definitions' (AuditFact::node),
// which outlive the replication.
struct CaseCourse {
  std::int64_t index = 0;  // arrival number: the same case in every scenario
  Instant arrival;
  bool measured = false;  // arrived after the warm-up, within the period
  std::string stream;     // the arrival stream's start event ("" for the main one)
  Few<std::string_view> milestones, timers_set, timers_moved;
  std::string_view stage;  // the stage it is in ("" before the first and after its end)
  Instant stage_since;
  Few<std::string_view, double> stage_minutes;
  Few<std::string_view, double> first_done;  // task -> minutes after arrival
  std::optional<Instant> ended;
  std::string end_reason;          // only when the cases are kept
  std::vector<CaseEvent> events;   // only when the cases are kept

  void enter_stage(std::string_view name, Instant at);
  // Counts the time in the stage it is in, if any, up to `at`.
  void leave_stage(Instant at);
};

// Counted as the replication runs: across its measured cases, but for the refused commands.
struct Figures {
  // By role: counted at every step, so hashed (result() writes them in order).
  std::unordered_map<std::string, double> workload;            // hours of work
  std::unordered_map<std::string, std::vector<double>> waits;  // hours each task waited for a worker
  std::map<std::string_view, double> late;                     // completions after the deadline, by task
  std::map<std::pair<std::string_view, std::int64_t>, double> escalations;  // by task and rung
  RealisedShares shares;
  std::int64_t refused = 0;  // commands refused, in any case: the process and the figures do not fit together

  // The KPIs, durations and realised outcomes of `cases` (every case started, measured or not,
  // which cases_simulated counts; an open one's stage counted up to `horizon`); `opened(task)`:
  // the times the task opened in the measured cases. With `keep_cases`, the cases' records too, their events moved out.
  ReplicationResult result(const std::vector<CaseCourse*>& cases, const model::Process& process,
                           const std::vector<Measure>& measures, Instant horizon, bool keep_cases,
                           const std::function<double(const std::string& task)>& opened) const;
};

}  // namespace termijn::simulation::internal
