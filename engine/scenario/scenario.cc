#include "engine/scenario/scenario.h"

#include <fmt/format.h>

#include <unistd.h>

#include <cctype>

#include "engine/api/engine.h"
#include "engine/base/numbers.h"
#include "engine/frontend/line_reader.h"
#include "engine/driver/compilation.h"
#include "engine/time/legal_time.h"

namespace termijn::scenario {

namespace {

using lines::LineReader;
using lines::Word;
using lines::is_date;
using lines::is_int;

Named named(const Word& w) { return Named{w.text, w.range}; }

std::vector<Named> named(const std::vector<Word>& words) {
  std::vector<Named> out;
  for (const auto& w : words) out.push_back(named(w));
  return out;
}

}  // namespace

std::vector<Scenario> parse(const SourceFilePtr& source, DiagnosticList& d) {
  std::vector<Scenario> out;
  LegalTime legal;
  bool file_broken = false;  // a mistake before the first scenario: none of the file's can run
  lines::for_each_line(source, d, [&](std::vector<Word> words, const SourceRange& line_range, std::string_view line) {
    int errors_before = d.error_count();
    struct Attribute {  // whatever this line gets wrong is held against its scenario alone
      DiagnosticList& d;
      int before;
      std::vector<Scenario>& out;
      bool& file_broken;
      ~Attribute() {
        if (d.error_count() == before) return;
        if (out.empty()) file_broken = true;
        else out.back().broken = true;
      }
    } attribute{d, errors_before, out, file_broken};
    LineReader r(words, d, line_range);
    const Word first = words.front();
    if (r.accept("scenario")) {
      Scenario s;
      s.range = line_range;
      if (auto name = r.quoted("the scenario's name")) s.name = *name;
      r.finish();
      out.push_back(std::move(s));
      return;
    }
    if (out.empty()) {
      d.error(first.range, "a scenario file starts with: scenario \"<name>\"");
      return;
    }
    Scenario& s = out.back();
    if (r.accept("process")) {
      if (auto name = r.word("the process's name")) s.process = name->text;
      if (r.expect("from")) {
        if (auto path = r.quoted("the process file")) {
          s.file = (std::filesystem::path(source->path()).parent_path() / *path).lexically_normal();
        }
      }
      r.finish();
    } else if (r.accept("start")) {
      auto at = r.moment();
      if (!at) return;  // reported; the rest of the line would only repeat it
      s.start = *at;
      if (r.expect("on")) {
        if (auto event = r.word("the start event")) s.event = event->text;
      }
      if (r.accept("with")) {
        if (auto data = r.record()) s.data = *data;
        s.start_fields = named(r.keys());
      }
      r.finish();
    } else {
      Step step;
      step.range = line_range;
      step.text = std::string(line.substr(line.find_first_not_of(" \t")));
      struct {
        std::optional<Word> step, role, event;
        std::vector<Word> fields;
      } n;
      // When: `day N [HH:MM]` from the start's day, or `at DATE [TIME]`.
      if (r.accept("day")) {
        auto number = r.word("a day number");
        // A case's timeline spans years, not centuries; the bound keeps date arithmetic exact.
        constexpr int kLastDay = 100 * 366;
        std::optional<int> day = number ? parse_int_in(number->text, 0, kLastDay) : std::nullopt;
        if (!day) {
          if (number) d.error(number->range, fmt::format("expected a day number from 0 to {}, as in: day 8 14:35", kLastDay));
          return;
        }
        date::year_month_day start_day = legal.local_day(s.start);
        auto start_local = date::floor<std::chrono::minutes>(legal.to_local(s.start));
        auto time_of_day = start_local - date::floor<date::days>(start_local);
        std::string time;
        if (!r.time_of_day(time)) return;
        if (!time.empty()) time_of_day = lines::time_of_day(time);
        auto local = date::local_days{start_day} + date::days(*day) + time_of_day;
        step.at = legal.from_local(std::chrono::time_point_cast<std::chrono::milliseconds>(local));
      } else if (r.accept("at")) {
        if (auto at = r.moment()) step.at = *at;
      } else {
        d.error(first.range, fmt::format("unknown line '{}': expected scenario, process, start, 'day N' or 'at DATE'",
                                         first.text));
        return;
      }
      if (step.at < s.start || (!s.steps.empty() && step.at < s.steps.back().at)) {
        d.error(line_range, "this line goes back in time; a timeline runs forward");
      }
      auto fails = [&] {
        if (r.accept("fails")) step.fails = r.quoted("the reason it fails");
      };
      if (r.accept("complete")) {
        step.kind = Step::Kind::kComplete;
        n.step = r.word("the task's step name");
        if (r.expect("by")) n.role = r.word("the acting role");
        if (r.accept("with")) {
          if (auto data = r.record()) step.data = *data;
          n.fields = r.keys();
        }
        fails();
      } else if (r.accept("signal")) {
        step.kind = Step::Kind::kSignal;
        n.event = r.word("the event");
        if (r.accept("by")) n.role = r.word("the role that sends it");
        if (r.accept("with")) {
          if (auto data = r.record()) step.data = *data;
          n.fields = r.keys();
        }
        fails();
      } else if (r.accept("update")) {
        step.kind = Step::Kind::kUpdate;
        if (auto data = r.record()) step.data = *data;
        n.fields = r.keys();
      } else if (r.accept("cancel")) {
        step.kind = Step::Kind::kCancel;
        if (r.peek() != nullptr) step.contains = r.quoted("the reason");
      } else if (r.accept("nothing")) {
        step.kind = Step::Kind::kNothing;
      } else if (r.accept("expect")) {
        step.kind = Step::Kind::kExpect;
        if (r.accept("task")) {
          n.step = r.word("the task's step name");
          if (r.accept("open")) step.what = Step::What::kTaskOpen;
          else if (r.accept("done")) step.what = Step::What::kTaskDone;
          else if (r.accept("cancelled")) step.what = Step::What::kTaskCancelled;
          else if (r.accept("absent")) step.what = Step::What::kTaskAbsent;
          else if (r.accept("never")) step.what = Step::What::kTaskNever;
          else d.error(r.peek() ? r.peek()->range : r.end_range(), "expected open, done, cancelled, absent or never");
          if (r.accept("for")) n.role = r.word("the role");
          if (r.accept("due")) step.due = r.moment();
        } else if (r.accept("timer")) {
          step.what = Step::What::kTimer;
          n.step = r.word("the timer's name");
          if (r.expect("at")) step.due = r.moment();
        } else if (r.accept("level")) {
          step.what = Step::What::kLevel;
          auto number = r.word("a level");
          constexpr int kHighestLevel = 1000;
          if (auto level = number ? parse_int_in(number->text, 0, kHighestLevel) : std::nullopt) step.level = *level;
          else if (number) d.error(number->range, fmt::format("expected a level from 0 to {}", kHighestLevel));
        } else if (r.accept("notified")) {
          step.what = Step::What::kNotified;
          n.role = r.word("the role");
          if (r.peek() != nullptr) step.contains = r.quoted("the text the message contains");
        } else if (r.accept("refused")) {
          step.what = Step::What::kRefused;
          step.contains = r.quoted("the text the reason contains");
        } else if (r.accept("ended")) {
          step.what = Step::What::kEnded;
          if (r.peek() != nullptr) step.contains = r.quoted("the text the reason contains");
        } else if (r.accept("running")) {
          step.what = Step::What::kRunning;
        } else {
          d.error(r.peek() ? r.peek()->range : r.end_range(),
                  "expected task, timer, level, notified, refused, ended or running after 'expect'");
        }
      } else {
        d.error(r.peek() ? r.peek()->range : r.end_range(),
                "expected complete, signal, update, cancel, nothing or expect");
        return;
      }
      r.finish();
      if (n.step) step.step_word = named(*n.step);
      if (n.event) step.event_word = named(*n.event);
      if (n.role) step.role_word = named(*n.role);
      step.field_words = named(n.fields);
      if (n.step) step.name = n.step->text;
      if (n.event) step.name = n.event->text;
      if (n.role) step.role = n.role->text;
      s.steps.push_back(std::move(step));
    }
  });
  for (auto& s : out) {
    if (file_broken) s.broken = true;
    if (s.broken) continue;  // its mistakes are reported where they are
    if (s.process.empty()) d.error(s.range, fmt::format("scenario \"{}\" names no process: process <name> from \"<file>\"", s.name));
    if (s.event.empty()) d.error(s.range, fmt::format("scenario \"{}\" has no start line", s.name));
    if (s.process.empty() || s.event.empty()) s.broken = true;
  }
  return out;
}

namespace {

// Checks every name a scenario uses against its compiled process.
void check_names(const Scenario& s, const model::Process& p, DiagnosticList& d) {
  auto fields = [&]() {
    std::vector<std::string> out;
    for (const auto& f : p.fields) out.push_back(f.name);
    return out;
  }();
  auto known = [&](const Named& w, const std::vector<std::string>& candidates, const char* what) {
    if (std::find(candidates.begin(), candidates.end(), w.text) == candidates.end()) {
      d.error(w.range, fmt::format("process '{}' has no {} '{}'{}", p.name, what, w.text, did_you_mean(w.text, candidates)));
    }
  };
  std::vector<std::string> tasks, timers;
  for (const auto& n : p.nodes) {
    if (n.kind == model::NodeKind::kTask) tasks.push_back(n.name);
    if (n.kind == model::NodeKind::kTimer) timers.push_back(n.name);
  }
  for (const auto& w : s.start_fields) known(w, fields, "case field");
  if (std::find(p.events.begin(), p.events.end(), s.event) == p.events.end()) {
    d.error(s.range, fmt::format("process '{}' has no event '{}' to start on", p.name, s.event));
  }
  for (const Step& step : s.steps) {
    bool timer = step.kind == Step::Kind::kExpect && step.what == Step::What::kTimer;
    if (step.step_word) known(*step.step_word, timer ? timers : tasks, timer ? "timer" : "task");
    if (step.role_word) known(*step.role_word, p.roles, "role");
    if (step.event_word) known(*step.event_word, p.events, "event");
    if (step.kind == Step::Kind::kComplete && step.step_word) {
      const model::Node* task = p.find_node(step.step_word->text);
      std::vector<std::string> outputs;
      if (task != nullptr) {
        for (const auto& o : task->outputs) outputs.push_back(o.name);
      }
      for (const auto& w : step.field_words) known(w, outputs, "output for this task");
    } else {
      for (const auto& w : step.field_words) known(w, fields, "case field");
    }
  }
}

std::string describe(const Json& audit_entry, const LegalTime& legal) {
  const Json& d = audit_entry.at("detail");
  std::string at = legal.format(*parse_instant(audit_entry.at("at").get<std::string>()));
  std::string what = audit_entry.at("kind");
  for (const char* key : {"step", "role", "timer", "reason", "event", "status", "roles", "message"}) {
    if (d.contains(key)) what += fmt::format(" {}={}", key, d.at(key).is_string() ? d.at(key).get<std::string>() : d.at(key).dump());
  }
  return fmt::format("    {}  {}", at, what);
}

}  // namespace

std::vector<Outcome> run(const std::vector<Scenario>& scenarios, const std::vector<std::filesystem::path>& stdlib_dirs,
                         const std::filesystem::path& work_dir, DiagnosticList& diagnostics) {
  std::vector<Outcome> outcomes;
  int counter = 0;
  // Each process file is compiled once, and its mistakes reported once, however many scenarios use it.
  std::map<std::filesystem::path, Compilation> compilations;
  for (const auto& s : scenarios) {
    if (s.broken) continue;
    Outcome outcome;
    outcome.scenario = s.name;
    auto [entry, first] = compilations.try_emplace(s.file);
    Compilation& compiled = entry->second;
    if (first) {
      compiled = compile_paths({s.file.string()}, stdlib_dirs);
      for (const auto& path : compiled.unreadable) diagnostics.error(s.range, fmt::format("cannot read '{}'", path));
      for (const auto& diag : compiled.diagnostics.all()) diagnostics.add(diag);
    }
    const model::Process* process = compiled.model->find(s.process);
    if (process == nullptr) {
      if (compiled.unreadable.empty() && !compiled.diagnostics.has_errors()) {
        diagnostics.error(s.range, fmt::format("'{}' declares no process '{}'", s.file.string(), s.process));
      }
      continue;
    }
    int errors_before = diagnostics.error_count();
    check_names(s, *process, diagnostics);
    if (diagnostics.error_count() > errors_before) continue;

    std::string db = (work_dir / fmt::format("scenario-{}-{}.db", ::getpid(), ++counter)).string();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    VirtualClock clock(s.start);
    auto opened = Engine::open(EngineOptions{db, &clock, stdlib_dirs});
    if (!opened.is_ok()) {
      outcome.passed = false;
      outcome.failures.push_back(opened.status().message());
      outcomes.push_back(outcome);
      continue;
    }
    Engine& engine = *opened.value();
    engine.deploy({s.file.string()});
    const LegalTime& legal = engine.legal();
    auto fail = [&](const Step& step, const std::string& message) {
      outcome.passed = false;
      outcome.failures.push_back(fmt::format("{}: {}", step.range.location(), message));
    };
    Result<CaseId> started = engine.start_case(s.process, s.data, s.event);
    if (!started.is_ok()) {
      outcome.passed = false;
      outcome.failures.push_back(fmt::format("{}: the case did not start: {}", s.range.location(), started.status().message()));
      outcomes.push_back(outcome);
      continue;
    }
    CaseId id = *started;
    std::size_t seen = 0;
    auto catch_up = [&] {
      Json audit = engine.audit(id);
      for (; seen < audit.size(); ++seen) outcome.timeline.push_back(describe(audit[seen], legal));
    };
    catch_up();
    for (const auto& step : s.steps) {
      engine.run_until(clock, step.at);
      catch_up();
      outcome.timeline.push_back(fmt::format("  {}:{}  {}", step.range.begin.line, "", step.text));
      const runtime::Instance* c = engine.runtime().find_case(id);
      auto open_task = [&]() -> const runtime::Task* {
        if (c == nullptr) return nullptr;
        for (const auto& [_, t] : c->tasks) {
          if (t.name == step.name) return &t;
        }
        return nullptr;
      };
      auto refused_with = [&](const Status& status) {
        if (step.fails) {
          if (status.is_ok()) fail(step, fmt::format("expected a refusal with \"{}\", but it was accepted", *step.fails));
          else if (status.message().find(*step.fails) == std::string::npos)
            fail(step, fmt::format("refused, but with \"{}\"", status.message()));
        } else if (!status.is_ok()) {
          fail(step, fmt::format("refused: {}", status.message()));
        }
      };
      switch (step.kind) {
        case Step::Kind::kComplete: {
          const runtime::Task* t = open_task();
          if (t == nullptr) {
            fail(step, fmt::format("there is no open task '{}' to complete", step.name));
            break;
          }
          refused_with(engine.complete_task(t->id, step.role, step.data));
          break;
        }
        case Step::Kind::kSignal: refused_with(engine.signal(id, step.name, step.data, "", step.role)); break;
        case Step::Kind::kUpdate: refused_with(engine.update_case(id, step.data)); break;
        case Step::Kind::kCancel: refused_with(engine.cancel_case(id, step.contains.value_or("cancelled"))); break;
        case Step::Kind::kNothing: break;
        case Step::Kind::kExpect: {
          store::TaskQuery all;
          all.case_id = id;
          all.open_only = false;
          Json cases = engine.cases();
          Json this_case;
          for (const auto& row : cases) {
            if (row.at("id") == id) this_case = row;
          }
          switch (step.what) {
            case Step::What::kTaskOpen: {
              const runtime::Task* t = open_task();
              if (t == nullptr) {
                fail(step, fmt::format("expected task '{}' open, but it is not", step.name));
              } else if (!step.role.empty() && t->role != step.role) {
                fail(step, fmt::format("expected task '{}' open for {}, but it is for {}", step.name, step.role, t->role));
              } else if (step.due && legal.format(*step.due) != legal.format(t->due.at)) {
                fail(step, fmt::format("expected task '{}' due {}, but it is due {}", step.name, legal.format(*step.due),
                                       legal.format(t->due.at)));
              }
              break;
            }
            case Step::What::kTaskDone:
            case Step::What::kTaskCancelled: {
              const char* status = step.what == Step::What::kTaskDone ? "completed" : "cancelled";
              bool found = false;
              for (const auto& t : engine.tasks(all)) found |= t.at("step") == step.name && t.at("status") == status;
              if (!found) fail(step, fmt::format("expected task '{}' {}, but it is not", step.name, status));
              break;
            }
            case Step::What::kTaskAbsent:
              if (open_task() != nullptr) fail(step, fmt::format("expected no open task '{}', but there is one", step.name));
              break;
            case Step::What::kTaskNever:
              break;  // checked once the whole timeline has run
            case Step::What::kTimer: {
              bool ok = false;
              std::string actual = "not set";
              if (c != nullptr && c->named_timers.count(step.name) != 0) {
                auto timer = c->timers.find(c->named_timers.at(step.name));
                if (timer != c->timers.end()) {
                  actual = legal.format(timer->second.due.at);
                  ok = step.due && actual == legal.format(*step.due);
                }
              }
              if (!ok) fail(step, fmt::format("expected timer '{}' at {}, but it is {}", step.name,
                                              step.due ? legal.format(*step.due) : "?", actual));
              break;
            }
            case Step::What::kLevel: {
              int level = this_case.is_null() ? 0 : this_case.at("level").get<int>();
              if (level != step.level) fail(step, fmt::format("expected level {}, but it is {}", step.level, level));
              break;
            }
            case Step::What::kNotified: {
              bool found = false;
              for (const auto& n : engine.outbox()) {
                if (n.at("case") != id) continue;
                bool to_role = false;
                for (const auto& r : n.at("roles")) to_role |= r == step.role;
                found |= to_role && (!step.contains || n.at("message").get<std::string>().find(*step.contains) != std::string::npos);
              }
              if (!found) fail(step, fmt::format("expected a notification to {}{}, but there is none", step.role,
                                                 step.contains ? " saying \"" + *step.contains + "\"" : ""));
              break;
            }
            case Step::What::kRefused: {
              bool found = false;
              for (const auto& e : engine.audit(id)) {
                found |= e.at("kind") == "refused" &&
                         e.at("detail").at("reason").get<std::string>().find(*step.contains) != std::string::npos;
              }
              if (!found) fail(step, fmt::format("expected a refusal saying \"{}\", but there is none", *step.contains));
              break;
            }
            case Step::What::kEnded: {
              if (this_case.is_null() || this_case.at("status") == "running") {
                fail(step, "expected the case to have ended, but it is running");
              } else if (step.contains &&
                         this_case.at("end_reason").get<std::string>().find(*step.contains) == std::string::npos) {
                fail(step, fmt::format("expected it to end with \"{}\", but it ended with \"{}\"", *step.contains,
                                       this_case.at("end_reason").get<std::string>()));
              }
              break;
            }
            case Step::What::kRunning:
              if (c == nullptr) fail(step, "expected the case to be running, but it has ended");
              break;
          }
          break;
        }
      }
      catch_up();
    }
    store::TaskQuery every;
    every.case_id = id;
    every.open_only = false;
    Json opened_tasks = engine.tasks(every);
    for (const auto& step : s.steps) {
      if (step.kind != Step::Kind::kExpect || step.what != Step::What::kTaskNever) continue;
      for (const auto& t : opened_tasks) {
        if (t.at("step") == step.name) {
          fail(step, fmt::format("expected task '{}' never to open, but it opened at {}", step.name,
                                 t.at("opened").get<std::string>()));
          break;
        }
      }
    }
    engine.verify_audit();
    std::filesystem::remove(db);
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(db + suffix);
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace termijn::scenario
