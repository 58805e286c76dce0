#include "engine/simulation/simulation.h"

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <deque>
#include <mutex>
#include <queue>
#include <set>
#include <thread>

#include "engine/checker/checker.h"
#include "engine/driver/compilation.h"
#include "engine/frontend/loader.h"
#include "engine/runtime/runtime.h"
#include "engine/time/legal_time.h"

namespace termijn::simulation {

namespace {

constexpr double kMinute = 60'000.0;  // ms

// ---- preparing a scenario: its process, overlaid and checked ------------------------------------

struct Prepared {
  std::string name;
  Rules rules;
  std::shared_ptr<const model::Model> model;
  std::string process;  // the name to start (the overlay's, when there is one)
  std::vector<std::string> terms;
};

std::string suggestion(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best = closest_match(name, candidates);
  return best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best);
}

std::vector<std::string> task_names(const model::Process& p) {
  std::vector<std::string> out;
  for (const auto& n : p.nodes) {
    if (n.kind == model::NodeKind::kTask) out.push_back(n.name);
  }
  return out;
}

bool fits(const Json& v, const model::Type& t) {
  using K = model::Type::Kind;
  switch (t.kind) {
    case K::kBool: return v.is_boolean();
    case K::kInt: return v.is_number_integer();
    case K::kEnum: return v.is_string() && std::find(t.members.begin(), t.members.end(), v.get<std::string>()) != t.members.end();
    case K::kText: case K::kPerson: return v.is_string();
    case K::kList: return v.is_array();
    default: return true;
  }
}

void check_choice(const Choice& c, const model::Type& type, const std::string& what, const SourceRange& at,
                  DiagnosticList& d) {
  for (const auto& [value, p] : c.options) {
    if (!fits(value, type)) {
      d.error(at, fmt::format("{} cannot be {}{}", what, value.dump(),
                              type.members.empty() ? "" : fmt::format(" (its values: {})", fmt::join(type.members, ", "))));
    }
  }
}

void check_rules(const Rules& rules, const model::Process& p, const std::vector<Measure>& measures, DiagnosticList& d) {
  std::vector<std::string> tasks = task_names(p);
  auto find_task = [&](const std::string& name) -> const model::Node* {
    for (const auto& n : p.nodes) {
      if (n.kind == model::NodeKind::kTask && n.name == name) return &n;
    }
    return nullptr;
  };
  auto task_or_error = [&](const std::string& name, const SourceRange& at) -> const model::Node* {
    const model::Node* n = find_task(name);
    if (n == nullptr) d.error(at, fmt::format("process '{}' has no task '{}'{}", p.name, name, suggestion(name, tasks)));
    return n;
  };
  for (const auto& r : rules.durations) {
    if (!r.task.empty()) task_or_error(r.task, r.source.range);
  }
  for (const auto& r : rules.outputs) {
    const model::Node* n = task_or_error(r.task, r.source.range);
    if (n == nullptr) continue;
    std::vector<std::string> names;
    const model::Field* output = nullptr;
    for (const auto& o : n->outputs) {
      names.push_back(o.name);
      if (o.name == r.output) output = &o;
    }
    if (output == nullptr) {
      d.error(r.source.range, fmt::format("task '{}' has no output '{}'{}", r.task, r.output, suggestion(r.output, names)));
    } else {
      check_choice(r.choice, output->type, fmt::format("output '{}.{}'", r.task, r.output), r.source.range, d);
    }
  }
  std::vector<std::string> fields;
  for (const auto& f : p.fields) fields.push_back(f.name);
  for (const auto& r : rules.data) {
    auto f = std::find_if(p.fields.begin(), p.fields.end(), [&](const model::Field& f) { return f.name == r.field; });
    if (f == p.fields.end()) {
      d.error(r.source.range, fmt::format("process '{}' has no case field '{}'{}", p.name, r.field, suggestion(r.field, fields)));
    } else {
      check_choice(r.choice, f->type, fmt::format("case field '{}'", r.field), r.source.range, d);
    }
  }
  for (const auto& r : rules.events) {
    if (std::find(p.events.begin(), p.events.end(), r.event) == p.events.end()) {
      d.error(r.source.range, fmt::format("process '{}' has no event '{}'{}", p.name, r.event, suggestion(r.event, p.events)));
    }
  }
  std::vector<std::string> starts;
  for (auto s : p.starts) starts.push_back(p.nodes.at(s).target);
  for (const auto& s : rules.starts) {
    if (std::find(starts.begin(), starts.end(), s.event) == starts.end()) {
      d.error(rules.process_range, fmt::format("process '{}' does not start on '{}' (it starts on: {})", p.name, s.event,
                                               fmt::join(starts, ", ")));
    }
  }
  for (const auto& pool : rules.pools) {
    if (std::find(p.roles.begin(), p.roles.end(), pool.role) == p.roles.end()) {
      d.error(pool.source.range, fmt::format("process '{}' has no role '{}'{}", p.name, pool.role, suggestion(pool.role, p.roles)));
    }
  }
  for (const auto& m : measures) {
    bool any = std::any_of(m.tasks.begin(), m.tasks.end(), [&](const std::string& t) { return find_task(t) != nullptr; });
    if (!any) {
      d.error(m.range, fmt::format("process '{}' has none of the tasks of measure \"{}\" ({}){}", p.name, m.label,
                                   fmt::join(m.tasks, ", "), suggestion(m.tasks.front(), tasks)));
    }
  }
}

std::optional<Prepared> prepare(const std::string& name, const Rules& rules, const Spec& spec,
                                const std::vector<std::filesystem::path>& stdlib_dirs, int index, DiagnosticList& d) {
  Prepared out{name, rules, nullptr, *rules.process, {}};
  Compilation base = compile_paths({rules.file->string()}, stdlib_dirs);
  if (!base.unreadable.empty()) {
    d.error(rules.process_range, fmt::format("cannot read '{}'", rules.file->string()));
    return std::nullopt;
  }
  if (base.diagnostics.has_errors()) {
    for (const auto& diagnostic : base.diagnostics.all()) d.add(diagnostic);
    return std::nullopt;
  }
  const model::Process* p = base.model->find(*rules.process);
  if (p == nullptr) {
    std::vector<std::string> names;
    for (const auto& q : base.model->processes) names.push_back(q->name);
    d.error(rules.process_range, fmt::format("'{}' has no process '{}'{}", rules.file->filename().string(), *rules.process,
                                             suggestion(*rules.process, names)));
    return std::nullopt;
  }
  int before = d.error_count();
  check_rules(rules, *p, spec.measures, d);
  std::vector<std::string> overrides;
  for (const auto& t : rules.terms) {
    const model::LegalTerm* term = p->find_term(t.qualified);
    if (term == nullptr) {
      std::vector<std::string> used;
      for (const auto& u : p->terms) used.push_back(u.qualified());
      d.error(t.range, fmt::format("process '{}' uses no term '{}'{}", p->name, t.qualified, suggestion(t.qualified, used)));
    } else if (term->value.kind != t.value.kind) {
      d.error(t.range, fmt::format("'{}' is counted in {}, not in {}", t.qualified, kind_name(term->value.kind),
                                   kind_name(t.value.kind)));
    }
    overrides.push_back(fmt::format("{} = {}", t.qualified, to_string(t.value)));
  }
  if (d.error_count() > before) return std::nullopt;
  out.terms = overrides;
  if (overrides.empty()) {
    out.model = base.model;
    return out;
  }
  // The overlay: a generated variant beside the process file, so `import` finds it as written.
  out.process = fmt::format("{}__scenario_{}", p->name, index);
  // The same version as the process it overlays: a case on it is the same case, under other terms.
  std::string text = fmt::format("import \"{}\"\nprocess {} version {} extends {} {{\n  terms {{\n",
                                 rules.file->filename().string(), out.process, p->version, p->name);
  for (const auto& o : overrides) text += "    " + o + "\n";
  text += "  }\n}\n";
  ProgramLoader loader(stdlib_dirs);
  DiagnosticList overlay;
  loader.add_text((rules.file->parent_path() / fmt::format("__{}.wth", out.process)).string(), text, overlay);
  LoadedProgram program = loader.finish();
  out.model = overlay.has_errors() ? nullptr : check_program(program, overlay);
  if (out.model == nullptr || overlay.has_errors()) {
    for (const auto& diagnostic : overlay.all()) d.add(diagnostic);
    return std::nullopt;
  }
  return out;
}

// ---- one replication ----------------------------------------------------------------------------

class Replication {
 public:
  Replication(const Prepared& prepared, const Spec& spec, int replication, bool keep_cases)
      : prepared_(prepared), rules_(prepared.rules), spec_(spec), replication_(replication), keep_cases_(keep_cases),
        runtime_(legal_) {
    for (const auto& p : prepared.model->processes) runtime_.add_definition(p);
    process_ = runtime_.latest(prepared.process);
    begin_ = *parse_instant(spec.start_date + " 00:00");
    warm_ = begin_ + std::chrono::hours(24) * spec.warmup_days;
    end_arrivals_ = warm_ + std::chrono::hours(24) * spec.period_days;
    horizon_ = end_arrivals_ + std::chrono::hours(24) * spec.drain_days;
    for (const auto& pool : rules_.pools) pools_[pool.role] = PoolState{&pool, 0, {}};
  }

