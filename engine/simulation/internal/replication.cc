#include "engine/simulation/internal/replication.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/base/json_text.h"
#include "engine/runtime/runtime.h"
#include "engine/simulation/internal/arrivals.h"
#include "engine/simulation/internal/few.h"
#include "engine/simulation/internal/figures.h"
#include "engine/simulation/internal/minutes.h"
#include "engine/simulation/internal/pool_discipline.h"
#include "engine/time/holidays.h"
#include "engine/time/legal_time.h"

namespace termijn::simulation::internal {

namespace {

// Arrival numbers of a second (third, ...) stream start at 1e9 (2e9, ...): far above any
// stream's count (the budget allows a million cases a replication, warm-up included).
constexpr std::int64_t kStreamSpacing = 1'000'000'000;
const std::string kNone;  // the main stream's start event: the process's own choice
const Json kDrawnMotivation = "getrokken door de simulatie";  // of an instrument's outcome a line draws

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
    std::size_t stream = 0;  // kArrival: its stream (streams_)
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
  // A case's course, and what its draws need: their streams, its data and the outputs a line's
  // condition reads ("task.output" -> the latest value given).
  struct CaseStats : CaseCourse {
    Draws draws;
    Json data;
    std::map<std::string, Json> outputs;
  };

  // Events queue in the order they are pushed (at the same moment), after every arrival.
  static constexpr std::uint64_t kAfterArrivals = std::uint64_t{1} << 62;
  void push(Event e) {
    e.seq = kAfterArrivals + seq_++;
    queue_.push(std::move(e));
  }

  // A stream's arrivals, its start event (kNone: the process's own choice) and the number its
  // next arrival takes.
  struct Stream {
    Arrivals arrivals;
    const std::string* event;
    std::int64_t next;
  };
  void open_stream(double per_day, const std::string& event, const std::string& purpose, std::int64_t first) {
    streams_.push_back(Stream{Arrivals(Rng(spec_.seed, replication_, 0, purpose), per_day, rules_, legal_, begin_, end_arrivals_),
                              &event, first + 1});
    draw_arrival(streams_.size() - 1);
  }
  // Queues the stream's next arrival, unless the arrivals have ended by then.
  void draw_arrival(std::size_t stream) {
    Stream& s = streams_[stream];
    std::optional<Instant> at = s.arrivals.next();
    if (!at) return;
    // Among events at the same moment, before all others, the streams in order, each's
    // arrivals by number (their numbers say both): as if the whole year had been queued first.
    queue_.push(Event{*at, static_cast<std::uint64_t>(s.next), Kind::kArrival, s.next, 0, 0, s.event, stream});
    ++s.next;
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
      ++figures_.refused;
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
      if (measured_case(task->case_id)) figures_.waits[role].push_back((at - since).count() / kMinute / 60);
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
      if (figures_.refused++ == 0) assume(fmt::format("commands were refused, the first because: {}", status.message()));
      return;
    }
    if (stats != nullptr) {
      for (const auto& [output, key] : rules.read) {
        if (auto value = outputs.find(output); value != outputs.end()) stats->outputs[key] = *value;
      }
      if (stats->measured) {
        for (Slot& slot : given.slots) ++figures_.shares.of(slot.realised, name, slot.field->name, *slot.value).completed;
        if (outcome != nullptr) {
          ++figures_.shares.of(given.outcome_realised, name, model::kOutcome, outputs[model::kOutcome]).completed;
          ++figures_.shares.of(given.motivation_realised, name, model::kMotivation, kDrawnMotivation).completed;
        }
      }
    }
    if (measured_case(case_id)) figures_.workload[role] += e.minutes / 60;
    apply(changes, e.at);
  }

  // One output of a task as the runtime is given it.
  struct Slot {
    const model::Field* field;
    Json* value;  // in Given::outputs (map entries stay where they are)
    std::vector<const OutputRule*> lines;  // the task's lines for this output, in the file's order
    std::optional<Json> fallback;          // the value where none holds, once first needed
    std::vector<RealisedShares::Counted> realised;  // the values given so far, and where each is counted
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
    std::vector<RealisedShares::Counted> outcome_realised, motivation_realised;
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
    if (stats != nullptr && stats->measured) figures_.shares.count_draw(rule);
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
        if (e.fact.flag) ++figures_.late[step()];
        break;
      case Seen::kEscalated: ++figures_.escalations[{step(), e.fact.number}]; break;
      default: break;
    }
    if (root != e.case_id) return;  // stages and ends of sub-processes are theirs
    if (kind == Seen::kStageEntered) c.enter_stage(step(), at);
    if (kind == Seen::kCaseEnded) {
      c.leave_stage(at);
      c.ended = at;
      if (keep_cases_) c.end_reason = Json::parse(e.detail).value("reason", "");
    }
  }

  void assume(const std::string& text) { assumptions_.insert(text); }

 public:
  // The defaults the run had to choose, taken once it is over.
  std::set<std::string> take_assumptions() { return std::move(assumptions_); }

 private:

  ReplicationResult finish() {
    std::vector<CaseCourse*> cases;
    for (auto& slot : cases_) {
      if (slot != nullptr) cases.push_back(slot.get());
    }
    return figures_.result(cases, *process_, spec_.measures, horizon_, keep_cases_, [&](const std::string& task) {
      auto rules = task_rules_.find(task);
      return rules == task_rules_.end() ? 0.0 : rules->second.opened;
    });
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
  std::vector<Stream> streams_;  // the main one first
  std::uint64_t seq_ = 0;
  std::vector<std::unique_ptr<CaseStats>> cases_;  // by case id; none for a sub-process's case
  runtime::Changes changes_;                       // by fresh_changes()
  std::vector<std::pair<runtime::TaskId, const model::Node*>> opened_now_;  // by apply(), kept for its capacity
  std::vector<const std::string*> waiting_roles_;  // by apply(), kept for its capacity
  std::vector<runtime::CaseId> parent_;            // by sub-process case id; 0 for a case started outside
  std::unordered_map<std::int64_t, runtime::CaseId> signal_case_;  // by arrival number
  Draws unrooted_draws_;
  std::map<std::string, PoolState> pools_;
  Figures figures_;
  std::unordered_map<std::string, TaskRules> task_rules_;  // by task name (map entries stay where they are)
  std::unordered_map<const model::Node*, TaskRules*> rules_by_step_;
  std::unordered_map<const model::Node*, Given> given_;     // by task step
  std::set<std::string> read_;  // "task.output" that a line's condition reads
  // The workdays of shifts: the Dutch calendar (`holidays "NL"`, the one the shipped processes use).
  const HolidayCalendar& holidays_ = *HolidayCalendar::find("NL");
  std::set<std::string> assumptions_;
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
