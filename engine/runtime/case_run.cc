// The token machine: moves ready tokens, one step at a time; the step switch names one member
// per kind; sub-process calls.
#include "engine/runtime/internal/case_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "engine/base/limits.h"

namespace termijn::runtime {

// Moves every ready token as far as it goes. A process that loops without waiting (a `goto`
// back with nothing in between) is stopped at limits::kStepsPerCommand: the command is refused
// with the reason and nothing it did is kept, instead of the engine thread spinning for ever.
void CaseRun::run() {
  for (int steps = 0;; ++steps) {
    Token* ready = nullptr;
    for (auto& t : c().tokens) {
      if (t.state == TokenState::kReady) {
        ready = &t;
        break;
      }
    }
    if (ready == nullptr) break;
    if (steps == limits::kStepsPerCommand) {
      throw std::runtime_error(fmt::format("case {} took more than {} steps without waiting (limit: steps per "
                                           "command); does the process loop without a task, timer or wait?",
                                           id_, limits::kStepsPerCommand));
    }
    step(ready->id);
    if (c().status != CaseStatus::kRunning) return;
  }
  if (c().tokens.empty() && c().status == CaseStatus::kRunning) finish(CaseStatus::kCompleted, "all steps done");
}

int CaseRun::spawn(NodeId node, std::vector<Frame> frames, std::vector<int> scopes,
                   std::map<std::string, Instant> received) {
  // Made whole, not assigned into a default token: that one's scopes ({0}) would be made only to go.
  c().tokens.push_back(Token{.id = c().next_token++,
                             .node = node,
                             .state = TokenState::kReady,
                             .frames = std::move(frames),
                             .scopes = std::move(scopes),
                             .task = 0,
                             .timer = 0,
                             .waiting_for = {},
                             .child = 0,
                             .received = std::move(received)});
  return c().tokens.back().id;
}

Token* CaseRun::token(int id) {
  for (auto& t : c().tokens) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

void CaseRun::remove_token(int id) {
  auto& tokens = c().tokens;
  tokens.erase(std::remove_if(tokens.begin(), tokens.end(), [id](const Token& t) { return t.id == id; }), tokens.end());
}

void CaseRun::move(int id, NodeId target) {
  if (target == kNoNode) {
    remove_token(id);
    return;
  }
  Token* t = token(id);
  t->node = target;
  t->state = TokenState::kReady;
  t->task = 0;
  t->timer = 0;
  t->waiting_for.clear();
}

void CaseRun::next(int id) {
  const Node& node = process().nodes.at(token(id)->node);
  move(id, node.next.empty() ? kNoNode : node.next.front().target);
}

EvalContext CaseRun::context(const Token* t) {
  const model::Process& p = process();
  if (calendar_ == nullptr && p.calendar) calendar_ = HolidayCalendar::find(p.calendar->rules);
  return EvalContext{p, c(), t, now_, rt_.legal_, calendar_, rt_.explain_};
}

void CaseRun::notify(const std::vector<std::string>& roles, std::string_view message, std::string_view source,
                     std::vector<std::string> persons) {
  if (!full()) return;
  audit(AuditKind::kNotification, {}, [&](JsonObjectText& d) {
    d.string("message", message);
    if (!persons.empty()) d.strings("persons", persons);
    d.strings("roles", roles).string("source", source);
  });
  changes_.outbox.push_back(Notification{id_, now_, roles, std::string(message), std::string(source),
                                         std::move(persons)});
}

Json CaseRun::select(const Node& node, Json list, const Token& token) {
  Json selected = Json::array();
  Token element = token;
  element.frames.push_back(Frame{-1, Json::object()});
  Json undecided = Json::array();
  for (auto& value : list) {
    element.frames.back().vars[node.target] = value;
    try {
      if (evaluate(*node.filter, context(&element)).get<bool>()) selected.push_back(std::move(value));
    } catch (const std::runtime_error& e) {
      // One person's unknown birth date must not stop the case for the whole household: the
      // element is left out, and the audit names it and why, for a person to follow up.
      undecided.push_back(Json{{"element", person_id(value)}, {"reason", e.what()}});
    }
  }
  audit(AuditKind::kSelected, {&node}, [&](JsonObjectText& d) {
    d.number("of", static_cast<std::int64_t>(list.size())).number("selected", static_cast<std::int64_t>(selected.size()));
    d.string("step", node.name);
    if (!undecided.empty()) d.json("undecided", undecided);
    d.string("where", model::to_source(*node.filter));
  });
  return selected;
}

TimerId CaseRun::schedule(Timer timer) {
  timer.id = rt_.next_timer_++;
  timer.case_id = id_;
  write(timer);
  TimerId id = timer.id;
  keep_timer(id);
  c().timers.emplace(id, std::move(timer));
  return id;
}

void CaseRun::cancel_timer(TimerId id, AuditKind kind, std::string_view reason) {
  auto it = c().timers.find(id);
  if (it == c().timers.end()) return;
  keep_timer(id);
  if (it->second.status == TimerStatus::kFailed) {
    audit(kind, {}, [&](JsonObjectText& d) {
      d.string("error", it->second.failure).string("reason", reason).string("timer", it->second.name);
      d.number("timer_id", id);
    });
  }
  it->second.status = TimerStatus::kCancelled;
  write(it->second);
  c().timers.erase(it);
}

void CaseRun::step(int id) {
  Token* t = token(id);
  const Node& node = process().nodes.at(t->node);
  switch (node.kind) {
    case NodeKind::kStart: next(id); return;
    case NodeKind::kTask: open_task(id, node); return;
    case NodeKind::kMilestone:
      keep_reached(node.id);
      c().reached[node.id] = now_;
      audit(AuditKind::kMilestoneReached, {&node}, [&](JsonObjectText& d) { d.string("step", node.name); });
      next(id);
      return;
    case NodeKind::kDecision: {
      for (const auto& edge : node.next) {
        if (!edge.condition || evaluate(*edge.condition, context(t)).get<bool>()) {
          audit(AuditKind::kDecided, {&node}, [&](JsonObjectText& d) {
            d.string("branch", edge.condition ? model::to_source(*edge.condition) : edge.label);
            d.string("step", node.name);
          });
          move(id, edge.target);
          return;
        }
      }
      throw std::runtime_error(fmt::format("decision '{}' has no branch that holds", node.name));
    }
    case NodeKind::kTimer: {
      Deadline at = evaluate_moment(*node.expr, context(t));
      set_named_timer(node, std::move(at));
      next(id);
      return;
    }
    case NodeKind::kWaitUntil: {
      Deadline at = evaluate_moment(*node.expr, context(t));
      if (at.at <= now_) {
        next(id);
        return;
      }
      Timer timer;
      timer.kind = TimerKind::kWait;
      timer.name = node.name;
      timer.token = id;
      timer.due = std::move(at);
      TimerId timer_id = schedule(std::move(timer));
      t = token(id);
      t->state = TokenState::kWaitTimer;
      t->timer = timer_id;
      return;
    }
    case NodeKind::kWaitFor:
      t->state = TokenState::kWaitEvent;
      t->waiting_for = node.target;
      return;
    case NodeKind::kParallelSplit: {
      int fork = c().next_fork++;
      // A detached branch (`add beside`) is not waited for: the join counts the others.
      int joining = static_cast<int>(std::count_if(node.next.begin(), node.next.end(),
                                                   [](const model::Edge& e) { return !e.detached; }));
      c().forks[fork] = Fork{joining, 0};
      std::vector<Frame> frames = t->frames;
      std::vector<int> scopes = t->scopes;
      frames.push_back(Frame{fork, Json::object()});
      std::map<std::string, Instant> received = t->received;
      remove_token(id);
      for (const auto& edge : node.next) spawn(edge.target, frames, scopes, received);
      return;
    }
    case NodeKind::kParallelJoin:
    case NodeKind::kForEachJoin: {
      int fork = t->frames.back().fork;
      Fork& f = c().forks.at(fork);
      if (++f.arrived < f.expected) {
        remove_token(id);
        return;
      }
      c().forks.erase(fork);
      t->frames.pop_back();
      next(id);
      return;
    }
    case NodeKind::kForEachSplit: {
      Json list = evaluate(*node.expr, context(t));
      if (node.filter) list = select(node, std::move(list), *t);
      if (list.empty()) {
        // Nothing to do for any element: straight past the join.
        const Node& join = process().nodes.at(node.partner);
        move(id, join.next.empty() ? kNoNode : join.next.front().target);
        return;
      }
      int fork = c().next_fork++;
      c().forks[fork] = Fork{static_cast<int>(list.size()), 0};
      std::vector<Frame> frames = t->frames;
      std::vector<int> scopes = t->scopes;
      std::map<std::string, Instant> received = t->received;
      remove_token(id);
      for (const auto& element : list) {
        std::vector<Frame> with = frames;
        with.push_back(Frame{fork, Json{{node.target, element}}});
        spawn(node.next.front().target, std::move(with), scopes, received);
      }
      return;
    }
    case NodeKind::kCall: call(id, node); return;
    case NodeKind::kGuard: {
      if (evaluate(*node.expr, context(t)).get<bool>()) {
        if (!t->waiting_for.empty()) {
          audit(AuditKind::kAccepted, {&node}, [&](JsonObjectText& d) { d.string("reason", node.message).string("step", node.name); });
        }
        next(id);
        return;
      }
      if (t->waiting_for.empty()) {
        t->waiting_for = node.message;
        audit(AuditKind::kRefused, {&node}, [&](JsonObjectText& d) { d.string("reason", node.message).string("step", node.name); });
        if (!node.escalate_to.empty() && full()) notify({node.escalate_to}, "Geweigerd: " + node.message, node.name);
      }
      token(id)->state = TokenState::kGuard;
      return;
    }
    case NodeKind::kNotify: {
      std::vector<std::string> persons;
      for (const auto& recipients : node.persons) {
        // A person field with no value tells no one (the audit says so); it does not stop the case.
        if (recipients.kind == model::Expr::Kind::kField &&
            (!c().data.contains(recipients.text) || c().data.at(recipients.text).is_null())) {
          audit(AuditKind::kNotNotified, {&node}, [&](JsonObjectText& d) {
            d.string("field", recipients.text).string("reason", "no value").string("step", node.name);
          });
          continue;
        }
        Json value = evaluate(recipients, context(t));
        for (const Json& person : value.is_array() ? value : Json::array({value})) persons.push_back(person_id(person));
      }
      notify(node.roles, node.message, node.name, std::move(persons));
      next(id);
      return;
    }
    case NodeKind::kSignal: {
      // Delivered like an event from outside; an interrupting handler may end this very token.
      audit(AuditKind::kSignalled, {&node}, [&](JsonObjectText& d) { d.string("event", node.target).string("step", node.name); });
      std::string event = node.target;
      deliver(event);
      if (token(id) != nullptr) next(id);
      return;
    }
    case NodeKind::kSet: {
      const model::Process& p = process();
      bool is_timer = false;
      for (const auto& n : p.nodes) is_timer |= n.kind == NodeKind::kTimer && n.target == node.target;
      if (is_timer) {
        refuse_if_passed(node);
        set_named_timer(node, evaluate_moment(*node.expr, context(t)));
      } else {
        Json value = evaluate(*node.expr, context(t));
        rt_.keep_data(id_, changes_);
        c().data[node.target] = std::move(value);
        audit(AuditKind::kCaseDataSet, {&node}, [&](JsonObjectText& d) { d.string("field", node.target).string("step", node.name); });
      }
      next(id);
      return;
    }
    case NodeKind::kScopeEnter: {
      int scope_instance = c().next_scope++;
      c().scopes[scope_instance] = ScopeInstance{node.scope, t->scopes.back(), t->frames, t->received};
      t->scopes.push_back(scope_instance);
      audit(AuditKind::kStageEntered, {&node}, [&](JsonObjectText& d) { d.string("stage", node.name); });
      next(id);
      return;
    }
    case NodeKind::kScopeExit: {
      const model::Scope& stage = process().scopes.at(process().nodes.at(node.partner).scope);
      // Only a token inside this stage leaves it: an interrupting handler's flow arrives here
      // from outside, the stage already ended.
      if (t->scopes.size() > 1 && c().scopes.at(t->scopes.back()).scope == stage.id) {
        if (!stage.until.empty() && pending_named_timer(stage.until) != nullptr) {
          // `stage x until t`: done early, the stage still runs (and listens) until its term.
          t->state = TokenState::kWaitEvent;
          t->waiting_for = stage.until;
          return;
        }
        c().scopes.erase(t->scopes.back());
        t->scopes.pop_back();
      }
      next(id);
      return;
    }
    case NodeKind::kEnd: finish(CaseStatus::kCompleted, node.message.empty() ? node.name : node.message); return;
  }
}

void CaseRun::call(int id, const Node& node) {
  const model::Process* callee = rt_.latest(node.target);
  if (callee == nullptr) throw std::runtime_error(fmt::format("process '{}' is not deployed", node.target));
  Json data = Json::object();
  EvalContext ctx = context(token(id));
  for (const auto& [field, value] : node.arguments) {
    data[field] = declared_attributes_only(evaluate(value, ctx), callee->person_attributes);
  }
  // The checker saw the callee deployed with the caller; a later version may require more.
  if (const model::Field* field = missing_required(callee->fields, data)) {
    throw std::runtime_error(fmt::format("process '{}' version {} requires case field '{}', which '{}' does not pass",
                                         callee->name, callee->version, field->name, node.name));
  }
  CaseId child = rt_.next_case_++;
  Instance instance;
  instance.id = child;
  instance.process = callee->name;
  instance.hash = callee->hash;
  instance.started = now_;
  instance.data = data;
  instance.parent_case = id_;
  instance.parent_token = id;
  rt_.create(std::move(instance), changes_);
  Token* t = token(id);
  t->state = TokenState::kCall;
  t->child = child;
  audit(AuditKind::kSubProcessStarted, {&node, child},
        [&](JsonObjectText& d) { d.number("case", child).string("process", callee->name); });
  CaseRun child_run(rt_, changes_, child, now_);
  child_run.spawn(callee->nodes.at(callee->starts.front()).id, {}, {0});
  child_run.audit(AuditKind::kCaseStarted, {}, [&](JsonObjectText& d) {
    d.number("parent", id_).string("process", callee->name).number("version", callee->version);
  });
  child_run.run();
}

}  // namespace termijn::runtime
