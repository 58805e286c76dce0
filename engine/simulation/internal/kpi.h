// The simulation's figures by key, and what each means to a reader: its label in English and in
// Dutch with unit and denominator, and its place in the report.
#pragma once

#include <string>
#include <vector>

#include "engine/model/model.h"
#include "engine/simulation/spec.h"

namespace termijn::simulation::internal {

struct KpiText {
  std::string name, dutch, unit;
  int rank = 99;  // report order: by family, then by key
};

// `key` is "started", "reached M", "count M", "moved T", "days S", "missed T", "missed all",
// "escalated T rung N", "workload R", "wait R", "measure L", "open" or "refused".
KpiText describe_kpi(const std::string& key);

// Why `key` names no figure `process` can have, or "" when it does.
std::string unknown_kpi(const std::string& key, const model::Process& process, const std::vector<Measure>& measures);

}  // namespace termijn::simulation::internal
