#include "engine/simulation/internal/replication.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "engine/base/json_text.h"
#include "engine/runtime/runtime.h"
#include "engine/simulation/internal/few.h"
#include "engine/simulation/internal/pool_discipline.h"
#include "engine/time/holidays.h"
#include "engine/time/legal_time.h"

namespace termijn::simulation::internal {

namespace {

constexpr double kMinute = 60'000.0;  // ms
// Arrival numbers of a second (third, ...) stream start at 1e9 (2e9, ...): far above any
// stream's count (the budget allows a million cases a replication, warm-up included).
constexpr std::int64_t kStreamSpacing = 1'000'000'000;
const std::string kNone;  // the main stream's start event: the process's own choice
const Json kDrawnMotivation = "getrokken door de simulatie";  // of an instrument's outcome a line draws

// `minutes` after `at`, saturated: a draw from a long-tailed distribution may be huge, and a
// double beyond the range of milliseconds must not reach the cast. A thousand years is after
// any horizon.
Instant later(Instant at, double minutes) {
  constexpr double kLongest = 1000.0 * 366 * 1440;
  double bounded = std::isfinite(minutes) ? std::clamp(minutes, 0.0, kLongest) : kLongest;
  return at + std::chrono::milliseconds(static_cast<std::int64_t>(bounded * kMinute));
}

// Thrown when a command that kept no undo log was refused half way (Runtime::spoiled): the
// replication starts over, every command keeping its log.
struct StartOver {};

class Replication {
 public:
  Replication(const Prepared& prepared, const Spec& spec, int replication, bool keep_cases, UndoLogs undo)
      : prepared_(prepared), rules_(prepared.rules), spec_(spec), replication_(replication), keep_cases_(keep_cases),
        undo_always_(undo == UndoLogs::kAlways), runtime_(legal_) {
    runtime_.set_explain_deadlines(false);  // the figures need the moments, not their explanation
    // The figures read the audit's facts; the event log (kept cases) its JSON detail too.
    if (!keep_cases) runtime_.set_recording(runtime::Runtime::Recording::kFacts, read());
    runtime_.set_in_place(true);  // no copy of a case per command
    runtime_.set_undo_log(undo_always_);
    for (const auto& p : prepared.model->processes) runtime_.add_definition(p);
    process_ = runtime_.latest(prepared.process);
    begin_ = *parse_instant(spec.start_date + " 00:00");
    warm_ = begin_ + std::chrono::hours(24) * spec.warmup_days;
    end_arrivals_ = warm_ + std::chrono::hours(24) * spec.period_days;
    horizon_ = end_arrivals_ + std::chrono::hours(24) * spec.drain_days;
    for (const auto& pool : rules_.pools) {
      pools_.emplace(pool.role, PoolState{&pool, Roster(pool, legal_, holidays_), 0, {}, std::nullopt});
    }
    for (const auto& rule : rules_.outputs) {
      for (const auto& c : rule.when) {
        if (!c.term) read_.insert(c.name);
      }
    }
  }