  ReplicationResult run() {
    schedule_arrivals();
    for (;;) {
      std::optional<Instant> timer;
      if (auto due = runtime_.next_due()) timer = due->first;
      std::optional<Instant> next = queue_.empty() ? std::nullopt : std::optional<Instant>(queue_.top().at);
      if (!timer && !next) break;
      Instant t = !next || (timer && *timer <= *next) ? *timer : *next;
      if (t > horizon_) break;
      if (timer && *timer == t && (!next || *timer <= *next)) {
        fire_timers(t);
      } else {
        Event e = queue_.top();
        queue_.pop();
        handle(e);
      }
    }
    return finish();
  }

 private:
  enum class Kind { kArrival, kComplete, kSignal, kPoolOpens, kRelease };
  struct Event {
    Instant at;
    std::uint64_t seq;
    Kind kind;
    std::int64_t index = 0;  // arrival number
    runtime::TaskId task = 0;
    double minutes = 0;  // kComplete: the work it took (effort)
    std::string name;    // kSignal: the event; kPoolOpens: the role
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const { return a.at != b.at ? a.at > b.at : a.seq > b.seq; }
  };
  struct PoolState {
    const Pool* pool;
    int busy;
    std::deque<std::pair<runtime::TaskId, Instant>> waiting;  // task, when it opened
  };
  struct CaseStats {
    std::int64_t index = 0;
    Instant arrival;
    bool measured = false;  // arrived after the warm-up, within the period
    std::set<std::string> milestones, timers_moved;
    std::string stage;
    Instant stage_since;
    std::map<std::string, double> stage_minutes;
    std::map<std::string, double> first_done;  // task -> minutes after arrival
    std::optional<Instant> ended;
    std::string end_reason;
    std::vector<std::string> trace;
    std::vector<CaseEvent> events;
  };

