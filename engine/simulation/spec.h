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
#include "engine/simulation/random.h"

namespace termijn::simulation {

using Json = nlohmann::json;

// A duration drawn at random, in minutes.
struct Distribution {
  enum class Kind { kFixed, kUniform, kExponential, kTriangular, kLognormal, kEmpirical } kind = Kind::kFixed;
  double a = 0, b = 0, c = 0;  // fixed: a; uniform: a..b; exponential: mean a; triangular: min a, mode b,
                               // max c; lognormal: mean a, sd b (of the duration itself)
  std::vector<double> values;  // empirical: equally likely observations
  double sample(Rng& rng) const;
  double mean() const;
  std::string describe() const;
};

// A figure's provenance: a citation, or an assumption when none is given.
struct Source {
  std::string cite;
  SourceRange range;
  bool assumption() const { return cite.empty(); }
};

// One of several values, each with a probability.
struct Choice {
  std::vector<std::pair<Json, double>> options;
  Json pick(Rng& rng) const;
};

struct DataRule {
  std::string field;
  Choice choice;
  Source source;
};

struct OutputRule {
  std::string task;
  std::string output;
  Choice choice;
  Source source;
};

// How long a task takes from opening to done, and (`effort`) how many hours of work that is;
// without `effort` the whole duration counts as work.
struct DurationRule {
  std::string task;  // empty: the default for tasks without a rule of their own
  Distribution distribution;
  Source source;
  std::optional<Distribution> effort;
};

struct EventRule {
  std::string event;
  double probability = 0;   // per case
  Distribution after;       // counted from the case's start
  Source source;
};

// A role's pool of workers: at most `capacity` tasks in hand at once, started only within the
// working hours (tasks queue in order of opening until a worker is free).
struct Pool {
  std::string role;
  int capacity = 1;
  bool office_hours = false;  // Monday to Friday, from `open` to `close` minutes after midnight
  int open = 9 * 60;
  int close = 17 * 60;
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
  // Relative arrival intensity by weekday (Monday first) and by hour; each is scaled to average 1,
  // so `arrivals N per day` stays the mean. Empty: flat.
  std::vector<double> weekday_profile, hour_profile;
  std::vector<StartRule> starts;
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
};

// Reads a .sim file; mistakes are diagnostics with file:line:col. `include "file"` reads shared
// baseline rules (calibrated defaults, say) from another file.
Spec parse_spec(const SourceFilePtr& source, DiagnosticList& diagnostics);

// The baseline with a scenario's rules laid over it.
Rules effective_rules(const Rules& baseline, const Rules& scenario);

}  // namespace termijn::simulation