  ReplicationResult run() {
    // The main stream keeps arrival numbers 1, 2, ...; another stream's cases are numbered apart,
    // so each stream's cases draw the same numbers whichever other streams run beside it.
    open_stream(*rules_.arrivals_per_day, kNone, "arrivals", 0);
    for (std::size_t s = 0; s < rules_.streams.size(); ++s) {
      const ArrivalStream& stream = rules_.streams[s];
      open_stream(stream.per_day, stream.event, "arrivals:" + stream.event, static_cast<std::int64_t>(s + 1) * kStreamSpacing);
    }
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
  struct TaskRules;
  enum class Kind { kArrival, kComplete, kSignal, kPoolOpens, kRelease };
  struct Event {
    Instant at;
    std::uint64_t seq;
    Kind kind;
    std::int64_t index = 0;  // arrival number
    runtime::TaskId task = 0;
    double minutes = 0;  // kComplete: the work it took (effort)
    // kSignal: the event; kPoolOpens, kRelease: the role; kArrival: the stream's start event. Texts
    // the rules and pools keep for the whole run: an event is moved about in the queue, and small
    // and plain it moves cheaply.
    const std::string* name = &kNone;
    std::size_t stream = 0;  // kArrival: its stream (arrivals_)
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const { return a.at != b.at ? a.at > b.at : a.seq > b.seq; }
  };
  struct PoolState {
    const Pool* pool;
    Roster roster;
    int busy;
    std::vector<Waiting> waiting;  // in order of opening
    std::optional<Instant> wake;   // the earliest wake (kPoolOpens) asked for and not yet come
  };
  // How many durations and outputs were drawn so far for each task of a case: the n-th draw has
  // a stream of its own ("duration:horen:0", "duration:horen:1", ...). By the task's name as
  // TaskRules::step holds it: one text per task, compared by its address.
  struct Draws {
    Few<const std::string*, int> durations, outputs;
  };
  struct CaseStats {
    std::int64_t index = 0;
    Draws draws;
    Instant arrival;
    bool measured = false;  // arrived after the warm-up, within the period
    std::string stream;
    Json data;
    // "task.output" -> the latest value given, of the outputs a line's condition reads.
    std::map<std::string, Json> outputs;
    // Names are views of the definitions' (AuditFact::node), which outlive the replication.
    Few<std::string_view> milestones, timers_set, timers_moved;
    std::string_view stage;
    Instant stage_since;
    Few<std::string_view, double> stage_minutes;
    Few<std::string_view, double> first_done;  // task -> minutes after arrival
    std::optional<Instant> ended;
    std::string end_reason;
    std::vector<CaseEvent> events;
  };

  // Events queue in the order they are pushed (at the same moment), after every arrival.
  static constexpr std::uint64_t kAfterArrivals = std::uint64_t{1} << 62;
  void push(Event e) {
    e.seq = kAfterArrivals + seq_++;
    queue_.push(std::move(e));
  }

  // A Poisson stream of arrivals; with a weekday or hour profile, thinned from the peak rate
  // (Lewis-Shedler). Drawn one arrival at a time, as the run reaches the one before it: the queue
  // holds each stream's next arrival, not the year's.
  struct Arrivals {
    Rng rng;
    const std::string* event;  // the stream's start event (kNone: the process's own choice)
    double peak, mean_gap;     // in minutes
    Instant last;
    std::int64_t next;  // the next arrival's number
  };
  void open_stream(double per_day, const std::string& event, const std::string& purpose, std::int64_t first) {
    const auto& days = rules_.weekday_profile;
    const auto& hours = rules_.hour_profile;
    double peak = (days.empty() ? 1.0 : *std::max_element(days.begin(), days.end())) *
                  (hours.empty() ? 1.0 : *std::max_element(hours.begin(), hours.end()));
    arrivals_.push_back(Arrivals{Rng(spec_.seed, replication_, 0, purpose), &event, peak, 1440.0 / (per_day * peak), begin_, first + 1});
    draw_arrival(arrivals_.size() - 1);
  }
  // Queues the stream's next arrival, unless the arrivals have ended by then.
  void draw_arrival(std::size_t stream) {
    Arrivals& a = arrivals_[stream];
    const auto& days = rules_.weekday_profile;
    const auto& hours = rules_.hour_profile;
    for (;;) {
      a.last = later(a.last, a.rng.exponential(a.mean_gap));
      if (a.last >= end_arrivals_) return;
      if (a.peak != 1.0 || !days.empty() || !hours.empty()) {
        auto local = legal_.to_local(a.last);
        auto day = date::floor<date::days>(local);
        unsigned monday_first = (date::weekday(day).c_encoding() + 6) % 7;
        auto hour = std::chrono::duration_cast<std::chrono::hours>(local - day).count();
        double w = (days.empty() ? 1.0 : days[monday_first]) * (hours.empty() ? 1.0 : hours[static_cast<std::size_t>(hour)]);
        if (a.rng.uniform() * a.peak >= w) continue;
      }
      // Among events at the same moment, before all others, the streams in order, each's
      // arrivals by number (their numbers say both): as if the whole year had been queued first.
      queue_.push(Event{a.last, static_cast<std::uint64_t>(a.next), Kind::kArrival, a.next, 0, 0, a.event, stream});
      ++a.next;
      return;
    }
  }

  void handle(const Event& e) {
    switch (e.kind) {
      case Kind::kArrival:
        draw_arrival(e.stream);
        return arrive(e);
      case Kind::kComplete: return complete(e);
      case Kind::kSignal: return signal(e);
      case Kind::kPoolOpens: {
        PoolState& state = pools_.at(*e.name);
        if (state.wake == e.at) state.wake.reset();  // one that finds every worker busy asks for the next
        return serve_queue(*e.name, e.at);
      }
      case Kind::kRelease:
        --pools_.at(*e.name).busy;
        return serve_queue(*e.name, e.at);
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
    std::string event = *e.name;
    if (event.empty() && !rules_.starts.empty()) {
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
    runtime::Changes& changes = fresh_changes();
    auto id = runtime_.start(prepared_.process, event, data, e.at, changes);
    check_not_spoiled();
    if (!id.is_ok()) {
      ++refused_;
      return;
    }
    if (cases_.size() <= static_cast<std::size_t>(*id)) cases_.resize(static_cast<std::size_t>(*id) + 1);
    cases_[static_cast<std::size_t>(*id)] = std::make_unique<CaseStats>();
    CaseStats& stats = *cases_[static_cast<std::size_t>(*id)];
    stats.index = e.index;
    stats.arrival = e.at;
    stats.measured = e.at >= warm_;
    stats.stream = *e.name;
    stats.data = std::move(data);
    ++started_;
    apply(changes, e.at);
    for (const auto& rule : rules_.events) {
      Rng rng(spec_.seed, replication_, e.index, "event:" + rule.event);
      if (rng.uniform() >= rule.probability) continue;
      double after = rule.after.sample(rng);
      push(Event{later(e.at, after), 0, Kind::kSignal, e.index, 0, 0, &rule.event});
      signal_case_[e.index] = *id;
    }
  }

  void signal(const Event& e) {
    runtime::Changes& changes = fresh_changes();
    runtime::CaseId id = signal_case_[e.index];
    if (runtime_.find_case(id) == nullptr) return;  // ended before the event came
    // Often refused (the event came when nothing listened), after the command has looked at the
    // case: it keeps its undo log.
    runtime_.set_undo_log(true);
    Status s = runtime_.signal(id, *e.name, Json::object(), e.at, changes);
    runtime_.set_undo_log(undo_always_);
    if (!s.is_ok()) return;  // nothing listened: the event came too late or too early to matter
    apply(changes, e.at);
  }

  void fire_timers(Instant t) {
    for (const auto& [due, id] : runtime_.due_timers(t, 256)) {
      runtime::Changes& changes = fresh_changes();
      Status fired = runtime_.fire(id, t, changes);
      check_not_spoiled();  // a timer that failed is undone before it becomes an incident
      if (fired.is_ok()) apply(changes, t);
    }
  }

  // A task opened: it is worked on at once (nullptr), or waits for a worker of the pool whose
  // role this returns (the pool's own key: the same text for every task of the role).
  const std::string* opened(const runtime::Task& task, TaskRules& rules, Instant at) {
    if (measured_case(task.case_id)) ++rules.opened;
    auto pool = pools_.find(task.role);
    if (pool == pools_.end()) {
      start_work(task.id, task.case_id, rules, at);
      return nullptr;
    }
    pool->second.waiting.push_back(Waiting{task.id, at});
    return &pool->first;
  }

  // The stream of a task's n-th draw of a kind: "<kind>:<task>:<n>" ("outputs:horen:0"), hashed
  // from the hash of "<kind>:<task>:", which the task's rules keep.
  static std::uint64_t stream_of(std::uint64_t prefix, int n) {
    char digits[16];
    auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    return fnv1a(std::string_view(digits, static_cast<std::size_t>(end - digits)), prefix);
  }

  // Schedules the task's completion; returns the work it takes (minutes), for a pool's worker.
  double start_work(runtime::TaskId task, runtime::CaseId case_id, TaskRules& rules, Instant at) {
    // A sub-process's tasks draw from the stream of the case that called it.
    CaseStats* stats = root_stats(case_id);
    std::int64_t index = stats == nullptr ? 0 : stats->index;
    const std::string& step = *rules.step;
    Rng rng(spec_.seed, replication_, index, stream_of(rules.durations_stream, draws_of(stats).durations.add(rules.step)++));
    if (rules.duration == nullptr) {
      rules.duration = &duration_for(step);
      const DurationRule& found = *rules.duration;
      if (!found.effort && (found.before_due || found.distribution.mean() > 1440)) {
        assume(fmt::format("the work on '{}' is counted as its whole duration (no 'effort')", step));
      }
    }
    const DurationRule& rule = *rules.duration;
    double minutes = rule.distribution.sample(rng);
    if (rule.before_due) {
      // Worked toward the deadline: done `minutes` before it, or (in a share) late by a draw.
      const runtime::Task* t = runtime_.find_task(task);
      double late = rng.uniform() < rule.late ? rule.late_by.sample(rng) : -minutes;
      double to_due = t == nullptr ? 0 : (t->due.at - at).count() / kMinute;
      minutes = std::max(0.0, to_due + late);
    }
    double effort = rule.effort ? rule.effort->sample(rng) : minutes;
    push(Event{later(at, minutes), 0, Kind::kComplete, index, task, effort});
    return effort;
  }

  // Per (task, output, value as JSON): the configured probability summed over the draws of the
  // output (whichever line drew it), and the completions that carried the value.
  struct Realisation {
    double configured = 0, completed = 0;
  };
  // A value of an output and where it is counted.
  struct Counted {
    Json value;
    Realisation* realisation;
  };
  // A task's lines, found once per task rather than at every step: its output lines in the
  // file's order, and its duration line once it is first worked on. Also the outputs a condition
  // reads ("task.output" by output).
  struct TaskRules {
    const std::string* step = nullptr;  // the task's name, as task_rules_ keeps it
    std::vector<const OutputRule*> outputs;
    const DurationRule* duration = nullptr;
    Few<std::string, std::string> read;
    std::uint64_t durations_stream = 0, outputs_stream = 0;  // fnv1a("duration:<task>:"), ("outputs:<task>:")
    double opened = 0;  // tasks of measured cases opened
  };
  // A step's rules, found by the step (a task opened names it: AuditFact::node) rather than by
  // hashing its name at every task.
  TaskRules& rules_of(const model::Node& step) {
    auto [it, added] = rules_by_step_.try_emplace(&step, nullptr);
    if (added) it->second = &rules_of(step.name);
    return *it->second;
  }
  TaskRules& rules_of(const std::string& task) {
    auto it = task_rules_.find(task);
    if (it != task_rules_.end()) return it->second;
    TaskRules rules;
    for (const auto& r : rules_.outputs) {
      if (r.task == task) rules.outputs.push_back(&r);
    }
    for (const auto& name : read_) {
      if (name.size() > task.size() && name.starts_with(task) && name[task.size()] == '.') {
        rules.read.add(name.substr(task.size() + 1), name);
      }
    }
    rules.durations_stream = fnv1a(":", fnv1a(task, fnv1a("duration:")));
    rules.outputs_stream = fnv1a(":", fnv1a(task, fnv1a("outputs:")));
    auto& [name, kept] = *task_rules_.emplace(task, std::move(rules)).first;
    kept.step = &name;
    return kept;
  }

  const DurationRule& duration_for(const std::string& step) {
    const DurationRule* fallback = nullptr;
    for (const auto& r : rules_.durations) {
      if (r.task == step) return r;
      if (r.task.empty()) fallback = &r;
    }
    if (fallback != nullptr) return *fallback;
    assume("tasks without a 'duration' line take 1 hour");
    static const DurationRule kOneHour = [] {
      DurationRule hour;
      hour.distribution = Distribution{Distribution::Kind::kFixed, 60, 0, 0, {}};
      return hour;
    }();
    return kOneHour;
  }

  void serve_queue(const std::string& name, Instant at) {
    auto pool = pools_.find(name);
    if (pool == pools_.end()) throw std::out_of_range("no pool for role " + name);
    auto& [role, state] = *pool;  // the key: a text the queue's events may point at
    const int on_duty = state.roster.on_duty(at);  // the same for every task served at this moment
    while (!state.waiting.empty()) {
      if (state.busy >= on_duty) {
        // No one free: a worker's release serves the queue again, and so does the next shift
        // that brings more workers than are on duty now (the opening, when none are).
        std::optional<Instant> more = state.roster.more_after(at, on_duty);
        if (!more) break;
        if (!state.wake || *more < *state.wake) {
          state.wake = *more;
          push(Event{*more, 0, Kind::kPoolOpens, 0, 0, 0, &role});
        }
        return;
      }
      // Cancelled while waiting (the stage ended): no one works on it.
      std::erase_if(state.waiting, [&](const Waiting& w) {
        const runtime::Task* t = runtime_.find_task(w.task);
        return t == nullptr || t->status != runtime::TaskStatus::kOpen;
      });
      if (state.waiting.empty()) break;
      auto chosen = state.waiting.begin() + static_cast<std::ptrdiff_t>(next_in_line(*state.pool, state.waiting, runtime_));
      auto [task_id, since] = *chosen;
      state.waiting.erase(chosen);
      const runtime::Task* task = runtime_.find_task(task_id);
      ++state.busy;
      if (measured_case(task->case_id)) waits_[role].push_back((at - since).count() / kMinute / 60);
      // The worker is busy for the work itself; the task may take longer to close (a year of
      // monitoring holds no one for a year).
      double effort = start_work(task_id, task->case_id, rules_of(task->name), at);
      push(Event{later(at, effort), 0, Kind::kRelease, 0, 0, 0, &role});
    }
    state.wake.reset();
  }

  void complete(const Event& e) {
    const runtime::Task* task = runtime_.find_task(e.task);
    if (task == nullptr || task->status != runtime::TaskStatus::kOpen) return;
    const model::Process& definition = *runtime_.definition(runtime_.find_case(task->case_id)->hash);
    const model::Node& node = definition.nodes.at(task->node);
    CaseStats* stats = root_stats(task->case_id);
    Given& given = given_of(node, definition);
    TaskRules& rules = *given.rules;
    Rng rng(spec_.seed, replication_, e.index, stream_of(rules.outputs_stream, draws_of(stats).outputs.add(rules.step)++));
    // Written only where the value changed: most are what they were the last time.
    auto give = [](Json& slot, const Json& value) {
      if (!same_json(slot, value)) slot = value;
    };
    for (Slot& slot : given.slots) {
      const OutputRule* rule = rule_among(slot.lines, stats, e.at);
      give(*slot.value, rule != nullptr ? draw(*rule, rng, stats) : fallback(slot, node.name, rules, given.instrument));
    }
    Json& outputs = given.outputs;
    // An instrument's outcome is computed by the engine from the answers. An `output TASK.outcome`
    // line draws the decision instead: the drawn outcome is given, with the motivation that a
    // decision other than the computed one needs.
    const OutputRule* outcome = given.instrument != nullptr ? rule_among(given.outcome_lines, stats, e.at) : nullptr;
    if (outcome != nullptr) {
      give(outputs[model::kOutcome], draw(*outcome, rng, stats));
      give(outputs[model::kMotivation], kDrawnMotivation);
    } else if (given.instrument != nullptr) {
      outputs.erase(model::kOutcome);
      outputs.erase(model::kMotivation);
    }
    // Kept past the command, which closes the task: its role (reassigned, perhaps, by an escalation)
    // and its name, the step's.
    std::string role = task->role;
    const std::string& name = node.name;
    runtime::CaseId case_id = task->case_id;
    runtime::Changes& changes = fresh_changes();
    Status status = runtime_.complete(e.task, role, outputs, e.at, changes);
    check_not_spoiled();
    if (!status.is_ok()) {
      // Reported, not hidden: a refusal means the process or the figures do not fit together.
      if (refused_++ == 0) assume(fmt::format("commands were refused, the first because: {}", status.message()));
      return;
    }
    if (stats != nullptr) {
      for (const auto& [output, key] : rules.read) {
        if (auto value = outputs.find(output); value != outputs.end()) stats->outputs[key] = *value;
      }
      if (stats->measured) {
        for (Slot& slot : given.slots) ++realisation(slot.realised, name, slot.field->name, *slot.value).completed;
        if (outcome != nullptr) {
          ++realisation(given.outcome_realised, name, model::kOutcome, outputs[model::kOutcome]).completed;
          ++realisation(given.motivation_realised, name, model::kMotivation, kDrawnMotivation).completed;
        }
      }
    }
    if (measured_case(case_id)) workload_[role] += e.minutes / 60;
    apply(changes, e.at);
  }

  // One output of a task as the runtime is given it.
  struct Slot {
    const model::Field* field;
    Json* value;  // in Given::outputs (map entries stay where they are)
    std::vector<const OutputRule*> lines;  // the task's lines for this output, in the file's order
    std::optional<Json> fallback;          // the value where none holds, once first needed
    std::vector<Counted> realised;         // the values given so far, and where each is counted
  };
  // A task step's outputs as given to the runtime, kept from one completion to the next: the names
  // are the same every time, so only the values are written. Its lines are found once per step,
  // not at every completion. An instrument's records (its outcome, the computed one, the
  // motivation) are not among the slots: the engine computes them, or a line draws the outcome.
  struct Given {
    TaskRules* rules = nullptr;
    const model::Instrument* instrument = nullptr;
    Json outputs = Json::object();
    std::vector<Slot> slots;  // in the order of the task's outputs
    std::vector<const OutputRule*> outcome_lines;  // an instrument's `output TASK.outcome` lines
    std::vector<Counted> outcome_realised, motivation_realised;
  };
  Given& given_of(const model::Node& node, const model::Process& definition) {
    auto [it, added] = given_.try_emplace(&node);
    Given& given = it->second;
    if (!added) return given;
    given.rules = &rules_of(node);
    given.instrument = node.instrument.empty() ? nullptr : definition.find_instrument(node.instrument);
    auto lines_of = [&](const std::string& output) {
      std::vector<const OutputRule*> lines;
      for (const OutputRule* r : given.rules->outputs) {
        if (r->output == output) lines.push_back(r);
      }
      return lines;
    };
    for (const auto& o : node.outputs) {
      if (given.instrument != nullptr && model::is_record(o.name)) continue;
      given.slots.push_back(Slot{&o, &given.outputs[o.name], lines_of(o.name), std::nullopt, {}});
    }
    if (given.instrument != nullptr) given.outcome_lines = lines_of(model::kOutcome);
    return given;
  }

  // Where a completion's value of `task.output` is counted: among `values`, those found before. A
  // bool, integer or text is the same value exactly when its JSON text is (same_json): found
  // again without writing the text.
  Realisation& realisation(std::vector<Counted>& values, const std::string& task, const std::string& output,
                           const Json& value) {
    const bool plain = value.is_boolean() || value.is_string() || value.is_number_integer();
    if (plain) {
      for (const Counted& c : values) {
        if (same_json(c.value, value)) return *c.realisation;
      }
    }
    Realisation& r = realised_[{task, output, value.dump()}];
    if (plain) values.push_back(Counted{value, &r});
    return r;
  }

  // The line for an output in this case now: of the lines whose conditions all hold, the one with
  // the most conditions (the first of those with as many).
  const OutputRule* rule_among(const std::vector<const OutputRule*>& lines, const CaseStats* stats, Instant at) const {
    const OutputRule* best = nullptr;
    for (const OutputRule* line : lines) {
      const OutputRule& r = *line;
      if (best != nullptr && r.when.size() <= best->when.size()) continue;
      bool all = std::all_of(r.when.begin(), r.when.end(), [&](const Condition& c) {
        return stats != nullptr && holds(c, stats->data, stats->outputs, (at - stats->arrival).count() / kMinute,
                                         prepared_.terms_in_force);
      });
      if (all) best = &r;
    }
    return best;
  }

  // What an output is given where no line of it holds, worked out once.
  const Json& fallback(Slot& slot, const std::string& task, const TaskRules& rules, const model::Instrument* instrument) {
    if (!slot.fallback) slot.fallback = default_output(task, rules, *slot.field, instrument);
    return *slot.fallback;
  }

  // Draws from `rule`, and counts what was configured, so that the run can tell when what
  // happened differs from it.
  const Json& draw(const OutputRule& rule, Rng& rng, const CaseStats* stats) {
    if (stats != nullptr && stats->measured) {
      auto tally = tallies_.find(&rule);
      if (tally == tallies_.end()) {
        Tally t{&draws_[{rule.task, rule.output}], {}};
        for (const auto& [value, p] : rule.choice.options) {
          t.options.push_back(&realised_[{rule.task, rule.output, value.dump()}]);
        }
        tally = tallies_.emplace(&rule, std::move(t)).first;
      }
      ++*tally->second.draws;
      for (std::size_t i = 0; i < rule.choice.options.size(); ++i) {
        tally->second.options[i]->configured += rule.choice.options[i].second;
      }
    }
    return rule.choice.pick(rng);
  }

  // What an output is given where no line of it holds (an instrument's item, its scale's first
  // answer), with the assumption that says so: the same for every case, worked out once.
  Json default_output(const std::string& task, const TaskRules& rules, const model::Field& o,
                      const model::Instrument* instrument) {
    if (std::any_of(rules.outputs.begin(), rules.outputs.end(),
                    [&](const OutputRule* r) { return r->output == o.name; })) {
      assume(fmt::format("output '{}.{}' takes its type's first value where none of its 'when' lines holds", task, o.name));
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

  CaseStats* stats_of(runtime::CaseId id) {
    auto at = static_cast<std::size_t>(id);
    return at < cases_.size() ? cases_[at].get() : nullptr;
  }
  CaseStats* root_stats(runtime::CaseId id) { return stats_of(root_of(id)); }
  // The tasks of no known case draw with case number 0, and count their draws together.
  Draws& draws_of(CaseStats* stats) { return stats == nullptr ? unrooted_draws_ : stats->draws; }

  bool measured_case(runtime::CaseId id) {
    const CaseStats* stats = root_stats(id);
    return stats != nullptr && stats->measured;
  }
  runtime::CaseId root_of(runtime::CaseId id) const {
    auto at = static_cast<std::size_t>(id);
    return at < parent_.size() && parent_[at] != 0 ? root_of(parent_[at]) : id;
  }

  // The audit entries the figures read, by kind; every other kind is kOther, and recording facts
  // (the cases are not kept) the runtime records none of them.
  enum class Seen {
    kOther, kSubProcess, kTaskOpened, kMilestone, kTimerSet, kTimerMoved, kTaskCompleted, kEscalated,
    kStageEntered, kCaseEnded
  };
  using AuditKind = runtime::AuditKind;
  static constexpr std::pair<AuditKind, Seen> kSeen[] = {
      {AuditKind::kTaskOpened, Seen::kTaskOpened},     {AuditKind::kTaskCompleted, Seen::kTaskCompleted},
      {AuditKind::kTimerSet, Seen::kTimerSet},         {AuditKind::kTimerMoved, Seen::kTimerMoved},
      {AuditKind::kEscalated, Seen::kEscalated},       {AuditKind::kMilestoneReached, Seen::kMilestone},
      {AuditKind::kStageEntered, Seen::kStageEntered}, {AuditKind::kCaseEnded, Seen::kCaseEnded},
      {AuditKind::kSubProcessStarted, Seen::kSubProcess}};
  static Seen seen(AuditKind kind) {
    for (const auto& [read, seen] : kSeen) {
      if (read == kind) return seen;
    }
    return Seen::kOther;
  }
  static constexpr runtime::AuditKinds read() {
    runtime::AuditKinds kinds;
    for (const auto& [kind, _] : kSeen) kinds.add(kind);
    return kinds;
  }

  void check_not_spoiled() const {
    if (runtime_.spoiled()) throw StartOver{};
  }

  // The Changes of the next command: one, emptied, its audit list keeping its room.
  runtime::Changes& fresh_changes() {
    changes_.clear();
    return changes_;
  }

  // Makes a step live and reads what it did.
  void apply(runtime::Changes& changes, Instant at) {
    runtime_.apply(changes);
    opened_now_.clear();
    for (const auto& entry : changes.audit) {
      Seen kind = seen(entry.kind);
      if (kind == Seen::kTaskOpened) opened_now_.emplace_back(entry.fact.number, entry.fact.node);
      observe(entry, kind, at);
    }
    // Tasks that open at the same moment all wait before a worker takes one: the pool's order,
    // not the order of opening, decides which goes first. Opened in order of their ids; a task
    // opened and closed within the step is not worked on.
    // Served in the order of the roles' names, each once.
    waiting_roles_.clear();
    for (const auto& [id, step] : opened_now_) {
      const runtime::Task* task = runtime_.find_task(id);
      if (task == nullptr || task->status != runtime::TaskStatus::kOpen) continue;
      if (const std::string* role = opened(*task, rules_of(*step), at)) waiting_roles_.push_back(role);
    }
    std::sort(waiting_roles_.begin(), waiting_roles_.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
    waiting_roles_.erase(std::unique(waiting_roles_.begin(), waiting_roles_.end()), waiting_roles_.end());
    for (const std::string* role : waiting_roles_) serve_queue(*role, at);
  }

  void observe(const runtime::AuditEntry& e, Seen kind, Instant at) {
    if (kind == Seen::kSubProcess) {
      auto child = static_cast<std::size_t>(e.fact.number);
      if (parent_.size() <= child) parent_.resize(child + 1);
      parent_[child] = e.case_id;
    }
    runtime::CaseId root = root_of(e.case_id);
    CaseStats* stats = stats_of(root);
    if (stats == nullptr) return;
    CaseStats& c = *stats;
    double minutes = (at - c.arrival).count() / kMinute;
    if (keep_cases_) {
      // Engine ids and the definition's hash differ between scenarios by construction; the
      // course of the case is what is compared.
      Json detail = Json::parse(e.detail);
      for (const char* id : {"task", "timer_id", "case", "hash", "process"}) detail.erase(id);
      // What the event concerns, by the names the runtime's audit entries use.
      std::string activity;
      for (const char* name : {"step", "timer", "stage", "event"}) {
        if (auto it = detail.find(name); it != detail.end() && it->is_string()) {
          activity = it->get<std::string>();
          break;
        }
      }
      c.events.push_back(CaseEvent{at, runtime::to_string(e.kind), activity, detail.value("role", ""), detail.dump()});
    }
    if (!c.measured) return;
    // The step an entry concerns, and a timer step's timer: names in the shared definitions.
    auto step = [&] { return std::string_view(e.fact.node->name); };
    auto timer = [&] { return std::string_view(e.fact.node->target); };
    switch (kind) {
      case Seen::kMilestone: c.milestones.add(step()); break;
      case Seen::kTimerSet: c.timers_set.add(timer()); break;
      case Seen::kTimerMoved: c.timers_moved.add(timer()); break;
      case Seen::kTaskCompleted:
        c.first_done.add(step(), minutes);
        if (e.fact.flag) ++late_[step()];
        break;
      case Seen::kEscalated: ++escalations_[{step(), e.fact.number}]; break;
      default: break;
    }
    if (root != e.case_id) return;  // stages and ends of sub-processes are theirs
    if (kind == Seen::kStageEntered) {
      leave_stage(c, at);
      c.stage = step();
      c.stage_since = at;
    }
    if (kind == Seen::kCaseEnded) {
      leave_stage(c, at);
      c.ended = at;
      if (keep_cases_) c.end_reason = Json::parse(e.detail).value("reason", "");
    }
  }

  static void leave_stage(CaseStats& c, Instant at) {
    if (!c.stage.empty()) c.stage_minutes.add(c.stage) += (at - c.stage_since).count() / kMinute;
    c.stage = {};
  }

  void assume(const std::string& text) { assumptions_.insert(text); }

 public:
  // The defaults the run had to choose, taken once it is over.
  std::set<std::string> take_assumptions() { return std::move(assumptions_); }

 private:

  ReplicationResult finish() {
    ReplicationResult out;
    out.cases_simulated = started_;
    std::map<std::string, double>& k = out.kpis;
    double measured = 0, open = 0;
    std::map<std::string_view, double> milestones, set, moved;
    for (auto& slot : cases_) {
      if (slot == nullptr || !slot->measured) continue;
      CaseStats& c = *slot;
      ++measured;
      if (!c.ended) {
        ++open;
        leave_stage(c, horizon_);
      }
      for (const auto& [m, _] : c.milestones) ++milestones[m];
      for (const auto& [t, _] : c.timers_set) ++set[t];
      for (const auto& [t, _] : c.timers_moved) ++moved[t];
      for (const auto& [stage, minutes] : c.stage_minutes) {
        out.durations[fmt::format("days {}", stage)].push_back(minutes / 1440);
      }
      for (const auto& m : spec_.measures) {
        std::optional<double> first;
        for (const auto& t : m.tasks) {
          if (const double* done = c.first_done.find(t); done != nullptr && (!first || *done < *first)) {
            first = *done;
          }
        }
        if (first) out.durations["measure " + m.label].push_back(*first / 60);
      }
    }
    k["started"] = measured;
    for (const auto& node : process_->nodes) {
      if (node.kind != model::NodeKind::kMilestone) continue;
      k["reached " + node.name] = share(milestones[node.name], measured);
      k["count " + node.name] = milestones[node.name];
    }
    // An extension is counted among the cases whose term was set at all (the bans imposed), not
    // among all cases.
    for (const auto& [timer, n] : moved) k[fmt::format("moved {}", timer)] = share(n, set[timer]);
    // Days in a stage and measures are means over the cases that have them.
    for (const auto& [key, values] : out.durations) k[key] = mean(values);
    for (const auto& m : spec_.measures) k.emplace("measure " + m.label, 0.0);  // no case got there
    double late_total = 0;
    for (const auto& [task, n] : late_) {
      k[fmt::format("missed {}", task)] = n;
      late_total += n;
    }
    k["missed all"] = late_total;
    for (const auto& [rung, n] : escalations_) k[fmt::format("escalated {} rung {}", rung.first, rung.second)] = n;
    for (const auto& [role, hours] : workload_) k["workload " + role] = hours;
    for (const auto& [role, waits] : waits_) k["wait " + role] = mean(waits);
    k["open"] = open;
    k["refused"] = refused_;
    for (const auto& [key, r] : realised_) {
      const auto& [task, output, value] = key;
      double draws = draws_[{task, output}];
      if (draws == 0) continue;  // no line configured it
      Json v = Json::parse(value);
      auto rules = task_rules_.find(task);
      double opened = rules == task_rules_.end() ? 0 : rules->second.opened;
      out.outcomes.push_back(OutcomeRealisation{task, output, v.is_string() ? v.get<std::string>() : value,
                                                r.configured / draws, opened, r.completed, draws});
    }
    if (keep_cases_) {
      for (auto& slot : cases_) {
        if (slot == nullptr) continue;
        CaseStats& c = *slot;
        CaseRecord record;
        record.index = c.index;
        record.stream = c.stream;
        record.arrival = c.arrival;
        record.measured = c.measured;
        record.ended = c.ended;
        record.end_reason = c.end_reason;
        record.events = std::move(c.events);
        out.cases.push_back(std::move(record));
      }
    }
    return out;
  }

  static double share(double n, double of) { return of > 0 ? n / of : 0; }
  static double mean(const std::vector<double>& values) {
    double sum = 0;
    for (double v : values) sum += v;
    return share(sum, static_cast<double>(values.size()));
  }

  const Prepared& prepared_;
  const Rules& rules_;
  const Spec& spec_;
  int replication_;
  bool keep_cases_;
  bool undo_always_;
  LegalTime legal_;
  runtime::Runtime runtime_;
  const model::Process* process_ = nullptr;
  Instant begin_, warm_, end_arrivals_, horizon_;
  std::priority_queue<Event, std::vector<Event>, Later> queue_;
  std::vector<Arrivals> arrivals_;  // by stream: the main one first
  std::uint64_t seq_ = 0;
  std::vector<std::unique_ptr<CaseStats>> cases_;  // by case id; none for a sub-process's case
  runtime::Changes changes_;                       // by fresh_changes()
  std::vector<std::pair<runtime::TaskId, const model::Node*>> opened_now_;  // by apply(), kept for its capacity
  std::vector<const std::string*> waiting_roles_;  // by apply(), kept for its capacity
  std::vector<runtime::CaseId> parent_;            // by sub-process case id; 0 for a case started outside
  std::unordered_map<std::int64_t, runtime::CaseId> signal_case_;  // by arrival number
  Draws unrooted_draws_;
  std::map<std::string, PoolState> pools_;
  // By role: counted at every step, hashed (finish() writes them in order).
  std::unordered_map<std::string, double> workload_;
  std::unordered_map<std::string, std::vector<double>> waits_;
  std::map<std::string_view, double> late_;                                  // by task
  std::map<std::pair<std::string_view, std::int64_t>, double> escalations_;  // by task and rung
  std::map<std::tuple<std::string, std::string, std::string>, Realisation> realised_;
  std::map<std::pair<std::string, std::string>, double> draws_;
  // Where draw() counts a line's draws and each of its values' configured share, found once per
  // line (map entries stay where they are).
  struct Tally {
    double* draws;
    std::vector<Realisation*> options;
  };
  std::map<const OutputRule*, Tally> tallies_;
  std::unordered_map<std::string, TaskRules> task_rules_;  // by task name (map entries stay where they are)
  std::unordered_map<const model::Node*, TaskRules*> rules_by_step_;
  std::unordered_map<const model::Node*, Given> given_;     // by task step
  std::set<std::string> read_;  // "task.output" that a line's condition reads
  // The workdays of shifts: the Dutch calendar (`holidays "NL"`, the one the shipped processes use).
  const HolidayCalendar& holidays_ = *HolidayCalendar::find("NL");
  std::set<std::string> assumptions_;
  std::int64_t started_ = 0, refused_ = 0;
};

}  // namespace

ReplicationResult run_replication(const Prepared& prepared, const Spec& spec, int replication, bool keep_cases,
                                  std::set<std::string>& assumptions, UndoLogs undo) {
  auto run_with = [&](UndoLogs logs) {
    Replication run(prepared, spec, replication, keep_cases, logs);
    ReplicationResult result = run.run();
    assumptions = run.take_assumptions();
    return result;
  };
  if (undo == UndoLogs::kWhenRefusable) {
    try {
      return run_with(undo);
    } catch (const StartOver&) {
      // The same draws again, each command able to undo what it did.
    }
  }
  ReplicationResult result = run_with(UndoLogs::kAlways);
  result.started_over = undo == UndoLogs::kWhenRefusable;
  return result;
}

}  // namespace termijn::simulation::internal
