#include "engine/runtime/runtime.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "engine/base/diagnostic.h"
#include "engine/base/json_text.h"
#include "engine/base/limits.h"
#include "engine/runtime/internal/case_run.h"
#include "engine/runtime/internal/instruments.h"

namespace termijn::runtime {

// ---- Runtime -------------------------------------------------------------------------------------

void Runtime::add_definition(std::shared_ptr<const model::Process> process) {
  auto& latest = latest_[process->name];
  if (!latest || latest->version <= process->version) latest = process;
  by_hash_[process->hash] = std::move(process);
  recent_outputs_.clear();  // a definition replaced under its hash takes its steps with it
}

const model::Process* Runtime::definition(const std::string& hash) const {
  auto it = by_hash_.find(hash);
  return it == by_hash_.end() ? nullptr : it->second.get();
}

const model::Process* Runtime::latest(const std::string& name) const {
  auto it = latest_.find(name);
  return it == latest_.end() ? nullptr : it->second.get();
}

std::vector<std::shared_ptr<const model::Process>> Runtime::definitions() const {
  std::vector<std::shared_ptr<const model::Process>> out;
  for (const auto& [_, p] : by_hash_) out.push_back(p);
  return out;
}

std::vector<std::pair<Instant, TimerId>> Runtime::due_timers(Instant now, std::size_t limit) const {
  return due_queue_.due(now, limit);
}

std::size_t Runtime::count_due(Instant now) const { return due_queue_.count_due(now); }

const Instance* Runtime::find_case(CaseId id) const {
  auto it = cases_.find(id);
  return it == cases_.end() ? nullptr : &it->second;
}

const Task* Runtime::find_task(TaskId id) const {
  const CaseId* in = task_index_.find(id);
  if (in == nullptr) return nullptr;
  const Instance& c = cases_.at(*in);
  auto t = c.tasks.find(id);
  return t == c.tasks.end() ? nullptr : &t->second;
}

Status Runtime::validate_data(const model::Process& process, const Json& data, Json& out) const {
  if (!data.is_object()) return Status(StatusCode::kInvalidArgument, "case data must be a JSON object");
  for (const auto& [key, value] : data.items()) {
    auto field = std::find_if(process.fields.begin(), process.fields.end(),
                              [&](const model::Field& f) { return f.name == key; });
    if (field == process.fields.end()) {
      std::vector<std::string> names;
      for (const auto& f : process.fields) names.push_back(f.name);
      return Status(StatusCode::kInvalidArgument, fmt::format("process '{}' has no case field '{}'{}", process.name,
                                                              key, did_you_mean(key, names)));
    }
    Json converted;
    if (auto error = convert_input(field->type, value, converted, process.person_attributes)) {
      return Status(StatusCode::kInvalidArgument, fmt::format("case field '{}' ({}): {}", key,
                                                              model::to_string(field->type), *error));
    }
    out[key] = std::move(converted);
  }
  if (const model::Field* field = missing_required(process.fields, out)) {
    return Status(StatusCode::kInvalidArgument, fmt::format("process '{}' requires case field '{}' ({}) from the "
                                                            "start", process.name, field->name,
                                                            model::to_string(field->type)));
  }
  // Every later read and step copies the case's data: bounded, so no case grows without end.
  // Counted exactly only when a quick bound does not show it well within.
  std::size_t bytes = json_text_bound(out);
  if (bytes > limits::kCaseDataBytes) bytes = out.dump(-1, ' ', false, Json::error_handler_t::replace).size();
  if (bytes > limits::kCaseDataBytes) {
    return Status(StatusCode::kInvalidArgument, fmt::format("the case's data would be {} bytes; at most {} (limit: case "
                                                            "data bytes)", bytes, limits::kCaseDataBytes));
  }
  return Status::ok();
}

namespace {

// Runs `body`; a value the process needs but does not have becomes a refusal of the command.
template <typename F>
Status guarded(F&& body) {
  try {
    body();
    return Status::ok();
  } catch (const std::exception& e) {
    return Status(StatusCode::kFailedPrecondition, e.what());
  }
}

// `events intrekking by burgemeester`: only the named roles may send it.
Status check_sender(const model::Process& p, const std::string& event, const std::string& role) {
  if (role.empty()) return Status::ok();
  auto senders = p.event_senders.find(event);
  if (senders == p.event_senders.end()) return Status::ok();
  const auto& roles = senders->second;
  if (std::find(roles.begin(), roles.end(), role) != roles.end()) return Status::ok();
  return Status(StatusCode::kPermissionDenied, fmt::format("only {} may send '{}' in process '{}'; not '{}'",
                                                           fmt::join(roles, " or "), event, p.name, role));
}

// The names of the fields in `data`, for the audit: who changed what, not the values.
std::vector<std::string> field_names(const Json& data) {
  std::vector<std::string> names;
  for (const auto& [key, _] : data.items()) names.push_back(key);
  return names;
}

// `events x with (a, b)`: an event sets only the case fields the process lets it carry, so whoever
// may send it cannot overwrite others (the banned person's identity, the child-abuse flag).
Status check_carried_fields(const model::Process& p, const std::string& event, const Json& data) {
  auto declared = p.event_fields.find(event);
  for (const auto& [key, _] : data.items()) {
    if (declared != p.event_fields.end() &&
        std::find(declared->second.begin(), declared->second.end(), key) != declared->second.end()) {
      continue;
    }
    if (declared == p.event_fields.end() || declared->second.empty()) {
      return Status(StatusCode::kInvalidArgument,
                    fmt::format("event '{}' of process '{}' carries no case data; '{}' cannot be sent with it", event,
                                p.name, key));
    }
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("event '{}' of process '{}' may carry only {}; not '{}'", event, p.name,
                              fmt::join(declared->second, ", "), key));
  }
  return Status::ok();
}

// Why an event finds no listener: when a stage that listened for it ended with its term, say so
// ("the ban ended at ..."), not only that nothing listens.
std::string no_listener(const Instance& c, const model::Process& p, const std::string& event, const LegalTime& legal) {
  for (auto it = c.stage_ends.rbegin(); it != c.stage_ends.rend(); ++it) {
    for (const auto& scope : p.scopes) {
      if (scope.name != it->stage) continue;
      for (const auto& h : scope.handlers) {
        if (h.event == event) {
          return fmt::format("nothing in case {} listens for '{}' any more: stage '{}' ended when its term '{}' "
                             "passed at {}", c.id, event, it->stage, it->term, legal.format(it->at));
        }
      }
    }
  }
  return fmt::format("nothing in case {} listens for '{}' now", c.id, event);
}

}  // namespace