  void push(Event e) {
    e.seq = seq_++;
    queue_.push(std::move(e));
  }

  // A Poisson stream; with a weekday or hour profile, thinned from the peak rate (Lewis-Shedler).
  void schedule_arrivals() {
    Rng rng(spec_.seed, replication_, 0, "arrivals");
    const auto& days = rules_.weekday_profile;
    const auto& hours = rules_.hour_profile;
    double peak = (days.empty() ? 1.0 : *std::max_element(days.begin(), days.end())) *
                  (hours.empty() ? 1.0 : *std::max_element(hours.begin(), hours.end()));
    double mean_gap = 1440.0 / (*rules_.arrivals_per_day * peak);
    Instant t = begin_;
    for (std::int64_t i = 1;;) {
      t += std::chrono::milliseconds(static_cast<std::int64_t>(rng.exponential(mean_gap) * kMinute));
      if (t >= end_arrivals_) break;
      if (peak != 1.0 || !days.empty() || !hours.empty()) {
        auto local = legal_.to_local(t);
        auto day = date::floor<date::days>(local);
        unsigned monday_first = (date::weekday(day).c_encoding() + 6) % 7;
        auto hour = std::chrono::duration_cast<std::chrono::hours>(local - day).count();
        double w = (days.empty() ? 1.0 : days[monday_first]) * (hours.empty() ? 1.0 : hours[static_cast<std::size_t>(hour)]);
        if (rng.uniform() * peak >= w) continue;
      }
      push(Event{t, 0, Kind::kArrival, i++, 0, 0, ""});
    }
  }

  void handle(const Event& e) {
    switch (e.kind) {
      case Kind::kArrival: return arrive(e);
      case Kind::kComplete: return complete(e);
      case Kind::kSignal: return signal(e);
      case Kind::kPoolOpens: return serve_queue(e.name, e.at);
      case Kind::kRelease:
        --pools_.at(e.name).busy;
        return serve_queue(e.name, e.at);
    }
  }

