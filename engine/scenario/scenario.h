// Scenario tests a coordinator writes: a timeline of events on the virtual clock and what should
// then be true. Line-based, one step per line, checked against the process before it runs:
//
//   scenario "Zorgadvies te laat escaleert naar Veilig Thuis"
//   process landelijk from "../landelijk.wth"
//   start 2026-10-20 14:00 on crisismelding with aanhouding=false, kindermishandeling=false
//   day 0 14:00   complete criteria_toetsen by hovj with meerderjarig=true, ...
//   day 8 14:35   expect task zorgadvies open for veilig_thuis
//   day 8 14:35   expect level 1
//
// `termijn test` runs them; each failure names its line and prints the timeline so far.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/runtime/instance.h"
#include "engine/time/instant.h"

namespace termijn::scenario {

using runtime::Json;

// A name as written, where it was written: checked against the process before the run.
struct Named {
  std::string text;
  SourceRange range;
};

struct Step {
  SourceRange range;
  Instant at;
  std::string text;  // the line as written, for the timeline
  enum class Kind { kComplete, kSignal, kUpdate, kCancel, kExpect, kNothing } kind = Kind::kNothing;
  std::string name;  // step, event
  std::string role;
  Json data = Json::object();
  std::optional<std::string> fails;  // the command must be refused with this text in its reason
  // kExpect
  // kTaskNever: the task does not open at any time in the scenario (proves a variant's removal).
  enum class What { kTaskOpen, kTaskDone, kTaskCancelled, kTaskAbsent, kTaskNever, kTimer, kLevel, kNotified,
                    kRefused, kEnded, kRunning } what = What::kRunning;
  std::optional<Instant> due;
  std::optional<std::string> contains;
  int level = 0;
  // The names this line uses, for checking.
  std::optional<Named> step_word, role_word, event_word;
  std::vector<Named> field_words;
};

struct Scenario {
  std::string name;
  SourceRange range;
  std::string process;
  std::filesystem::path file;  // the process file
  Instant start;
  std::string event;
  Json data = Json::object();
  std::vector<Named> start_fields;
  std::vector<Step> steps;
  bool broken = false;  // a line of it did not read: it is not run, the file's other scenarios are
};

// Parses a .scenario file; mistakes are diagnostics (file:line:col).
std::vector<Scenario> parse(const SourceFilePtr& source, DiagnosticList& diagnostics);

struct Outcome {
  std::string scenario;
  bool passed = true;
  std::vector<std::string> failures;  // "path:line: what was expected, what was found"
  std::vector<std::string> timeline;  // what happened, for a failure's report
};

// Checks every scenario's names against its process (reported as diagnostics), then runs those
// that checked clean, each on a fresh store in `work_dir`.
std::vector<Outcome> run(const std::vector<Scenario>& scenarios, const std::vector<std::filesystem::path>& stdlib_dirs,
                         const std::filesystem::path& work_dir, DiagnosticList& diagnostics);

}  // namespace termijn::scenario