Result<CaseId> Runtime::start(const std::string& name, const std::string& event, const Json& data, Instant now,
                              Changes& changes, const std::string& role) {
  const model::Process* p = latest(name);
  if (p == nullptr) return Status(StatusCode::kNotFound, fmt::format("no process '{}' is deployed", name));
  NodeId start = kNoNode;
  for (NodeId s : p->starts) {
    if (event.empty() || p->nodes.at(s).target == event) {
      start = s;
      break;
    }
  }
  if (start == kNoNode) {
    std::vector<std::string> events;
    for (NodeId s : p->starts) events.push_back(p->nodes.at(s).target);
    return Status(StatusCode::kInvalidArgument, fmt::format("process '{}' does not start on '{}' (it starts on: {})",
                                                            name, event, fmt::join(events, ", ")));
  }
  if (Status s = check_sender(*p, p->nodes.at(start).target, role); !s.is_ok()) return s;
  Instance instance;
  instance.id = next_case_;
  instance.process = p->name;
  instance.hash = p->hash;
  instance.started = now;
  if (Status s = validate_data(*p, data, instance.data); !s.is_ok()) return s;
  CaseId id = next_case_++;
  create(std::move(instance), changes);
  CaseRun run(*this, changes, id, now);
  Status status = undone_if_refused(changes, [&] {
    run.audit(AuditKind::kCaseStarted, {}, [&](JsonObjectText& d) {
      if (!role.empty()) d.string("by", role);
      d.string("event", p->nodes.at(start).target).string("hash", p->hash).string("process", p->name);
      d.number("version", p->version);
    });
    run.spawn(start, {}, {0});
    return guarded([&] { run.run(); });
  });
  if (!status.is_ok()) return status;
  return id;
}

