// Simulation of alternative legal terms: thousands of synthetic cases run through the same
// compiled processes and the same runtime as production, on a virtual clock, without a store
// (nothing needs to survive a simulated crash). Scenarios are overlays: a term override becomes
// a generated variant (`process x__scenario extends x { terms { ... } }`) checked like any other.
//
// Honest comparison: replications with 95 % confidence intervals (Student's t), a warm-up whose
// cases are left out of the figures, common random numbers (every case draws from streams named
// by seed, replication, case and purpose), and paired differences against the first scenario.
// Replications run in parallel; the same seed gives byte-identical output.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/simulation/spec.h"
#include "engine/time/instant.h"

namespace termijn::simulation {

// One synthetic case as it went, for tests that compare scenarios case by case.
struct CaseRecord {
  std::int64_t index = 0;  // arrival number: the same case in every scenario
  Instant arrival;
  std::optional<Instant> ended;
  std::string end_reason;
  std::vector<std::string> trace;  // "minutes-after-arrival kind detail", in order
};

struct ReplicationResult {
  std::map<std::string, double> kpis;
  std::vector<CaseRecord> cases;  // only when asked for
  std::int64_t cases_simulated = 0;
};

struct KpiSummary {
  std::string name;
  std::vector<double> values;  // one per replication
  double mean = 0;
  double half_width = 0;  // of the 95 % confidence interval
};

struct ScenarioResult {
  std::string name;
  std::string process;
  std::vector<std::string> terms;  // the overrides, as written
  std::vector<ReplicationResult> replications;
  std::vector<KpiSummary> kpis;        // in report order
  std::vector<KpiSummary> difference;  // paired, against the first scenario
};

struct SimulationResult {
  std::string title;
  std::uint64_t seed = 0;
  int replications = 0;
  int period_days = 0;
  int warmup_days = 0;
  std::vector<ScenarioResult> scenarios;
  std::vector<std::string> assumptions;  // figures without a source, and defaults the simulator chose
  std::int64_t cases_simulated = 0;
  double seconds = 0;  // wall time; not part of the JSON, so that output is reproducible
};

struct RunOptions {
  int threads = 0;  // 0: all cores
  bool keep_cases = false;
  std::function<void(int done, int total)> progress;
};

// Checks `spec` against its processes (diagnostics point into the .sim file) and, when clean,
// runs every scenario.
std::optional<SimulationResult> simulate(const Spec& spec, const std::vector<std::filesystem::path>& stdlib_dirs,
                                         DiagnosticList& diagnostics, const RunOptions& options = {});

// Mean and 95 % half-width of `values` (Student's t with n-1 degrees of freedom).
KpiSummary summarise(std::string name, std::vector<double> values);

}  // namespace termijn::simulation