  void arrive(const Event& e) {
    Rng data_rng(spec_.seed, replication_, e.index, "data");
    Json data = Json::object();
    for (const auto& f : process_->fields) {
      auto rule = std::find_if(rules_.data.begin(), rules_.data.end(), [&](const DataRule& r) { return r.field == f.name; });
      if (rule != rules_.data.end()) {
        data[f.name] = rule->choice.pick(data_rng);
      } else if (f.type.kind == model::Type::Kind::kBool) {
        data[f.name] = false;
        assume(fmt::format("case field '{}' is always false (no 'data' line)", f.name));
      } else if (f.type.kind == model::Type::Kind::kDateTime) {
        // A moment the case carries (the arrest) happens, in the model, as the case arrives: the
        // whole second at or after it, so that it never lies before the arrival.
        data[f.name] = to_iso_utc(std::chrono::ceil<std::chrono::seconds>(e.at));
        assume(fmt::format("case field '{}' is the moment the case arrives (no 'data' line)", f.name));
      }
    }
    std::string event;
    if (!rules_.starts.empty()) {
      Rng start_rng(spec_.seed, replication_, e.index, "start");
      double u = start_rng.uniform();
      event = rules_.starts.back().event;
      for (const auto& s : rules_.starts) {
        if (u < s.probability) {
          event = s.event;
          break;
        }
        u -= s.probability;
      }
    }
    runtime::Changes changes;
    auto id = runtime_.start(prepared_.process, event, data, e.at, changes);
    if (!id.is_ok()) {
      ++refused_;
      return;
    }
    CaseStats& stats = cases_[*id];
    stats.index = e.index;
    stats.arrival = e.at;
    stats.measured = e.at >= warm_;
    ++started_;
    apply(changes, e.at);
    for (const auto& rule : rules_.events) {
      Rng rng(spec_.seed, replication_, e.index, "event:" + rule.event);
      if (rng.uniform() >= rule.probability) continue;
      double after = rule.after.sample(rng);
      push(Event{e.at + std::chrono::milliseconds(static_cast<std::int64_t>(after * kMinute)), 0, Kind::kSignal, e.index,
                 0, 0, rule.event});
      signal_case_[e.index] = *id;
    }
  }

  void signal(const Event& e) {
    runtime::Changes changes;
    runtime::CaseId id = signal_case_[e.index];
    if (runtime_.find_case(id) == nullptr) return;  // ended before the event came
    Status s = runtime_.signal(id, e.name, Json::object(), e.at, changes);
    if (!s.is_ok()) return;  // nothing listened: the event came too late or too early to matter
    apply(changes, e.at);
  }

  void fire_timers(Instant t) {
    for (runtime::TimerId id : runtime_.due_timers(t, 256)) {
      runtime::Changes changes;
      if (runtime_.fire(id, t, changes).is_ok()) apply(changes, t);
    }
  }

  // A task opened: it is worked on at once, or waits for a worker of its role.
  void opened(const runtime::Task& task, Instant at) {
    auto pool = pools_.find(task.role);
    if (pool == pools_.end()) {
      start_work(task.id, task.case_id, task.name, at);
      return;
    }
    pool->second.waiting.emplace_back(task.id, at);
    serve_queue(task.role, at);
  }

  // Schedules the task's completion; returns the work it takes (minutes), for a pool's worker.
  double start_work(runtime::TaskId task, runtime::CaseId case_id, const std::string& step, Instant at) {
    // A sub-process's tasks draw from the stream of the case that called it.
    auto root = cases_.find(root_of(case_id));
    std::int64_t index = root == cases_.end() ? 0 : root->second.index;
    Rng rng(spec_.seed, replication_, index, fmt::format("duration:{}:{}", step, occurrence_[{index, step}]++));
    const DurationRule& rule = duration_for(step);
    double minutes = rule.distribution.sample(rng);
    double effort = rule.effort ? rule.effort->sample(rng) : minutes;
    if (!rule.effort && rule.distribution.mean() > 1440) {
      assume(fmt::format("the work on '{}' is counted as its whole duration (no 'effort')", step));
    }
    push(Event{at + std::chrono::milliseconds(static_cast<std::int64_t>(minutes * kMinute)), 0, Kind::kComplete, index,
               task, effort, ""});
    return effort;
  }

  const DurationRule& duration_for(const std::string& step) {
    const DurationRule* fallback = nullptr;
    for (const auto& r : rules_.durations) {
      if (r.task == step) return r;
      if (r.task.empty()) fallback = &r;
    }
    if (fallback != nullptr) return *fallback;
    assume("tasks without a 'duration' line take 1 hour");
    static const DurationRule kOneHour{"", Distribution{Distribution::Kind::kFixed, 60, 0, 0, {}}, {}, std::nullopt};
    return kOneHour;
  }