Status Runtime::complete(TaskId task_id, const std::string& role, const Json& outputs, Instant now, Changes& changes) {
  return undone_if_refused(changes, [&]() -> Status {
    const CaseId* indexed = task_index_.find(task_id);
    if (indexed == nullptr) return Status(StatusCode::kNotFound, fmt::format("no open task {}", task_id));
    const CaseId where = *indexed;
    // Checked against the case as it is, before the command works on it in place: a refusal here
    // has nothing to undo.
    const Instance& live = in_place_ ? cases_.at(where) : working(where, changes);
    const Task& open = live.tasks.at(task_id);
    const model::Process& p = *definition(live.hash);
    const Node& node = p.nodes.at(open.node);
    if (role != open.role) {
      return Status(StatusCode::kPermissionDenied,
                    fmt::format("task {} '{}' is for role '{}'; '{}' may not complete it", task_id, open.name, open.role, role));
    }
    if (!outputs.is_object()) return Status(StatusCode::kInvalidArgument, "outputs must be a JSON object");
    const model::Instrument* instrument = node.instrument.empty() ? nullptr : p.find_instrument(node.instrument);
    Json scored;  // what the instrument computed, for the audit's detail
    // Recording facts only, outputs given to this step exactly as before are those outputs again.
    const bool facts = recording_ == Recording::kFacts;
    std::shared_ptr<const GivenOutputs> given = facts ? given_before(node, outputs) : nullptr;
    if (given == nullptr) {
      Result<GivenOutputs> checked = check_outputs(p, node, open, outputs, instrument, scored);
      if (!checked.is_ok()) return checked.status();
      // Recording in full, the task row holds them: the case's stored state names it.
      if (!facts) checked.value().task = task_id;
      given = std::make_shared<const GivenOutputs>(std::move(checked.value()));
      if (facts) remember_given(node, outputs, given);
    }
    Instance& c = working(where, changes);
    Task& task = c.tasks.at(task_id);
    CaseRun run(*this, changes, c.id, now, &p);
    keep_task(c.id, task_id, changes);
    keep_output(c.id, node.id, changes);
    keep_reached(c.id, node.id, changes);
    task.status = TaskStatus::kCompleted;
    task.closed = now;
    task.closed_by = role;
    // The case keeps the outputs; recording in full, the task row shares them (GivenOutputs::task
    // names it) and the audit copies their text.
    if (run.full()) task.outputs = given;
    c.outputs[node.id] = given;
    c.reached[node.id] = now;
    run.cancel_rungs(task_id);
    if (instrument != nullptr) {
      run.audit(AuditKind::kInstrumentScored, {&node}, [&](JsonObjectText& d) {
        for (const auto& [key, value] : scored.items()) d.json(key, value);
      });
    }
    const bool late = now > task.due.at;
    run.audit(AuditKind::kTaskCompleted, {&node, 0, late}, [&](JsonObjectText& d) {
      d.boolean("late", late).raw("outputs", given->text).string("role", role).string("step", task.name);
      d.number("task", task_id);
    });
    int token = task.token;
    run.write(std::move(task));  // the case keeps only open tasks
    c.tasks.erase(task_id);
    return guarded([&] {
      if (run.token(token) != nullptr) run.next(token);  // a task handed on past its stage has no flow
      run.run();
      run.retry_guards();
    });
  });
}

// The outputs as the task's step takes them: each converted to its type, an instrument's records
// computed from its answers (`scored`: what it computed, recording in full), none missing; and
// their text, recording in full. Refused with which output and why.
Result<GivenOutputs> Runtime::check_outputs(const model::Process& p, const Node& node, const Task& open,
                                            const Json& outputs, const model::Instrument* instrument,
                                            Json& scored) const {
  Json converted = Json::object();
  auto& fields = converted.get_ref<Json::object_t&>();
  // Both in the order of names: the outputs given and the task's (the index the compiler made),
  // walked side by side.
  const std::vector<std::size_t>& by_name = node.outputs_by_name;
  auto at = by_name.begin();
  for (const auto& [key, value] : outputs.get_ref<const Json::object_t&>()) {
    while (at != by_name.end() && node.outputs[*at].name < key) ++at;
    if (at == by_name.end() || node.outputs[*at].name != key) {
      return Status(StatusCode::kInvalidArgument, fmt::format("task '{}' has no output '{}'", open.name, key));
    }
    const model::Field& field = node.outputs[*at];
    Json v;
    if (auto error = convert_input(field.type, value, v, p.person_attributes)) {
      return Status(StatusCode::kInvalidArgument, fmt::format("output '{}' ({}): {}", key, model::to_string(field.type), *error));
    }
    fields.emplace_hint(fields.end(), key, std::move(v));
  }
  if (instrument != nullptr) {
    Json* detail = recording_ == Recording::kFull ? &scored : nullptr;
    if (Status s = fill_in(*instrument, open.name, converted, detail); !s.is_ok()) return s;
  }
  // Every name given is one of the task's (above), and so is every record an instrument adds
  // (the checker declares them): as many as the task has means none is missing.
  if (converted.size() != node.outputs.size()) {
    for (const auto& field : node.outputs) {
      if (!converted.contains(field.name)) {
        return Status(StatusCode::kInvalidArgument, fmt::format("task '{}' needs output '{}' ({})", open.name,
                                                                field.name, model::to_string(field.type)));
      }
    }
  }
  // Recording in full, the stored state repeats the outputs at every later step: their text is
  // made once, here.
  std::string text;
  if (recording_ == Recording::kFull) {
    try {
      text = json_text(converted);
    } catch (const Json::type_error&) {
      // Only from the embedding API: a request's JSON was checked for UTF-8 when it was parsed.
      return Status(StatusCode::kInvalidArgument, fmt::format("task '{}': an output is not UTF-8 text", open.name));
    }
  }
  return GivenOutputs{std::move(converted), std::move(text), 0};
}

