// Checking a scenario against its process, and running it: each on a fresh store, its timeline
// on a virtual clock, every command and expectation of a line held against what the engine
// then shows. Reading .scenario files is scenario.cc's part.
#include <fmt/format.h>

#include <unistd.h>

#include <map>

#include "engine/api/engine.h"
#include "engine/base/language.h"
#include "engine/driver/compilation.h"
#include "engine/runtime/evaluator.h"
#include "engine/scenario/internal/report_once.h"
#include "engine/scenario/scenario.h"
#include "engine/store/store.h"
#include "engine/time/legal_time.h"

namespace termijn::scenario {

namespace {

using TK = model::Type::Kind;

// A name the process must know, with a suggestion when it does not.
void check_known(const Named& w, const std::vector<std::string>& candidates, const char* what,
                 const model::Process& p, DiagnosticList& d) {
  if (std::find(candidates.begin(), candidates.end(), w.text) == candidates.end()) {
    d.error(w.range, tr("process '{}' has no {} '{}'{}", p.name, what, w.text, did_you_mean(w.text, candidates)));
  }
}

std::vector<std::string> names_of(const std::vector<model::Field>& fields) {
  std::vector<std::string> out;
  for (const auto& f : fields) out.push_back(f.name);
  return out;
}

// Checks every name a scenario uses against its compiled process.
void check_names(const Scenario& s, const model::Process& p, DiagnosticList& d) {
  auto fields = names_of(p.fields);
  auto known = [&](const Named& w, const std::vector<std::string>& candidates, const char* what) {
    check_known(w, candidates, what, p, d);
  };
  std::vector<std::string> tasks, timers;
  for (const auto& n : p.nodes) {
    if (n.kind == model::NodeKind::kTask) tasks.push_back(n.name);
    if (n.kind == model::NodeKind::kTimer) timers.push_back(n.name);
  }
  for (const auto& w : s.start_fields) known(w, fields, "case field");
  if (std::find(p.events.begin(), p.events.end(), s.event) == p.events.end()) {
    d.error(s.start_range, tr("process '{}' has no event '{}' to start on", p.name, s.event));
  }
  for (const Step& step : s.steps) {
    bool timer = step.kind == Step::Kind::kExpect && step.what == Step::What::kTimer;
    if (step.step_word) known(*step.step_word, timer ? timers : tasks, timer ? "timer" : "task");
    if (step.role_word) known(*step.role_word, p.roles, "role");
    if (step.event_word) known(*step.event_word, p.events, "event");
    if (step.kind == Step::Kind::kComplete && step.step_word) {
      const model::Node* task = p.find_node(step.step_word->text);
      std::vector<std::string> outputs = task != nullptr ? names_of(task->outputs) : std::vector<std::string>{};
      for (const auto& w : step.field_words) known(w, outputs, "output for this task");
    } else {
      for (const auto& w : step.field_words) known(w, fields, "case field");
    }
  }
}

// A person's attributes are those the process declares (`persons { ... }`), with their types.
void check_persons(const Scenario& s, const model::Process& p, DiagnosticList& d) {
  auto attributes = names_of(p.person_attributes);
  for (const Person& person : s.persons) {
    for (const Named& w : person.attribute_words) {
      auto attribute = std::find_if(p.person_attributes.begin(), p.person_attributes.end(),
                                    [&](const model::Field& f) { return f.name == w.text; });
      if (attribute == p.person_attributes.end()) {
        if (attributes.empty()) {
          d.error(w.range, tr("process '{}' has no person attribute '{}': it declares none (persons {{ ... }})",
                              p.name, w.text));
        } else {
          check_known(w, attributes, "person attribute", p, d);
        }
        continue;
      }
      Json converted;
      if (auto error = runtime::convert_input(attribute->type, person.attributes.at(w.text), converted)) {
        d.error(w.range, tr("person '{}', {}: {}", person.name.text, w.text, *error));
      }
    }
  }
}

// A case starts with every field the process requires (`name: type required`).
void check_required(const Scenario& s, const model::Process& p, DiagnosticList& d) {
  std::vector<std::string> missing, to_add;
  for (const auto& f : p.fields) {
    if (!f.required || s.data.contains(f.name)) continue;
    missing.push_back(f.name);
    to_add.push_back(f.name + "=...");
  }
  if (missing.empty()) return;
  d.error(s.start_range, tr("the start of process '{}' requires {}; add {}", p.name, fmt::join(missing, ", "),
                            fmt::join(to_add, ", ")));
}

}  // namespace

bool check(const Scenario& s, const model::Process& p, DiagnosticList& diagnostics) {
  DiagnosticList found;
  check_names(s, p, found);
  check_persons(s, p, found);
  if (!s.start_fails) check_required(s, p, found);  // a start meant to be refused may lack them
  for (const auto& diagnostic : found.all()) add_once(diagnostics, diagnostic);
  return !found.has_errors();
}

namespace {

// A text naming a declared person becomes that person: {"id": name, attribute: value, ...}. Any
// other value stays as it is (a person may be known by its id alone).
Json person_or_value(const Json& value, const std::vector<Person>& persons) {
  if (!value.is_string()) return value;
  for (const Person& person : persons) {
    if (person.name.text != value.get_ref<const std::string&>()) continue;
    Json out = person.attributes;
    out["id"] = person.name.text;
    return out;
  }
  return value;
}

// `data` with the persons in its person fields (and lists of persons) filled in.
Json fill_in_persons(Json data, const std::vector<model::Field>& fields, const std::vector<Person>& persons) {
  if (persons.empty() || !data.is_object()) return data;
  for (const auto& f : fields) {
    auto value = data.find(f.name);
    if (value == data.end()) continue;
    if (f.type.kind == TK::kPerson) *value = person_or_value(*value, persons);
    if (f.type.kind == TK::kList && f.type.element == TK::kPerson && value->is_array()) {
      for (Json& element : *value) element = person_or_value(element, persons);
    }
  }
  return data;
}

}  // namespace

Scenario with_persons(Scenario s, const model::Process& p) {
  s.data = fill_in_persons(std::move(s.data), p.fields, s.persons);
  for (Step& step : s.steps) {
    const model::Node* task = step.kind == Step::Kind::kComplete ? p.find_node(step.name) : nullptr;
    if (task != nullptr) step.data = fill_in_persons(std::move(step.data), task->outputs, s.persons);
    if (step.kind == Step::Kind::kUpdate || step.kind == Step::Kind::kSignal) {
      step.data = fill_in_persons(std::move(step.data), p.fields, s.persons);
    }
  }
  return s;
}

namespace {

std::string describe(const Json& audit_entry, const LegalTime& legal) {
  const Json& d = audit_entry.at("detail");
  std::string at = legal.format(*parse_instant(audit_entry.at("at").get<std::string>()));
  std::string what = audit_entry.at("kind");
  for (const char* key : {"step", "role", "timer", "reason", "event", "status", "roles", "message"}) {
    if (d.contains(key)) what += fmt::format(" {}={}", key, d.at(key).is_string() ? d.at(key).get<std::string>() : d.at(key).dump());
  }
  return fmt::format("    {}  {}", at, what);
}

// The compiled process a scenario runs, compiling its file the first time one uses it (its
// mistakes are reported then, once). Nothing when there is none to run.
const model::Process* process_for(const Scenario& s, std::map<std::filesystem::path, Compilation>& compilations,
                                  const std::vector<std::filesystem::path>& stdlib_dirs, DiagnosticList& diagnostics,
                                  const std::map<std::string, std::string>& unsaved = {}) {
  auto [entry, first] = compilations.try_emplace(s.file);
  Compilation& compiled = entry->second;
  if (first) {
    compiled = compile_paths({s.file.string()}, stdlib_dirs, unsaved);
    for (const auto& path : compiled.unreadable) diagnostics.error(s.process_range, tr("cannot read '{}'", path));
    for (const auto& diag : compiled.diagnostics.all()) diagnostics.add(diag);
  }
  const model::Process* process = compiled.model->find(s.process);
  if (process == nullptr && compiled.unreadable.empty() && !compiled.diagnostics.has_errors()) {
    add_once(diagnostics, Diagnostic{Severity::kError, s.process_range,
                                     fmt::format("'{}' declares no process '{}'", s.file.string(), s.process), {}});
  }
  return process;
}

void remove_store(const std::string& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
}

// "landelijk.scenario:9" for a line written in another file than `home`, "9:" for one in it.
std::string line_label(const SourceRange& line, const SourceRange& home) {
  if (line.file == home.file || !line.file) return fmt::format("{}:", line.begin.line);
  return fmt::format("{}:{}", std::filesystem::path(line.file->path()).filename().string(), line.begin.line);
}

// One scenario's case on its engine, and what has been found wrong with it so far. Each kind of
// timeline line is one member: a command, or an expectation (`expect_*`, one per Step::What).
class ScenarioRun {
 public:
  ScenarioRun(Engine& engine, CaseId id, Outcome& outcome)
      : engine_(engine), legal_(engine.legal()), id_(id), outcome_(outcome) {}