  // Office hours: Monday to Friday, in Amsterdam time.
  bool open_at(const Pool& pool, Instant t, Instant* next_open) const {
    if (!pool.office_hours) return true;
    auto local = legal_.to_local(t);
    auto day = date::floor<date::days>(local);
    auto minute = std::chrono::duration_cast<std::chrono::minutes>(local - day).count();
    unsigned weekday = date::weekday(day).c_encoding();  // 0 = Sunday
    if (weekday >= 1 && weekday <= 5 && minute >= pool.open && minute < pool.close) return true;
    // The next opening: today if before opening on a weekday, else the next weekday.
    auto candidate = day;
    if (!(weekday >= 1 && weekday <= 5 && minute < pool.open)) candidate += date::days(1);
    while (date::weekday(candidate).c_encoding() == 0 || date::weekday(candidate).c_encoding() == 6) {
      candidate += date::days(1);
    }
    *next_open = legal_.from_local(candidate + std::chrono::minutes(pool.open));
    return false;
  }

  void serve_queue(const std::string& role, Instant at) {
    PoolState& state = pools_.at(role);
    while (state.busy < state.pool->capacity && !state.waiting.empty()) {
      Instant next_open;
      if (!open_at(*state.pool, at, &next_open)) {
        if (!wakeup_pending_[role]) {
          wakeup_pending_[role] = true;
          push(Event{next_open, 0, Kind::kPoolOpens, 0, 0, 0, role});
        }
        return;
      }
      auto [task_id, since] = state.waiting.front();
      state.waiting.pop_front();
      const runtime::Task* task = runtime_.find_task(task_id);
      if (task == nullptr || task->status != runtime::TaskStatus::kOpen) continue;  // cancelled while waiting
      ++state.busy;
      if (measured_case(task->case_id)) waits_[role].push_back((at - since).count() / kMinute / 60);
      // The worker is busy for the work itself; the task may take longer to close (a year of
      // monitoring holds no one for a year).
      double effort = start_work(task_id, task->case_id, task->name, at);
      push(Event{at + std::chrono::milliseconds(static_cast<std::int64_t>(effort * kMinute)), 0, Kind::kRelease, 0, 0, 0, role});
    }
    wakeup_pending_[role] = false;
  }

  void complete(const Event& e) {
    const runtime::Task* task = runtime_.find_task(e.task);
    if (task != nullptr && task->status == runtime::TaskStatus::kOpen) {
      const model::Process& definition = *runtime_.definition(runtime_.find_case(task->case_id)->hash);
      const model::Node& node = definition.nodes.at(task->node);
      Rng rng(spec_.seed, replication_, e.index, fmt::format("outputs:{}:{}", task->name, outputs_drawn_[{e.index, task->name}]++));
      Json outputs = Json::object();
      const model::Instrument* instrument = node.instrument.empty() ? nullptr : definition.find_instrument(node.instrument);
      for (const auto& o : node.outputs) {
        if (instrument != nullptr && model::is_record(o.name)) continue;
        outputs[o.name] = output_for(task->name, o, rng, instrument);
      }
      if (instrument != nullptr) draw_outcome(task->name, outputs, rng);
      std::string role = task->role;
      runtime::CaseId case_id = task->case_id;
      runtime::Changes changes;
      Status status = runtime_.complete(e.task, role, outputs, e.at, changes);
      if (status.is_ok()) {
        if (measured_case(case_id)) workload_[role] += e.minutes / 60;
        apply(changes, e.at);
      } else {
        // Reported, not hidden: a refusal means the process or the figures do not fit together.
        if (refused_++ == 0) assume(fmt::format("commands were refused, the first because: {}", status.message()));
      }
    }
  }

  // An instrument's outcome is computed by the engine from the answers. An `output TASK.outcome`
  // line draws the decision instead: the drawn outcome is given, with the motivation that a
  // decision other than the computed one needs.
  void draw_outcome(const std::string& task, Json& outputs, Rng& rng) {
    for (const auto& r : rules_.outputs) {
      if (r.task != task || r.output != model::kOutcome) continue;
      outputs[model::kOutcome] = r.choice.pick(rng);
      outputs[model::kMotivation] = "getrokken door de simulatie";
      return;
    }
  }