std::shared_ptr<const GivenOutputs> Runtime::given_before(const Node& node, const Json& outputs) const {
  auto it = recent_outputs_.find(&node);
  if (it == recent_outputs_.end()) return nullptr;
  for (const RecentOutputs& recent : it->second) {
    if (same_json(recent.given, outputs)) return recent.outputs;
  }
  return nullptr;
}

void Runtime::remember_given(const Node& node, const Json& outputs, std::shared_ptr<const GivenOutputs> checked) {
  std::vector<RecentOutputs>& recent = recent_outputs_[&node];
  if (recent.size() < kRecentOutputs) {
    recent.push_back(RecentOutputs{outputs, std::move(checked)});
    return;
  }
  // The oldest goes: the first kRecentOutputs sets a step was given, then each new one in turn.
  std::rotate(recent.begin(), recent.begin() + 1, recent.end());
  recent.back() = RecentOutputs{outputs, std::move(checked)};
}

Status Runtime::signal(CaseId id, const std::string& event, const Json& data, Instant now, Changes& changes,
                       const std::string& role) {
  return undone_if_refused(changes, [&]() -> Status {
    if (cases_.count(id) == 0) return Status(StatusCode::kNotFound, fmt::format("no running case {}", id));
    Instance& c = working(id, changes);
    const model::Process& p = *definition(c.hash);
    if (std::find(p.events.begin(), p.events.end(), event) == p.events.end()) {
      return Status(StatusCode::kInvalidArgument, fmt::format("process '{}' has no event '{}' (events: {})", p.name, event,
                                                              fmt::join(p.events, ", ")));
    }
    if (Status s = check_sender(p, event, role); !s.is_ok()) return s;
    const Json& carried = data.is_null() ? Json::object() : data;
    if (!carried.is_object()) return Status(StatusCode::kInvalidArgument, "event data must be a JSON object");
    if (Status s = check_carried_fields(p, event, carried); !s.is_ok()) return s;
    keep_data(id, changes);
    if (Status s = validate_data(p, carried, c.data); !s.is_ok()) return s;
    CaseRun run(*this, changes, id, now);
    bool handled = false;
    Status status = guarded([&] {
      handled = run.deliver(event);
      run.run();
      run.retry_guards();
    });
    if (!status.is_ok()) return status;
    if (!handled) return Status(StatusCode::kFailedPrecondition, no_listener(current(id, changes), p, event, legal_));
    run.audit(AuditKind::kEventReceived, {}, [&](JsonObjectText& d) {
      if (!role.empty()) d.string("by", role);
      d.string("event", event);
    });
    return Status::ok();
  });
}

Status Runtime::update(CaseId id, const Json& data, Instant now, Changes& changes) {
  return undone_if_refused(changes, [&]() -> Status {
    if (cases_.count(id) == 0) return Status(StatusCode::kNotFound, fmt::format("no running case {}", id));
    Instance& c = working(id, changes);
    keep_data(id, changes);
    if (Status s = validate_data(*definition(c.hash), data, c.data); !s.is_ok()) return s;
    CaseRun run(*this, changes, id, now);
    run.audit(AuditKind::kCaseDataUpdated, {}, [&](JsonObjectText& d) { d.strings("fields", field_names(data)); });
    return guarded([&] { run.retry_guards(); });
  });
}