  // Puts what the audit log gained since the last call on the timeline.
  void catch_up();
  // Carries out a timeline line: sends its command or checks its expectation.
  void take(const Step& step);
  // `expect task X never`, checked once the whole timeline has run.
  void expect_never_opened(const std::vector<Step>& steps);
  // `expect notified ... never`, checked once the whole timeline has run.
  void expect_never_notified(const std::vector<Step>& steps);

 private:
  void fail(const Step& step, const std::string& message);
  // The open task the line names, if there is one.
  const runtime::Task* open_task(const Step& step) const;
  // The case's row in the list of cases; null when it is not there.
  Json this_case();
  // A command's answer against the line: accepted, or refused with the text after `fails`.
  void refused_with(const Step& step, const Status& status);
  void complete(const Step& step);

  void expect(const Step& step);
  void expect_task_open(const Step& step);
  void expect_task_ended(const Step& step, const char* status);  // "completed" or "cancelled"
  void expect_task_absent(const Step& step);
  void expect_timer(const Step& step);
  void expect_level(const Step& step);
  std::optional<Json> notification_like(const Step& step) const;
  void expect_notified(const Step& step);
  void expect_refused(const Step& step);
  void expect_ended(const Step& step);
  void expect_running(const Step& step);

  Engine& engine_;
  const LegalTime& legal_;
  CaseId id_;
  Outcome& outcome_;
  std::size_t seen_ = 0;  // audit entries already on the timeline
};

void ScenarioRun::catch_up() {
  Json audit = engine_.audit(id_);
  for (; seen_ < audit.size(); ++seen_) outcome_.timeline.push_back(describe(audit[seen_], legal_));
}

void ScenarioRun::take(const Step& step) {
  switch (step.kind) {
    case Step::Kind::kComplete: complete(step); break;
    case Step::Kind::kSignal: refused_with(step, engine_.signal(id_, step.name, step.data, "", step.role)); break;
    case Step::Kind::kUpdate: refused_with(step, engine_.update_case(id_, step.data)); break;
    case Step::Kind::kCancel: refused_with(step, engine_.cancel_case(id_, step.contains.value_or("cancelled"))); break;
    case Step::Kind::kNothing: break;
    case Step::Kind::kExpect: expect(step); break;
  }
}

void ScenarioRun::expect(const Step& step) {
  switch (step.what) {
    case Step::What::kTaskOpen: expect_task_open(step); break;
    case Step::What::kTaskDone: expect_task_ended(step, "completed"); break;
    case Step::What::kTaskCancelled: expect_task_ended(step, "cancelled"); break;
    case Step::What::kTaskAbsent: expect_task_absent(step); break;
    case Step::What::kTaskNever: break;  // checked once the whole timeline has run
    case Step::What::kTimer: expect_timer(step); break;
    case Step::What::kLevel: expect_level(step); break;
    case Step::What::kNotified: expect_notified(step); break;
    case Step::What::kNotifiedNever: break;  // checked once the whole timeline has run
    case Step::What::kRefused: expect_refused(step); break;
    case Step::What::kEnded: expect_ended(step); break;
    case Step::What::kRunning: expect_running(step); break;
  }
}

void ScenarioRun::fail(const Step& step, const std::string& message) {
  outcome_.passed = false;
  outcome_.failures.push_back(fmt::format("{}: {}", step.range.location(), message));
}

const runtime::Task* ScenarioRun::open_task(const Step& step) const {
  const runtime::Instance* c = engine_.runtime().find_case(id_);
  if (c == nullptr) return nullptr;
  for (const auto& [_, t] : c->tasks) {
    if (t.name == step.name) return &t;
  }
  return nullptr;
}

Json ScenarioRun::this_case() {
  Json found;
  for (const auto& row : engine_.cases()) {
    if (row.at("id") == id_) found = row;
  }
  return found;
}

void ScenarioRun::refused_with(const Step& step, const Status& status) {
  if (step.fails) {
    if (status.is_ok()) fail(step, fmt::format("expected a refusal with \"{}\", but it was accepted", *step.fails));
    else if (status.message().find(*step.fails) == std::string::npos)
      fail(step, fmt::format("refused, but with \"{}\"", status.message()));
  } else if (!status.is_ok()) {
    fail(step, fmt::format("refused: {}", status.message()));
  }
}

void ScenarioRun::complete(const Step& step) {
  const runtime::Task* t = open_task(step);
  if (t == nullptr) {
    fail(step, fmt::format("there is no open task '{}' to complete", step.name));
    return;
  }
  refused_with(step, engine_.complete_task(t->id, step.role, step.data));
}

void ScenarioRun::expect_task_open(const Step& step) {
  const runtime::Task* t = open_task(step);
  if (t == nullptr) {
    fail(step, fmt::format("expected task '{}' open, but it is not", step.name));
  } else if (!step.role.empty() && t->role != step.role) {
    fail(step, fmt::format("expected task '{}' open for {}, but it is for {}", step.name, step.role, t->role));
  } else if (step.due && legal_.format(*step.due) != legal_.format(t->due.at)) {
    fail(step, fmt::format("expected task '{}' due {}, but it is due {}", step.name, legal_.format(*step.due),
                           legal_.format(t->due.at)));
  }
}

void ScenarioRun::expect_task_ended(const Step& step, const char* status) {
  store::TaskQuery all;
  all.case_id = id_;
  all.open_only = false;
  bool found = false;
  for (const auto& t : engine_.tasks(all)) found |= t.at("step") == step.name && t.at("status") == status;
  if (!found) fail(step, fmt::format("expected task '{}' {}, but it is not", step.name, status));
}

void ScenarioRun::expect_task_absent(const Step& step) {
  if (open_task(step) != nullptr) fail(step, fmt::format("expected no open task '{}', but there is one", step.name));
}

void ScenarioRun::expect_timer(const Step& step) {
  const runtime::Instance* c = engine_.runtime().find_case(id_);
  bool ok = false;
  std::string actual = "not set";
  if (c != nullptr && c->named_timers.count(step.name) != 0) {
    auto timer = c->timers.find(c->named_timers.at(step.name));
    if (timer != c->timers.end()) {
      actual = legal_.format(timer->second.due.at);
      ok = step.due && actual == legal_.format(*step.due);
    }
  }
  if (!ok) fail(step, fmt::format("expected timer '{}' at {}, but it is {}", step.name,
                                  step.due ? legal_.format(*step.due) : "?", actual));
}

void ScenarioRun::expect_level(const Step& step) {
  Json row = this_case();
  int level = row.is_null() ? 0 : row.at("level").get<int>();
  if (level != step.level) fail(step, fmt::format("expected level {}, but it is {}", step.level, level));
}

// The first notification of this case to the role or person `step` names, with its text.
std::optional<Json> ScenarioRun::notification_like(const Step& step) const {
  for (const auto& n : engine_.outbox()) {
    if (n.at("case") != id_) continue;
    bool to_them = false;
    if (step.person) {
      for (const auto& p : n.value("persons", Json::array())) to_them |= p == *step.person;
    } else {
      for (const auto& r : n.at("roles")) to_them |= r == step.role;
    }
    if (to_them && (!step.contains || n.at("message").get<std::string>().find(*step.contains) != std::string::npos)) {
      return n;
    }
  }
  return std::nullopt;
}

std::string notification_described(const Step& step) {
  return fmt::format("a notification to {}{}", step.person ? "person " + *step.person : step.role,
                     step.contains ? " saying \"" + *step.contains + "\"" : "");
}

void ScenarioRun::expect_notified(const Step& step) {
  if (!notification_like(step)) fail(step, fmt::format("expected {}, but there is none", notification_described(step)));
}

void ScenarioRun::expect_refused(const Step& step) {
  bool found = false;
  for (const auto& e : engine_.audit(id_)) {
    found |= e.at("kind") == "refused" &&
             e.at("detail").at("reason").get<std::string>().find(*step.contains) != std::string::npos;
  }
  if (!found) fail(step, fmt::format("expected a refusal saying \"{}\", but there is none", *step.contains));
}

void ScenarioRun::expect_ended(const Step& step) {
  Json row = this_case();
  if (row.is_null() || row.at("status") == "running") {
    fail(step, "expected the case to have ended, but it is running");
  } else if (step.contains && row.at("end_reason").get<std::string>().find(*step.contains) == std::string::npos) {
    fail(step, fmt::format("expected it to end with \"{}\", but it ended with \"{}\"", *step.contains,
                           row.at("end_reason").get<std::string>()));
  }
}

void ScenarioRun::expect_running(const Step& step) {
  if (engine_.runtime().find_case(id_) == nullptr) fail(step, "expected the case to be running, but it has ended");
}

void ScenarioRun::expect_never_notified(const std::vector<Step>& steps) {
  for (const auto& step : steps) {
    if (step.kind != Step::Kind::kExpect || step.what != Step::What::kNotifiedNever) continue;
    if (auto n = notification_like(step)) {
      fail(step, fmt::format("expected never {}, but one was sent at {}: \"{}\"", notification_described(step),
                             legal_.format(*parse_instant(n->at("at").get<std::string>())),
                             n->at("message").get<std::string>()));
    }
  }
}

void ScenarioRun::expect_never_opened(const std::vector<Step>& steps) {
  store::TaskQuery every;
  every.case_id = id_;
  every.open_only = false;
  Json opened_tasks = engine_.tasks(every);
  for (const auto& step : steps) {
    if (step.kind != Step::Kind::kExpect || step.what != Step::What::kTaskNever) continue;
    for (const auto& t : opened_tasks) {
      if (t.at("step") == step.name) {
        fail(step, fmt::format("expected task '{}' never to open, but it opened at {}", step.name,
                               t.at("opened").get<std::string>()));
        break;
      }
    }
  }
}

// The engine's own promise, checked on every scenario after every step: what is on disk gives
// back the live state (a restart would find every case as it is). A difference is the engine's
// fault, not the scenario's, and is reported as such.
void expect_restorable(const Engine& engine, const std::string& db, const std::string& after, Outcome& outcome) {
  std::map<CaseId, Json> stored;
  try {
    store::Store reader(db);
    for (const auto& c : reader.running_cases()) stored[c.id] = runtime::whole_json(c);
  } catch (const std::exception& e) {
    outcome.passed = false;
    outcome.failures.push_back(fmt::format("{}: the engine's store could not be read back: {}", after, e.what()));
    return;
  }
  std::map<CaseId, Json> live;
  for (const auto& [id, c] : engine.runtime().cases()) live[id] = runtime::whole_json(c);
  if (stored == live) return;
  outcome.passed = false;
  for (const auto& [id, state] : live) {
    auto found = stored.find(id);
    if (found == stored.end()) {
      outcome.failures.push_back(fmt::format("{}: engine fault: running case {} is not on disk", after, id));
    } else if (found->second != state) {
      outcome.failures.push_back(fmt::format("{}: engine fault: case {} on disk differs from the live case:\n  disk {}\n  live {}",
                                             after, id, found->second.dump(), state.dump()));
    }
  }
  for (const auto& [id, state] : stored) {
    if (live.count(id) == 0) outcome.failures.push_back(fmt::format("{}: engine fault: case {} is running on disk only", after, id));
  }
}

// Runs one checked scenario on a fresh store at `db`.
Outcome run_one(const Scenario& s, const std::vector<std::filesystem::path>& stdlib_dirs, const std::string& db) {
  Outcome outcome;
  outcome.scenario = s.name;
  VirtualClock clock(s.start);
  auto opened = Engine::open(EngineOptions{db, &clock, stdlib_dirs});
  if (!opened.is_ok()) {
    outcome.passed = false;
    outcome.failures.push_back(opened.status().message());
    return outcome;
  }
  Engine& engine = *opened.value();
  engine.deploy({s.file.string()});
  Result<CaseId> started = engine.start_case(s.process, s.data, s.event);
  if (s.start_fails) {  // the start itself is what the scenario checks
    if (started.is_ok()) {
      outcome.passed = false;
      outcome.failures.push_back(fmt::format("{}: expected the start to be refused with \"{}\", but the case started",
                                             s.start_range.location(), *s.start_fails));
    } else if (started.status().message().find(*s.start_fails) == std::string::npos) {
      outcome.passed = false;
      outcome.failures.push_back(fmt::format("{}: the start was refused, but with \"{}\"", s.start_range.location(),
                                             started.status().message()));
    }
    return outcome;
  }
  if (!started.is_ok()) {
    outcome.passed = false;
    outcome.failures.push_back(fmt::format("{}: the case did not start: {}", s.start_range.location(), started.status().message()));
    return outcome;
  }
  ScenarioRun run(engine, *started, outcome);
  run.catch_up();
  expect_restorable(engine, db, s.start_range.location(), outcome);
  for (const auto& step : s.steps) {
    engine.run_until(clock, step.at);
    run.catch_up();
    outcome.timeline.push_back(fmt::format("  {}  {}", line_label(step.range, s.range), step.text));
    run.take(step);
    run.catch_up();
    expect_restorable(engine, db, step.range.location(), outcome);
  }
  run.expect_never_opened(s.steps);
  run.expect_never_notified(s.steps);
  engine.verify_audit();
  return outcome;
}

}  // namespace

bool check_all(const std::vector<Scenario>& scenarios, const std::vector<std::filesystem::path>& stdlib_dirs,
               DiagnosticList& diagnostics, const std::map<std::string, std::string>& unsaved) {
  std::map<std::filesystem::path, Compilation> compilations;
  bool clean = true;
  for (const auto& written : scenarios) {
    if (written.broken) {
      clean = false;
      continue;
    }
    const model::Process* process = process_for(written, compilations, stdlib_dirs, diagnostics, unsaved);
    if (process == nullptr || !check(written, *process, diagnostics)) clean = false;
  }
  return clean;
}

std::vector<Outcome> run(const std::vector<Scenario>& scenarios, const std::vector<std::filesystem::path>& stdlib_dirs,
                         const std::filesystem::path& work_dir, DiagnosticList& diagnostics) {
  std::vector<Outcome> outcomes;
  int counter = 0;
  // Each process file is compiled once, and its mistakes reported once, however many scenarios use it.
  std::map<std::filesystem::path, Compilation> compilations;
  for (const auto& written : scenarios) {
    if (written.broken) continue;
    const model::Process* process = process_for(written, compilations, stdlib_dirs, diagnostics);
    if (process == nullptr || !check(written, *process, diagnostics)) continue;
    std::string db = (work_dir / fmt::format("scenario-{}-{}.db", ::getpid(), ++counter)).string();
    remove_store(db);  // one an earlier run with the same process id left
    outcomes.push_back(run_one(with_persons(written, *process), stdlib_dirs, db));
    remove_store(db);
  }
  return outcomes;
}

}  // namespace termijn::scenario