  Json output_for(const std::string& task, const model::Field& o, Rng& rng, const model::Instrument* instrument) {
    for (const auto& r : rules_.outputs) {
      if (r.task == task && r.output == o.name) return r.choice.pick(rng);
    }
    if (instrument != nullptr && instrument->has_item(o.name)) {
      assume(fmt::format("the items of instrument '{}' in task '{}' without an 'output' line are answered '{}'",
                         instrument->name, task, instrument->scale.front()));
      return instrument->scale.front();
    }
    using K = model::Type::Kind;
    switch (o.type.kind) {
      case K::kBool:
        assume(fmt::format("output '{}.{}' is always true (no 'output' line)", task, o.name));
        return true;
      case K::kEnum:
        assume(fmt::format("output '{}.{}' is always '{}' (no 'output' line)", task, o.name, o.type.members.front()));
        return o.type.members.front();
      case K::kInt: return 0;
      case K::kList: return Json::array();
      default: return "";
    }
  }

  bool measured_case(runtime::CaseId id) {
    auto it = cases_.find(root_of(id));
    return it != cases_.end() && it->second.measured;
  }
  runtime::CaseId root_of(runtime::CaseId id) const {
    auto it = parent_.find(id);
    return it == parent_.end() ? id : root_of(it->second);
  }

  // Makes a step live and reads what it did.
  void apply(runtime::Changes& changes, Instant at) {
    runtime_.apply(changes);
    for (const auto& entry : changes.audit) observe(entry, at);
    for (const auto& [id, task] : changes.tasks) {
      if (task.status == runtime::TaskStatus::kOpen && seen_tasks_.insert(id).second) opened(task, at);
    }
  }

  void observe(const runtime::AuditEntry& e, Instant at) {
    if (e.kind == "sub-process started") parent_[e.detail.value("case", std::int64_t{0})] = e.case_id;
    runtime::CaseId root = root_of(e.case_id);
    auto it = cases_.find(root);
    if (it == cases_.end()) return;
    CaseStats& c = it->second;
    double minutes = (at - c.arrival).count() / kMinute;
    if (keep_cases_) {
      // Engine ids and the definition's hash differ between scenarios by construction; the
      // course of the case is what is compared.
      Json detail = e.detail;
      for (const char* id : {"task", "timer_id", "case", "hash", "process"}) detail.erase(id);
      c.trace.push_back(fmt::format("{:.0f} {} {}", minutes, e.kind, detail.dump()));
      // What the event concerns, by the names the runtime's audit entries use.
      std::string activity;
      for (const char* name : {"step", "timer", "stage", "event"}) {
        if (auto it = detail.find(name); it != detail.end() && it->is_string()) {
          activity = it->get<std::string>();
          break;
        }
      }
      c.events.push_back(CaseEvent{at, e.kind, activity, detail.value("role", ""), detail.dump()});
    }
    if (!c.measured) return;
    if (e.kind == "milestone reached") c.milestones.insert(e.detail.value("step", ""));
    if (e.kind == "timer moved") c.timers_moved.insert(e.detail.value("timer", ""));
    if (e.kind == "task completed") {
      std::string step = e.detail.value("step", "");
      c.first_done.emplace(step, minutes);
      if (e.detail.value("late", false)) ++late_[step];
    }
    if (e.kind == "escalated") {
      ++escalations_[fmt::format("{} rung {}", e.detail.value("step", ""), e.detail.value("rung", 0))];
    }
    if (root != e.case_id) return;  // stages and ends of sub-processes are theirs
    if (e.kind == "stage entered") {
      leave_stage(c, at);
      c.stage = e.detail.value("stage", "");
      c.stage_since = at;
    }
    if (e.kind == "case ended") {
      leave_stage(c, at);
      c.ended = at;
      c.end_reason = e.detail.value("reason", "");
    }
  }

  static void leave_stage(CaseStats& c, Instant at) {
    if (!c.stage.empty()) c.stage_minutes[c.stage] += (at - c.stage_since).count() / kMinute;
    c.stage.clear();
  }

  void assume(const std::string& text) { assumptions_.insert(text); }

