#include "engine/simulation/internal/figures.h"

#include <fmt/format.h>

#include "engine/simulation/internal/mean.h"
#include "engine/simulation/internal/minutes.h"

namespace termijn::simulation::internal {

namespace {

double share(double n, double of) { return of > 0 ? n / of : 0; }

}  // namespace

void CaseCourse::enter_stage(std::string_view name, Instant at) {
  leave_stage(at);
  stage = name;
  stage_since = at;
}

void CaseCourse::leave_stage(Instant at) {
  if (!stage.empty()) stage_minutes.add(stage) += (at - stage_since).count() / kMinute;
  stage = {};
}

ReplicationResult Figures::result(const std::vector<CaseCourse*>& cases, const model::Process& process,
                                  const std::vector<Measure>& measures, Instant horizon, bool keep_cases,
                                  const std::function<double(const std::string&)>& opened) const {
  ReplicationResult out;
  out.cases_simulated = static_cast<std::int64_t>(cases.size());
  std::map<std::string, double>& k = out.kpis;
  double measured = 0, open = 0;
  std::map<std::string_view, double> milestones, set, moved;
  for (CaseCourse* slot : cases) {
    if (!slot->measured) continue;
    CaseCourse& c = *slot;
    ++measured;
    if (!c.ended) {
      ++open;
      c.leave_stage(horizon);
    }
    for (const auto& [m, _] : c.milestones) ++milestones[m];
    for (const auto& [t, _] : c.timers_set) ++set[t];
    for (const auto& [t, _] : c.timers_moved) ++moved[t];
    for (const auto& [stage, minutes] : c.stage_minutes) {
      out.durations[fmt::format("days {}", stage)].push_back(minutes / 1440);
    }
    for (const auto& m : measures) {
      std::optional<double> first;
      for (const auto& t : m.tasks) {
        if (const double* done = c.first_done.find(t); done != nullptr && (!first || *done < *first)) {
          first = *done;
        }
      }
      if (first) out.durations["measure " + m.label].push_back(*first / 60);
    }
  }
  k["started"] = measured;
  for (const auto& node : process.nodes) {
    if (node.kind != model::NodeKind::kMilestone) continue;
    k["reached " + node.name] = share(milestones[node.name], measured);
    k["count " + node.name] = milestones[node.name];
  }
  // An extension is counted among the cases whose term was set at all (the bans imposed), not
  // among all cases.
  for (const auto& [timer, n] : moved) k[fmt::format("moved {}", timer)] = share(n, set[timer]);
  // Days in a stage and measures are means over the cases that have them.
  for (const auto& [key, values] : out.durations) k[key] = mean(values);
  for (const auto& m : measures) k.emplace("measure " + m.label, 0.0);  // no case got there
  double late_total = 0;
  for (const auto& [task, n] : late) {
    k[fmt::format("missed {}", task)] = n;
    late_total += n;
  }
  k["missed all"] = late_total;
  for (const auto& [rung, n] : escalations) k[fmt::format("escalated {} rung {}", rung.first, rung.second)] = n;
  for (const auto& [role, hours] : workload) k["workload " + role] = hours;
  for (const auto& [role, hours] : waits) k["wait " + role] = mean(hours);
  k["open"] = open;
  k["refused"] = static_cast<double>(refused);
  out.outcomes = shares.outcomes(opened);
  if (keep_cases) {
    for (CaseCourse* c : cases) {
      CaseRecord record;
      record.index = c->index;
      record.stream = c->stream;
      record.arrival = c->arrival;
      record.measured = c->measured;
      record.ended = c->ended;
      record.end_reason = c->end_reason;
      record.events = std::move(c->events);
      out.cases.push_back(std::move(record));
    }
  }
  return out;
}

}  // namespace termijn::simulation::internal
