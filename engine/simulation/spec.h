// What a simulation file (.sim) says: the process, the arrivals, the case mix, how long tasks take,
// what their outcomes are, which events happen, the capacity of roles, and the scenarios to
// compare, each an overlay of legal terms and changed rules on the baseline. Every figure may
// carry its source (`cite "..."`); a figure without one is reported as an assumption.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/base/duration.h"
#include "engine/simulation/distribution.h"

namespace termijn::simulation {

using Json = nlohmann::json;

// A figure's provenance: a citation, or an assumption when none is given.
struct Source {
  std::string cite;
  SourceRange range;
  bool assumption() const { return cite.empty(); }
};

struct DataRule {
  std::string field;
  Choice choice;
  Source source;
};

// `when NAME = VALUE`, `when NAME != VALUE` (NAME: an earlier task's output `task.output`, a case
// field, or a legal term `Wth.eerste_termijn = 14 days`), `when elapsed < 9 days` (since the
// case began).
struct Condition {
  enum class Kind { kEquals, kNotEquals, kElapsedBelow, kElapsedAtLeast } kind = Kind::kEquals;
  std::string name;
  Json value;
  std::optional<Duration> term;  // a term's value, for a condition on a legal term
  double minutes = 0;            // elapsed
  std::string text;              // as written, for reports and for telling rules apart
  SourceRange range;
};

// A task's outcome. Several lines may give the same output under different conditions: the
// line whose conditions all hold and that has the most of them applies; a line without `when`
// is the rest.
struct OutputRule {
  std::string task;
  std::string output;
  Choice choice;
  Source source;
  std::vector<Condition> when;
  std::string key() const;  // "task.output when ...": what a scenario's line replaces
};

// How long a task takes from opening to done, and (`effort`) how many hours of work that is;
// without `effort` the whole duration counts as work.
//
// `before due`: deadline-aware work. The task is done `distribution` before its deadline (at once
// if that has passed), except in a share `late` of the cases, which finish `late_by` after it.
struct DurationRule {
  std::string task;  // empty: the default for tasks without a rule of their own
  Distribution distribution;
  Source source;
  std::optional<Distribution> effort;
  bool before_due = false;
  double late = 0;
  Distribution late_by;
};

struct EventRule {
  std::string event;
  double probability = 0;   // per case
  Distribution after;       // counted from the case's start
  Source source;
};

// `workers` on duty on the days of `days`, from `start` to `end` minutes after midnight (local
// time); an `end` before `start` runs past midnight into the next day.
struct Shift {
  // Workdays: Monday to Friday except the Dutch public holidays; the rest are non-workdays.
  enum class Days { kDaily, kWorkdays, kNonWorkdays } days = Days::kDaily;
  int workers = 1;
  int start = 0;
  int end = 24 * 60;
};

// A role's pool of workers: at most as many tasks in hand as workers are on duty, started only
// while they are, taking waiting tasks in the pool's order.
struct Pool {
  // Which waiting task a free worker takes: the one that opened first, the one whose deadline
  // comes first, or the one escalated furthest (then the earliest deadline).
  enum class Order { kFirstCome, kEarliestDue, kEscalation } order = Order::kFirstCome;
  std::string role;
  // Who is on duty when: the workers of every shift on at a moment add up. `capacity 6` is one
  // shift round the clock, `capacity 6 office hours 09:00-17:00` one on workdays.
  std::vector<Shift> shifts;
  Source source;
};

// `arrivals 0.5 per day on verzoek_geplande_screening`: a stream of cases of its own, beside the
// main one (a region, a route); the streams add up.
struct ArrivalStream {
  std::string event;
  double per_day = 0;
  Source source;
};

struct StartRule {
  std::string event;
  double probability = 1;
};

struct TermOverride {
  std::string qualified;  // "Wth.eerste_termijn"
  Duration value;
  SourceRange range;
};

// Rules a scenario sets over the baseline's; anything it does not set is the baseline's.
struct Rules {
  std::optional<std::string> process;
  std::optional<std::filesystem::path> file;
  SourceRange process_range;
  std::optional<double> arrivals_per_day;
  Source arrivals_source;
  // Relative arrival intensity by weekday (Monday first) and by hour; each is scaled to average 1,
  // so `arrivals N per day` stays the mean. Empty: flat.
  std::vector<double> weekday_profile, hour_profile;
  std::vector<StartRule> starts;
  std::vector<ArrivalStream> streams;
  std::vector<DataRule> data;
  std::vector<OutputRule> outputs;
  std::vector<DurationRule> durations;
  std::vector<EventRule> events;
  std::vector<Pool> pools;
  std::vector<TermOverride> terms;
};

// `measure "label" until TASK [or TASK...]`: hours from a case's start until the first of the
// tasks is completed (scenarios on different processes may name their own task).
struct Measure {
  std::string label;
  std::vector<std::string> tasks;
  SourceRange range;
};

// `expect KPI LOW..HIGH [cite "..."]`: a figure the model should reproduce. Before the first
// scenario it holds for the first scenario (the situation as it is); inside a scenario, for that
// scenario.
struct Target {
  std::string kpi;  // a KPI key: "moved einde", "reached opgelegd", "days uitvoeren"
  double low = 0, high = 0;
  Source source;
  int scenario = -1;  // -1: the first
};

// `sweep LINE`: a rule line with one `{a, b, c}` in it; every scenario runs again for each value.
// Before the first scenario the line replaces the baseline's (a scenario that sets its own keeps
// it); inside a scenario it is laid over that scenario's rules alone.
struct Sweep {
  int scenario = -1;  // -1: the baseline
  std::string text;  // the line as written, braces included, without its cite
  std::vector<std::string> values;
  std::vector<Rules> overlays;  // one per value
  Source source;
};

struct Scenario {
  std::string name;
  SourceRange range;
  Rules rules;  // over the baseline
};

struct Spec {
  std::string title;
  std::filesystem::path path;  // the .sim file
  Rules baseline;
  std::string start_date = "2027-01-04";  // a Monday
  int period_days = 365;
  int warmup_days = 30;
  int drain_days = 400;  // after the period, to let open cases finish
  int replications = 10;
  std::uint64_t seed = 1;
  std::vector<Measure> measures;
  std::vector<Scenario> scenarios;  // none: the baseline alone
  std::string question;             // `question "..."`: what the simulation asks
  std::vector<std::string> focus;   // `focus KPI`: what the headline and the sweeps speak of
  std::vector<SourceRange> focus_ranges;  // where each was named
  std::vector<Target> targets;
  std::vector<Sweep> sweeps;
  int sweep_replications = 0;       // `sweep replications N`; 0: as many as the main run
};

// Reads a .sim file; mistakes are diagnostics with file:line:col. `include "file"` reads shared
// baseline rules (calibrated defaults, say) from another file.
Spec parse_spec(const SourceFilePtr& source, DiagnosticList& diagnostics);

// The baseline with a scenario's rules laid over it.
Rules effective_rules(const Rules& baseline, const Rules& scenario);

}  // namespace termijn::simulation