  ReplicationResult finish() {
    ReplicationResult out;
    out.cases_simulated = started_;
    std::map<std::string, double>& k = out.kpis;
    double measured = 0, open = 0;
    std::map<std::string, double> milestones, moved, stage_days, stage_cases, measure_sum, measure_n;
    for (const auto& m : spec_.measures) measure_sum[m.label] = 0;
    for (auto& [id, c] : cases_) {
      if (!c.measured) continue;
      ++measured;
      if (!c.ended) {
        ++open;
        leave_stage(c, horizon_);
      }
      for (const auto& m : c.milestones) ++milestones[m];
      for (const auto& t : c.timers_moved) ++moved[t];
      for (const auto& [stage, minutes] : c.stage_minutes) {
        stage_days[stage] += minutes / 1440;
        ++stage_cases[stage];
      }
      for (const auto& m : spec_.measures) {
        std::optional<double> first;
        for (const auto& t : m.tasks) {
          if (auto done = c.first_done.find(t); done != c.first_done.end() && (!first || done->second < *first)) {
            first = done->second;
          }
        }
        if (!first) continue;
        measure_sum[m.label] += *first / 60;
        ++measure_n[m.label];
      }
    }
    k["1 cases started"] = measured;
    for (const auto& node : process_->nodes) {
      if (node.kind == model::NodeKind::kMilestone) k["2 reached " + node.name + " (share)"] = share(milestones[node.name], measured);
    }
    for (const auto& [timer, n] : moved) k["3 timer " + timer + " moved (share)"] = share(n, measured);
    for (const auto& [stage, days] : stage_days) k["4 days in stage " + stage + " (mean)"] = days / stage_cases[stage];
    double late_total = 0;
    for (const auto& [task, n] : late_) {
      k["5 deadline missed: " + task] = n;
      late_total += n;
    }
    k["5 deadlines missed (all tasks)"] = late_total;
    for (const auto& [rung, n] : escalations_) k["6 escalations: " + rung] = n;
    for (const auto& [role, hours] : workload_) k["7 workload hours: " + role] = hours;
    for (const auto& [role, waits] : waits_) {
      double sum = 0;
      for (double w : waits) sum += w;
      k["8 queue wait hours: " + role + " (mean)"] = waits.empty() ? 0 : sum / waits.size();
    }
    for (const auto& m : spec_.measures) {
      k["9 " + m.label + " (hours, mean)"] = measure_n[m.label] > 0 ? measure_sum[m.label] / measure_n[m.label] : 0;
    }
    k["9z still open at the end"] = open;
    k["9zz commands refused"] = refused_;
    if (keep_cases_) {
      for (auto& [id, c] : cases_) {
        CaseRecord record;
        record.index = c.index;
        record.arrival = c.arrival;
        record.measured = c.measured;
        record.ended = c.ended;
        record.end_reason = c.end_reason;
        record.trace = std::move(c.trace);
        record.events = std::move(c.events);
        out.cases.push_back(std::move(record));
      }
    }
    return out;
  }

  static double share(double n, double of) { return of > 0 ? n / of : 0; }

 public:
  std::set<std::string> assumptions_;

 private:
  const Prepared& prepared_;
  const Rules& rules_;
  const Spec& spec_;
  int replication_;
  bool keep_cases_;
  LegalTime legal_;
  runtime::Runtime runtime_;
  const model::Process* process_ = nullptr;
  Instant begin_, warm_, end_arrivals_, horizon_;
  std::priority_queue<Event, std::vector<Event>, Later> queue_;
  std::uint64_t seq_ = 0;
  std::map<runtime::CaseId, CaseStats> cases_;
  std::map<runtime::CaseId, runtime::CaseId> parent_;
  std::map<std::int64_t, runtime::CaseId> signal_case_;
  std::set<runtime::TaskId> seen_tasks_;
  std::map<std::pair<std::int64_t, std::string>, int> occurrence_, outputs_drawn_;
  std::map<std::string, PoolState> pools_;
  std::map<std::string, bool> wakeup_pending_;
  std::map<std::string, double> workload_;
  std::map<std::string, std::vector<double>> waits_;
  std::map<std::string, double> late_, escalations_;
  std::int64_t started_ = 0, refused_ = 0;
};

// Student's t, two-sided 95 %, for `df` degrees of freedom (Boost.Math). A hand table that
// jumped to the normal's 1.96 after 30 understated every interval between 31 and infinity
// (2.021 at 40, 2.000 at 60).
double t95(int df) {
  if (df < 1) return 0;
  return boost::math::quantile(boost::math::students_t(df), 0.975);
}

}  // namespace

KpiSummary summarise(std::string name, std::vector<double> values) {
  KpiSummary s;
  s.name = std::move(name);
  s.values = std::move(values);
  double n = static_cast<double>(s.values.size());
  if (n == 0) return s;
  for (double v : s.values) s.mean += v;
  s.mean /= n;
  if (n < 2) return s;
  double ss = 0;
  for (double v : s.values) ss += (v - s.mean) * (v - s.mean);
  s.half_width = t95(static_cast<int>(n) - 1) * std::sqrt(ss / (n - 1)) / std::sqrt(n);
  return s;
}

