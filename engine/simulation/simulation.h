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

// One thing that happened in a synthetic case, for the event log (CSV, XES): the engine's audit
// entry with the names a process-mining tool reads.
struct CaseEvent {
  Instant at;
  std::string kind;      // the audit kind: "task opened", "task completed", "timer fired", ...
  std::string activity;  // the step, timer, milestone or stage it concerns ("" when none)
  std::string role;      // who did it, for tasks ("" otherwise)
  std::string detail;    // the audit detail as compact JSON, engine ids left out
};

// One synthetic case as it went, for tests that compare scenarios case by case and for the
// event log.
struct CaseRecord {
  std::int64_t index = 0;  // arrival number: the same case in every scenario
  std::string stream;      // the arrival stream it came in by ("" for the main one)
  Instant arrival;
  bool measured = false;   // arrived after the warm-up, within the period
  std::optional<Instant> ended;
  std::string end_reason;
  std::vector<CaseEvent> events;   // in order
  // The events as "minutes-after-arrival kind detail", for comparing a case across scenarios.
  std::vector<std::string> trace() const;
};

// How often a task's drawn outcome took effect: drawn with the configured shares, but only the
// completions that happened count; a task that lapses (the ban ended first) never completes.
struct OutcomeRealisation {
  std::string task, output, value;
  double configured = 0;  // mean configured probability over the draws
  double opened = 0;      // times the task opened
  double realised = 0;    // completions with this value, per opening
  double draws = 0;       // times the output was drawn
};

struct ReplicationResult {
  std::map<std::string, double> kpis;  // by KPI key
  std::map<std::string, std::vector<double>> durations;  // by distribution key: one value per case
  std::vector<OutcomeRealisation> outcomes;
  std::vector<CaseRecord> cases;  // only when asked for
  std::int64_t cases_simulated = 0;
  // A command without an undo log was refused half way: the replication ran again, keeping them
  // (the same figures; internal/replication.h).
  bool started_over = false;
};

// A figure as a reader needs it: what it counts, in which unit, over which denominator.
struct KpiSummary {
  std::string name;     // the label in English, with unit and denominator
  std::vector<double> values;  // one per replication
  double mean = 0;
  double half_width = 0;  // of the 95 % confidence interval
  std::string key;      // stable, for `expect`, `focus` and `sweep` ("moved einde", "days uitvoeren")
  std::string dutch;    // the label in Dutch, for the report
  std::string unit;     // "share", "days", "hours", "count"
};

// The spread of a duration over every measured case of every replication (pooled).
struct DurationDistribution {
  std::string key, name, dutch;
  std::string unit;  // "hours" or "days"
  std::int64_t count = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
  std::vector<double> bin_edges;       // histogram: bins.size() + 1 edges
  std::vector<std::int64_t> bins;
};

// `expect KPI LOW..HIGH [cite "..."]`: a known figure the model should reproduce.
struct CalibrationResult {
  std::string key, name, dutch;
  std::string scenario;
  double low = 0, high = 0;
  std::string cite;  // empty: a target the analyst set, not a sourced figure
  double mean = 0, half_width = 0;
  bool met = false;  // the mean lies within [low, high]
};

// A loud warning: a configured probability and what happened diverge.
struct CalibrationWarning {
  std::string scenario;
  std::string text;   // English
  std::string dutch;  // for the report
};

struct ScenarioResult {
  std::string name;
  std::string process;
  std::vector<std::string> terms;  // the overrides, as written
  std::vector<ReplicationResult> replications;
  std::vector<KpiSummary> kpis;        // in report order
  std::vector<KpiSummary> difference;  // paired, against the first scenario
  std::vector<DurationDistribution> distributions;
  std::vector<OutcomeRealisation> outcomes;  // summed over the replications
};

// One value of a swept parameter: every scenario run again with that one line changed.
struct SweepPoint {
  std::string value;  // as written between the braces
  std::vector<std::string> scenarios;             // names, in order
  std::vector<std::vector<KpiSummary>> kpis;      // [scenario][focus KPI]
  std::vector<std::vector<KpiSummary>> difference;  // [scenario][focus KPI], paired against the first; [0] empty
};

// `sweep LINE-WITH-{a, b, c}`: how one assumption moves the focus KPIs.
struct SweepResult {
  std::string parameter;  // the line, with the braces: "duration zorgadvies = triangular {...}, ..."
  std::string cite;       // empty: an assumption
  std::vector<SweepPoint> points;
};

struct SimulationResult {
  std::string title;
  std::uint64_t seed = 0;
  int replications = 0;
  int period_days = 0;
  int warmup_days = 0;
  std::vector<ScenarioResult> scenarios;
  std::vector<std::string> assumptions;  // figures without a source, and defaults the simulator chose
  std::vector<std::string> sources;      // every cited figure: "what: cite"
  std::vector<std::string> focus;        // the KPI keys the headline, sweeps and tornado speak of
  std::vector<CalibrationResult> calibration;
  std::vector<CalibrationWarning> warnings;
  std::vector<SweepResult> sweeps;
  std::string question;  // `question "..."`: what the simulation asks, for the report
  std::int64_t cases_simulated = 0;
  double seconds = 0;  // wall time; not part of the JSON, so that output is reproducible
};

struct RunOptions {
  int threads = 0;  // 0: all cores
  bool keep_cases = false;
  int keep_cases_replications = 0;  // with keep_cases: only those of the first N replications (0: all)
  std::function<void(int done, int total)> progress;
};

// Checks `spec` against its processes (diagnostics point into the .sim file) without running it:
// what `termijn check` and the language server report. True when it is clean.
bool check(const Spec& spec, const std::vector<std::filesystem::path>& stdlib_dirs, DiagnosticList& diagnostics);

// Checks `spec` against its processes (diagnostics point into the .sim file) and, when clean,
// runs every scenario.
std::optional<SimulationResult> simulate(const Spec& spec, const std::vector<std::filesystem::path>& stdlib_dirs,
                                         DiagnosticList& diagnostics, const RunOptions& options = {});

// Mean and 95 % half-width of `values` (Student's t with n-1 degrees of freedom).
KpiSummary summarise(std::string name, std::vector<double> values);

}  // namespace termijn::simulation