Status Runtime::cancel(CaseId id, const std::string& reason, Instant now, Changes& changes) {
  if (cases_.count(id) == 0) return Status(StatusCode::kNotFound, fmt::format("no running case {}", id));
  return undone_if_refused(changes, [&] {
    working(id, changes);
    CaseRun run(*this, changes, id, now);
    run.finish(CaseStatus::kTerminated, reason.empty() ? "cancelled" : reason);
    return Status::ok();
  });
}

Status Runtime::fire(TimerId timer_id, Instant now, Changes& changes) {
  const CaseId* indexed = timer_index_.find(timer_id);
  if (indexed == nullptr) return Status(StatusCode::kNotFound, fmt::format("no pending timer {}", timer_id));
  const CaseId where = *indexed;
  return undone_if_refused(changes, [&] {
    Instance& c = working(where, changes);
    Timer timer = c.timers.at(timer_id);  // indexed: pending in the live case
    CaseRun run(*this, changes, c.id, now);
    Status status = guarded([&] { run.fired(timer); });
    if (!status.is_ok()) {
      // Not retried for ever, and not dropped: an incident, held until a person decides. What the
      // timer would have done is undone; the case waits where it was.
      undo(changes);
      if (spoiled_) {
        // Without an undo log the case cannot be put back where the timer found it.
        return Status(StatusCode::kInternal, fmt::format("timer {} failed half way: {}", timer_id, status.message()));
      }
      changes = Changes{};
      Instance& fresh = working(where, changes);
      keep_timer(fresh.id, timer_id, changes);
      Timer& t = fresh.timers.at(timer_id);
      t.status = TimerStatus::kFailed;
      t.failed_at = now;
      t.failure = status.message();
      CaseRun again(*this, changes, fresh.id, now);
      again.write(t);
      const model::Process& p = *definition(fresh.hash);
      again.audit(AuditKind::kIncidentOpened, {}, [&](JsonObjectText& d) {
        d.string("error", t.failure).string("timer", t.name).number("timer_id", timer_id);
        d.string("told", p.incident_role);
      });
      again.notify({p.incident_role},
                   fmt::format("Storing in zaak {}: '{}' (termijn {} van {}) kon niet worden uitgevoerd: {}. "
                               "Herstel de oorzaak en voer hem opnieuw uit, of besluit hem te laten vervallen.",
                               fresh.id, t.name, timer_id, legal_.format(t.due.at), t.failure),
                   t.name);
    }
    return Status::ok();
  });
}

Result<CaseId> Runtime::incident_case(TimerId timer) const {
  auto it = incidents_.find(timer);
  if (it == incidents_.end()) return Status(StatusCode::kNotFound, fmt::format("no open incident {}", timer));
  return it->second;
}

Status Runtime::retry(TimerId timer_id, Instant now, Changes& changes) {
  return undone_if_refused(changes, [&]() -> Status {
    Result<CaseId> id = incident_case(timer_id);
    if (!id.is_ok()) return id.status();
    Instance& c = working(*id, changes);
    Timer timer = c.timers.at(timer_id);
    std::string failure = timer.failure;
    timer.status = TimerStatus::kPending;
    timer.failed_at.reset();
    timer.failure.clear();
    CaseRun run(*this, changes, c.id, now);
    run.audit(AuditKind::kIncidentRetried, {}, [&](JsonObjectText& d) {
      d.string("error", failure).string("timer", timer.name).number("timer_id", timer_id);
    });
    Status status = guarded([&] { run.fired(timer); });
    if (!status.is_ok()) {
      return Status(StatusCode::kFailedPrecondition,
                    fmt::format("timer {} '{}' still cannot fire: {}", timer_id, timer.name, status.message()));
    }
    return Status::ok();
  });
}

Status Runtime::dismiss(TimerId timer_id, const std::string& reason, Instant now, Changes& changes) {
  if (reason.empty()) {
    return Status(StatusCode::kInvalidArgument, "dismissing an incident needs a reason: what a process promised is "
                                                "dropped only by a person's decision, and the audit keeps why");
  }
  Result<CaseId> id = incident_case(timer_id);
  if (!id.is_ok()) return id.status();
  return undone_if_refused(changes, [&] {
    CaseRun run(*this, changes, working(*id, changes).id, now);
    run.cancel_timer(timer_id, AuditKind::kIncidentDismissed, reason);
    return Status::ok();
  });
}