std::optional<SimulationResult> simulate(const Spec& spec, const std::vector<std::filesystem::path>& stdlib_dirs,
                                         DiagnosticList& d, const RunOptions& options) {
  std::vector<Scenario> scenarios = spec.scenarios;
  if (scenarios.empty()) scenarios.push_back(Scenario{"baseline", {}, {}});
  std::vector<Prepared> prepared;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    Rules rules = effective_rules(spec.baseline, scenarios[i].rules);
    if (!rules.process || !rules.arrivals_per_day) return std::nullopt;
    auto p = prepare(scenarios[i].name, rules, spec, stdlib_dirs, static_cast<int>(i), d);
    if (p) prepared.push_back(std::move(*p));
  }
  if (d.has_errors()) return std::nullopt;

  SimulationResult result;
  result.title = spec.title;
  result.seed = spec.seed;
  result.replications = spec.replications;
  result.period_days = spec.period_days;
  result.warmup_days = spec.warmup_days;
  auto clock_start = std::chrono::steady_clock::now();
  // Every (scenario, replication) is a job; results land in their slot, so the order of finishing
  // does not change the output.
  const int jobs = static_cast<int>(prepared.size()) * spec.replications;
  std::vector<ReplicationResult> results(static_cast<std::size_t>(jobs));
  std::vector<std::set<std::string>> assumptions(static_cast<std::size_t>(jobs));
  std::atomic<int> next{0}, done{0};
  std::mutex progress;
  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto worker = [&] {
    for (int job = next++; job < jobs; job = next++) {
      const Prepared& p = prepared[static_cast<std::size_t>(job / spec.replications)];
      int r = job % spec.replications;
      bool keep = options.keep_cases && (options.keep_cases_replications <= 0 || r < options.keep_cases_replications);
      Replication replication(p, spec, r, keep);
      results[static_cast<std::size_t>(job)] = replication.run();
      assumptions[static_cast<std::size_t>(job)] = std::move(replication.assumptions_);
      int finished = ++done;
      if (options.progress) {
        std::lock_guard lock(progress);
        options.progress(finished, jobs);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::min(threads, jobs); ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();

  std::set<std::string> all_assumptions;
  for (const auto& a : assumptions) all_assumptions.insert(a.begin(), a.end());
  auto note_source = [&](const Source& s, const std::string& what) {
    if (s.assumption()) all_assumptions.insert(fmt::format("{} (no source given)", what));
  };
  for (const auto& p : prepared) {
    for (const auto& r : p.rules.data) note_source(r.source, "case mix: " + r.field);
    for (const auto& r : p.rules.outputs) note_source(r.source, fmt::format("outcome: {}.{}", r.task, r.output));
    for (const auto& r : p.rules.durations) note_source(r.source, "duration: " + (r.task.empty() ? "default" : r.task));
    for (const auto& r : p.rules.events) note_source(r.source, "event: " + r.event);
    for (const auto& r : p.rules.pools) note_source(r.source, "capacity: " + r.role);
  }
  result.assumptions.assign(all_assumptions.begin(), all_assumptions.end());

  // KPI names over all scenarios, in report order (their sort keys); a KPI a scenario lacks is 0.
  std::set<std::string> names;
  for (const auto& r : results) {
    for (const auto& [name, _] : r.kpis) names.insert(name);
  }
  auto label = [](const std::string& key) { return key.substr(key.find(' ') + 1); };
  for (std::size_t s = 0; s < prepared.size(); ++s) {
    ScenarioResult sr;
    sr.name = prepared[s].name;
    sr.process = *prepared[s].rules.process;
    sr.terms = prepared[s].terms;
    for (int r = 0; r < spec.replications; ++r) {
      sr.replications.push_back(std::move(results[s * spec.replications + static_cast<std::size_t>(r)]));
      result.cases_simulated += sr.replications.back().cases_simulated;
    }
    for (const auto& name : names) {
      std::vector<double> values, diffs;
      for (int r = 0; r < spec.replications; ++r) {
        auto value_of = [&](const ReplicationResult& rr) {
          auto it = rr.kpis.find(name);
          return it == rr.kpis.end() ? 0.0 : it->second;
        };
        values.push_back(value_of(sr.replications[static_cast<std::size_t>(r)]));
        if (s > 0) diffs.push_back(values.back() - value_of(result.scenarios[0].replications[static_cast<std::size_t>(r)]));
      }
      sr.kpis.push_back(summarise(label(name), values));
      if (s > 0) sr.difference.push_back(summarise(label(name), diffs));
    }
    result.scenarios.push_back(std::move(sr));
  }
  return result;
}

}  // namespace termijn::simulation
