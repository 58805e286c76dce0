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
// Set-up shared by several scenarios is written once: a file begins with `include "other.scenario"`
// lines (their `given` set-ups become usable here), then `given "name"` set-ups (process, persons,
// start, timeline lines), then its scenarios; `given "name"` right under a `scenario` or `given`
// heading takes that set-up's lines in first. `person NAME with attribute=value, ...` names a
// person of the case; a text value of a person field that names one becomes that person.
//
// `termijn test` runs them; each failure names its line and prints the timeline so far.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/model/model.h"
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
  // kNotifiedNever: no such notification at any time in the scenario (proves who is not told).
  enum class What { kTaskOpen, kTaskDone, kTaskCancelled, kTaskAbsent, kTaskNever, kTimer, kLevel, kNotified,
                    kNotifiedNever, kRefused, kEnded, kRunning } what = What::kRunning;
  std::optional<Instant> due;
  std::optional<std::string> contains;
  std::optional<std::string> person;  // kNotified: a person of the case told, by id, instead of a role
  int level = 0;
  // The names this line uses, for checking.
  std::optional<Named> step_word, role_word, event_word;
  std::vector<Named> field_words;
};

// `person anna with geboortedatum=1990-05-01`: in case data it becomes {"id": "anna", ...}.
struct Person {
  Named name;
  Json attributes = Json::object();
  std::vector<Named> attribute_words;  // checked against the process's `persons { ... }`
};

// A scenario, or a `given` set-up (the same parts; a set-up is never run on its own). Parts that
// came from a set-up keep the ranges of the lines they were written on.
struct Scenario {
  std::string name;
  SourceRange range;
  std::string process;
  std::filesystem::path file;  // the process file
  SourceRange process_range;
  Instant start;
  std::string event;
  Json data = Json::object();
  std::vector<Named> start_fields;
  SourceRange start_range;
  std::optional<std::string> start_fails;  // `start ... fails "reason"`: the engine must refuse the start
  std::vector<Person> persons;
  std::vector<Step> steps;
  bool broken = false;  // a line of it did not read: it is not run, the file's other scenarios are
};

// Parses a .scenario file and the files it includes (read from disk, relative to it); mistakes
// are diagnostics (file:line:col, in the file where they are written). Only scenarios are
// returned, with their set-ups' lines in them.
std::vector<Scenario> parse(const SourceFilePtr& source, DiagnosticList& diagnostics);

// Checks a scenario against its compiled process: every name it uses, its persons' attributes
// (`persons { ... }` in the process), and that its start gives every required case field. Each
// mistake is reported once, however many scenarios share the line it is on. True when it may run.
bool check(const Scenario& scenario, const model::Process& process, DiagnosticList& diagnostics);

// The scenario as it runs against `process`: a text value of a person field (or an element of a
// list<person> field) that names one of its persons becomes that person, {"id": NAME, attribute:
// value, ...}; any other value is sent as written (a person may be known by its id alone).
Scenario with_persons(Scenario scenario, const model::Process& process);

struct Outcome {
  std::string scenario;
  bool passed = true;
  std::vector<std::string> failures;  // "path:line: what was expected, what was found"
  std::vector<std::string> timeline;  // what happened, for a failure's report
};

// Checks every scenario's names against its process without running any (what `termijn check` and
// the language server report). `unsaved`: texts an editor has open, by path, standing in for
// those process files. True when all are clean.
bool check_all(const std::vector<Scenario>& scenarios, const std::vector<std::filesystem::path>& stdlib_dirs,
               DiagnosticList& diagnostics, const std::map<std::string, std::string>& unsaved = {});

// Checks every scenario's names against its process (reported as diagnostics), then runs those
// that checked clean, each on a fresh store in `work_dir`.
std::vector<Outcome> run(const std::vector<Scenario>& scenarios, const std::vector<std::filesystem::path>& stdlib_dirs,
                         const std::filesystem::path& work_dir, DiagnosticList& diagnostics);

}  // namespace termijn::scenario