namespace {

// Walks two lists sorted by id, as they were and as they are: `gone` for an id only in the old,
// `added` for one only in the new, `kept` for one in both.
template <typename Old, typename New, typename IdOfOld, typename IdOfNew, typename Gone, typename Added, typename Kept>
void diff_by_id(const Old& old, const New& now, IdOfOld old_id, IdOfNew new_id, Gone gone, Added added, Kept kept) {
  auto o = old.begin();
  auto n = now.begin();
  while (o != old.end() || n != now.end()) {
    if (n == now.end() || (o != old.end() && old_id(*o) < new_id(*n))) {
      gone(*o++);
    } else if (o == old.end() || new_id(*n) < old_id(*o)) {
      added(*n++);
    } else {
      kept(*o++, *n++);
    }
  }
}

}  // namespace

// Re-indexes only what a step changed: a case with many open tasks and timers touches one or two.
void Runtime::apply(Changes& changes) {
  using Queued = std::tuple<Instant, TimerId>;
  static const std::map<TaskId, Task> kNoTasks;
  static const std::vector<Queued> kNothingQueued;
  for (auto& [id, instance] : changes.cases) {
    const bool running = instance.status == CaseStatus::kRunning;
    auto live = cases_.find(id);
    // The case's incidents as they were go, and come back below as they are. Incidents are rare:
    // with none open anywhere, a step pays nothing for them.
    if (!incidents_.empty() && live != cases_.end()) {
      for (const auto& [timer_id, timer] : live->second.timers) {
        if (timer.status == TimerStatus::kFailed) incidents_.erase(timer_id);
      }
    }
    std::vector<Queued> pending;
    if (running) {
      for (const auto& [timer_id, timer] : instance.timers) {
        if (timer.status == TimerStatus::kPending) pending.emplace_back(timer.due.at, timer_id);
        if (timer.status == TimerStatus::kFailed) incidents_[timer_id] = id;
      }
    }
    auto queued = queued_by_case_.find(id);
    const std::vector<Queued>& was = queued == queued_by_case_.end() ? kNothingQueued : queued->second;
    auto timer_of = [](const Queued& q) { return std::get<1>(q); };
    diff_by_id(
        was, pending, timer_of, timer_of,
        [&](const Queued& gone) {
          due_queue_.erase(std::get<1>(gone));
          timer_index_.erase(std::get<1>(gone));
        },
        [&](const Queued& added) {
          due_queue_.set(std::get<1>(added), std::get<0>(added));
          timer_index_.set(std::get<1>(added), id);
        },
        [&](const Queued& before, const Queued& after) {
          if (before != after) due_queue_.set(std::get<1>(after), std::get<0>(after));
        });
    auto task_of = [](const auto& entry) { return entry.first; };
    diff_by_id(
        live == cases_.end() ? kNoTasks : live->second.tasks, running ? instance.tasks : kNoTasks, task_of, task_of,
        [&](const auto& gone) { task_index_.erase(gone.first); },
        [&](const auto& added) { task_index_.set(added.first, id); }, [](const auto&, const auto&) {});
    if (!running) {
      if (queued != queued_by_case_.end()) queued_by_case_.erase(queued);
      if (live != cases_.end()) cases_.erase(live);
      continue;
    }
    if (queued != queued_by_case_.end()) {
      queued->second = std::move(pending);
    } else {
      queued_by_case_.emplace(id, std::move(pending));
    }
    if (live != cases_.end()) {
      live->second = std::move(instance);
    } else {
      cases_.emplace(id, std::move(instance));
    }
  }
  if (!changes.undo.empty()) apply_in_place(changes);
}

void Runtime::restore(Instance instance) {
  Changes changes;
  create(std::move(instance), changes);  // in place, as a case the command started: indexed whole
  apply(changes);
}

void Runtime::forget_cases() {
  cases_.clear();
  task_index_.clear();
  timer_index_.clear();
  incidents_.clear();
  due_queue_.clear();
  queued_by_case_.clear();
  next_case_ = next_task_ = next_timer_ = 1;
}

void Runtime::reserve_ids(CaseId next_case, TaskId next_task, TimerId next_timer) {
  next_case_ = std::max(next_case_, next_case);
  next_task_ = std::max(next_task_, next_task);
  next_timer_ = std::max(next_timer_, next_timer);
}

std::optional<std::pair<Instant, TimerId>> Runtime::next_due() const { return due_queue_.first(); }

}  // namespace termijn::runtime
