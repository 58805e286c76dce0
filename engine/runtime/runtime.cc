#include "engine/runtime/runtime.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <stdexcept>

#include "engine/base/diagnostic.h"
#include "engine/base/limits.h"
#include "engine/runtime/evaluator.h"
#include "engine/time/termijnenwet.h"

namespace termijn::runtime {

using model::Node;
using model::NodeId;
using model::NodeKind;
using model::kNoNode;

// ---- one case's tokens, moved forward within one command ----------------------------------------

class CaseRun {
 public:
  CaseRun(Runtime& rt, Changes& changes, CaseId id, Instant now)
      : rt_(rt), changes_(changes), id_(id), now_(now) {}

  Instance& c() { return changes_.cases.at(id_); }
  const model::Process& process() { return *rt_.definition(c().hash); }

  // Moves every ready token as far as it goes. A process that loops without waiting (a `goto`
  // back with nothing in between) is stopped at limits::kStepsPerCommand: the command is refused
  // with the reason and nothing it did is kept, instead of the engine thread spinning for ever.
  void run() {
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

  int spawn(NodeId node, std::vector<Frame> frames, std::vector<int> scopes,
            std::map<std::string, Instant> received = {}) {
    Token t;
    t.id = c().next_token++;
    t.node = node;
    t.frames = std::move(frames);
    t.scopes = std::move(scopes);
    t.received = std::move(received);
    c().tokens.push_back(std::move(t));
    return c().tokens.back().id;
  }

  Token* token(int id) {
    for (auto& t : c().tokens) {
      if (t.id == id) return &t;
    }
    return nullptr;
  }

  void remove_token(int id) {
    auto& tokens = c().tokens;
    tokens.erase(std::remove_if(tokens.begin(), tokens.end(), [id](const Token& t) { return t.id == id; }), tokens.end());
  }

  void move(int id, NodeId target) {
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

  void next(int id) {
    const Node& node = process().nodes.at(token(id)->node);
    move(id, node.next.empty() ? kNoNode : node.next.front().target);
  }

  EvalContext context(const Token* t) {
    const model::Process& p = process();
    return EvalContext{p, c(), t, now_, rt_.legal_,
                       p.calendar ? HolidayCalendar::find(p.calendar->rules) : nullptr};
  }

  void audit(const std::string& kind, Json detail) {
    changes_.audit.push_back(AuditEntry{id_, now_, kind, std::move(detail)});
  }

  void notify(std::vector<std::string> roles, std::string message, std::string source) {
    audit("notification", Json{{"roles", roles}, {"message", message}, {"source", source}});
    changes_.outbox.push_back(Notification{id_, now_, std::move(roles), std::move(message), std::move(source)});
  }

  void write(const Task& t) { changes_.tasks[t.id] = t; }
  void write(const Timer& t) { changes_.timers[t.id] = t; }

  TimerId schedule(Timer timer) {
    timer.id = rt_.next_timer_++;
    timer.case_id = id_;
    write(timer);
    c().timers[timer.id] = timer;
    return timer.id;
  }

  void cancel_timer(TimerId id) {
    auto it = c().timers.find(id);
    if (it == c().timers.end()) return;
    it->second.status = TimerStatus::kCancelled;
    write(it->second);
    c().timers.erase(it);
  }

  // The escalation rungs of a task that have not fired yet.
  void cancel_rungs(TaskId task) {
    std::vector<TimerId> rungs;
    for (const auto& [timer_id, timer] : c().timers) {
      if (timer.kind == TimerKind::kRung && timer.task == task) rungs.push_back(timer_id);
    }
    for (TimerId r : rungs) cancel_timer(r);
  }

  // ---- steps ----

  void step(int id) {
    Token* t = token(id);
    const Node& node = process().nodes.at(t->node);
    switch (node.kind) {
      case NodeKind::kStart: next(id); return;
      case NodeKind::kTask: open_task(id, node); return;
      case NodeKind::kMilestone:
        c().reached[node.id] = now_;
        audit("milestone reached", Json{{"step", node.name}});
        next(id);
        return;
      case NodeKind::kDecision: {
        for (const auto& edge : node.next) {
          if (!edge.condition || evaluate(*edge.condition, context(t)).get<bool>()) {
            audit("decided", Json{{"step", node.name}, {"branch", edge.condition ? model::to_source(*edge.condition) : edge.label}});
            move(id, edge.target);
            return;
          }
        }
        throw std::runtime_error(fmt::format("decision '{}' has no branch that holds", node.name));
      }
      case NodeKind::kTimer: {
        Deadline at = evaluate_moment(*node.expr, context(t));
        set_named_timer(node.target, std::move(at), node.name);
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
          if (!t->waiting_for.empty()) audit("accepted", Json{{"step", node.name}, {"reason", node.message}});
          next(id);
          return;
        }
        if (t->waiting_for.empty()) {
          t->waiting_for = node.message;
          audit("refused", Json{{"step", node.name}, {"reason", node.message}});
          if (!node.escalate_to.empty()) notify({node.escalate_to}, "Geweigerd: " + node.message, node.name);
        }
        token(id)->state = TokenState::kGuard;
        return;
      }
      case NodeKind::kNotify:
        notify(node.roles, node.message, node.name);
        next(id);
        return;
      case NodeKind::kSignal: {
        // Delivered like an event from outside; an interrupting handler may end this very token.
        audit("signalled", Json{{"step", node.name}, {"event", node.target}});
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
          set_named_timer(node.target, evaluate_moment(*node.expr, context(t)), node.name);
        } else {
          c().data[node.target] = evaluate(*node.expr, context(t));
          audit("case data set", Json{{"step", node.name}, {"field", node.target}});
        }
        next(id);
        return;
      }
      case NodeKind::kScopeEnter: {
        int scope_instance = c().next_scope++;
        c().scopes[scope_instance] = ScopeInstance{node.scope, t->scopes.back(), t->frames, t->received};
        t->scopes.push_back(scope_instance);
        audit("stage entered", Json{{"stage", node.name}});
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

  void open_task(int id, const Node& node) {
    Token* t = token(id);
    EvalContext ctx = context(t);
    Task task;
    task.id = rt_.next_task_++;
    task.case_id = id_;
    task.node = node.id;
    task.token = id;
    task.name = node.name;
    task.title = node.title;
    task.role = node.role;
    task.opened = now_;
    task.due = compute_due(node, ctx);
    t->state = TokenState::kTask;
    t->task = task.id;
    c().tasks[task.id] = task;
    write(task);
    plan_rungs(task, node, 0);
    audit("task opened", Json{{"task", task.id}, {"step", node.name}, {"role", task.role},
                              {"due", to_iso_utc(task.due.at)}});
  }

  Deadline compute_due(const Node& node, const EvalContext& ctx) {
    if (node.due) return evaluate_moment(*node.due, ctx);
    Duration d = duration_from(evaluate(*node.within, ctx));
    std::vector<std::string> notes;
    Instant at = rt_.legal_.add(now_, d, ctx.calendar, &notes);
    std::vector<std::string> why{fmt::format("opened = {}", rt_.legal_.format(now_)),
                                 fmt::format("+ within {} = {}", to_string(d), rt_.legal_.format(at))};
    // `within Group.term`: the term's end as for `opened + Group.term` (the Algemene termijnenwet).
    const model::Expr& within = *node.within;
    if (const auto* term = within.kind == model::Expr::Kind::kTerm ? ctx.process.find_term(within.text) : nullptr) {
      at = end_of_term(rt_.legal_, TermEnd{now_, at, d, false, term->termijnenwet}, &notes);
    }
    for (auto& n : notes) why.push_back("  " + n);
    return Deadline{at, why};
  }

  void plan_rungs(const Task& task, const Node& node, std::size_t from) {
    for (std::size_t i = from; i < node.escalation.size(); ++i) {
      const model::EscalationRung& rung = node.escalation[i];
      std::vector<std::string> why{fmt::format("task '{}' due {}", task.name, rt_.legal_.format(task.due.at))};
      Instant at = task.due.at;
      if (!rung.at_due) {
        at = rt_.legal_.add(task.due.at, rung.offset, context(nullptr).calendar, &why);
        why.push_back(fmt::format("rung {}: {} {} = {}", i + 1, rung.offset.days < 0 || rung.offset.minutes < 0 ? "" : "+",
                                  to_string(rung.offset), rt_.legal_.format(at)));
      } else {
        why.push_back(fmt::format("rung {}: at due", i + 1));
      }
      Timer timer;
      timer.kind = TimerKind::kRung;
      timer.name = fmt::format("{}#{}", task.name, i + 1);
      timer.task = task.id;
      timer.rung = static_cast<int>(i);
      timer.due = Deadline{at, why};
      schedule(std::move(timer));
    }
  }

  const Timer* pending_named_timer(const std::string& name) {
    auto named = c().named_timers.find(name);
    if (named == c().named_timers.end()) return nullptr;
    auto timer = c().timers.find(named->second);
    return timer == c().timers.end() ? nullptr : &timer->second;
  }

  // A term that has passed is over: `set` cannot move it any more, whatever a variant writes.
  // Art. 9 lid 1 Wth: the mayor may extend the ban "tot ten hoogste vier weken nadat het is
  // opgelegd", an extension of a running ban; an ended one can only be followed by a new ban.
  void refuse_if_passed(const Node& set) {
    if (pending_named_timer(set.target) != nullptr) return;
    const model::Process& p = process();
    const Node* timer = nullptr;
    for (const auto& n : p.nodes) {
      if (n.kind == NodeKind::kTimer && n.target == set.target && c().reached.count(n.id) != 0) timer = &n;
    }
    if (timer == nullptr) return;  // not set yet: `set` starts it
    std::vector<std::string> cites;
    std::function<void(const model::Expr&)> collect = [&](const model::Expr& e) {
      if (e.kind == model::Expr::Kind::kTerm) {
        const model::LegalTerm* term = p.find_term(e.text);
        if (term != nullptr && !term->cite.empty()) cites.push_back(fmt::format("{}: {}", e.text, term->cite));
      }
      for (const auto& operand : e.operands) collect(operand);
    };
    collect(*set.expr);
    throw std::runtime_error(fmt::format("'{}' cannot move timer '{}': it passed at {}, and a term that has ended "
                                         "cannot be extended{}", set.name, set.target,
                                         rt_.legal_.format(c().reached.at(timer->id)),
                                         cites.empty() ? "" : fmt::format(" ({})", fmt::join(cites, "; "))));
  }

  void set_named_timer(const std::string& name, Deadline at, const std::string& by) {
    bool moved = false;
    if (auto it = c().named_timers.find(name); it != c().named_timers.end()) {
      auto existing = c().timers.find(it->second);
      if (existing != c().timers.end()) {
        at.why.push_back(fmt::format("moved by '{}' from {}", by, rt_.legal_.format(existing->second.due.at)));
        cancel_timer(it->second);
        moved = true;
      }
    }
    Timer timer;
    timer.kind = TimerKind::kNamed;
    timer.name = name;
    timer.due = at;
    TimerId id = schedule(std::move(timer));
    c().named_timers[name] = id;
    audit(moved ? "timer moved" : "timer set", Json{{"timer", name}, {"at", to_iso_utc(at.at)}, {"step", by}});
    if (moved) replan(name);
  }

  // A timer moved (the mayor extended the ban): every deadline computed from moments is
  // computed again, and pending escalation rungs and waits follow.
  void replan(const std::string& because) {
    const model::Process& p = process();
    for (auto& [task_id, task] : c().tasks) {
      const Node& node = p.nodes.at(task.node);
      Token* t = token(task.token);
      // A task handed on past its stage's term keeps the deadline it had.
      if (!node.due || task.status != TaskStatus::kOpen || t == nullptr) continue;
      Deadline due = evaluate_moment(*node.due, context(t));
      if (due.at == task.due.at) continue;
      due.why.push_back(fmt::format("recomputed because timer '{}' moved", because));
      audit("deadline moved", Json{{"task", task_id}, {"step", task.name}, {"from", to_iso_utc(task.due.at)},
                                   {"to", to_iso_utc(due.at)}});
      task.due = std::move(due);
      cancel_rungs(task_id);
      write(task);
      plan_rungs(task, node, static_cast<std::size_t>(task.escalation_level));
    }
    std::vector<TimerId> waits;
    for (const auto& [timer_id, timer] : c().timers) {
      if (timer.kind == TimerKind::kWait) waits.push_back(timer_id);
    }
    for (TimerId w : waits) {
      Timer old = c().timers.at(w);
      Token* t = token(old.token);
      if (t == nullptr) continue;
      Deadline at = evaluate_moment(*p.nodes.at(t->node).expr, context(t));
      if (at.at == old.due.at) continue;
      at.why.push_back(fmt::format("recomputed because timer '{}' moved", because));
      cancel_timer(w);
      Timer timer = old;
      timer.due = std::move(at);
      timer.status = TimerStatus::kPending;
      TimerId id = schedule(std::move(timer));
      token(old.token)->timer = id;
    }
  }

  void call(int id, const Node& node) {
    const model::Process* callee = rt_.latest(node.target);
    if (callee == nullptr) throw std::runtime_error(fmt::format("process '{}' is not deployed", node.target));
    Json data = Json::object();
    EvalContext ctx = context(token(id));
    for (const auto& [field, value] : node.arguments) data[field] = evaluate(value, ctx);
    CaseId child = rt_.next_case_++;
    Instance instance;
    instance.id = child;
    instance.process = callee->name;
    instance.hash = callee->hash;
    instance.started = now_;
    instance.data = data;
    instance.parent_case = id_;
    instance.parent_token = id;
    changes_.cases[child] = std::move(instance);
    Token* t = token(id);
    t->state = TokenState::kCall;
    t->child = child;
    audit("sub-process started", Json{{"case", child}, {"process", callee->name}});
    CaseRun child_run(rt_, changes_, child, now_);
    child_run.spawn(callee->nodes.at(callee->starts.front()).id, {}, {0});
    child_run.audit("case started", Json{{"process", callee->name}, {"version", callee->version}, {"parent", id_}});
    child_run.run();
  }

  // ---- events ----

  std::vector<int> scope_stack(int scope_instance) {
    std::vector<int> stack;
    for (int s = scope_instance; s != -1; s = c().scopes.at(s).parent) stack.insert(stack.begin(), s);
    return stack;
  }

  bool deliver(const std::string& event) {
    bool handled = false;
    for (auto& t : c().tokens) {
      if (t.state == TokenState::kWaitEvent && t.waiting_for == event) {
        t.state = TokenState::kReady;
        t.node = process().nodes.at(t.node).next.empty() ? kNoNode : process().nodes.at(t.node).next.front().target;
        t.waiting_for.clear();
        handled = true;
      }
    }
    c().tokens.erase(std::remove_if(c().tokens.begin(), c().tokens.end(), [](const Token& t) { return t.node == kNoNode; }),
                     c().tokens.end());
    std::vector<std::pair<int, model::Handler>> listening;
    for (const auto& [instance_id, scope] : c().scopes) {
      for (const auto& h : process().scopes.at(scope.scope).handlers) {
        if (h.event == event) listening.emplace_back(instance_id, h);
      }
    }
    for (const auto& [instance_id, handler] : listening) {
      if (c().scopes.count(instance_id) == 0) continue;  // ended by an earlier interrupting handler
      handled = true;
      audit("event handled", Json{{"event", event}, {"interrupting", handler.interrupting},
                                  {"stage", process().scopes.at(c().scopes.at(instance_id).scope).name}});
      std::vector<int> stack = scope_stack(instance_id);
      if (handler.interrupting) {
        interrupt(instance_id, "interrupted by " + event);
        if (instance_id != 0) stack.pop_back();
      }
      if (handler.entry != kNoNode) spawn(handler.entry, {}, stack, {{event, now_}});
    }
    return handled;
  }

  void interrupt(int scope_instance, const std::string& why) {
    std::vector<int> doomed;
    for (const auto& t : c().tokens) {
      if (std::find(t.scopes.begin(), t.scopes.end(), scope_instance) != t.scopes.end()) doomed.push_back(t.id);
    }
    for (int id : doomed) cancel_token(id, why);
    close_scopes(scope_instance);
  }

  // Closes a scope instance and every stage inside it, so their handlers stop listening. The
  // process's own scope (0) stays open: its handlers listen for as long as the case runs.
  void close_scopes(int scope_instance) {
    std::vector<int> closing;
    for (const auto& [sid, s] : c().scopes) {
      auto stack = scope_stack(sid);
      if (sid != 0 && std::find(stack.begin(), stack.end(), scope_instance) != stack.end()) closing.push_back(sid);
    }
    for (int sid : closing) c().scopes.erase(sid);
  }

  // ---- terms that end a stage ----

  // `stage x until t`: the term t passed. What is open in the stage is cancelled, except what
  // `hand on` keeps; its handlers stop listening; the roles whose work lapsed are told; the flow
  // goes on at `when t passes` or after the stage.
  void end_bound_stages(const Timer& timer) {
    std::vector<int> bound;
    for (const auto& [sid, s] : c().scopes) {
      if (process().scopes.at(s.scope).until == timer.name) bound.push_back(sid);
    }
    for (int sid : bound) {
      if (c().scopes.count(sid) != 0) end_stage(sid, timer);
    }
  }

  void end_stage(int scope_instance, const Timer& timer) {
    const model::Process& p = process();
    ScopeInstance entered = c().scopes.at(scope_instance);
    const model::Scope& stage = p.scopes.at(entered.scope);
    std::string ended_at = rt_.legal_.format(timer.due.at);
    std::string why = fmt::format("stage '{}' ended: its term '{}' passed at {}", stage.name, timer.name, ended_at);
    auto inside = [&](const Token& t) {
      return std::find(t.scopes.begin(), t.scopes.end(), scope_instance) != t.scopes.end();
    };
    Json handed_on = Json::array();
    for (const auto& keep : stage.handed_on) {
      for (auto& [task_id, task] : c().tasks) {
        Token* t = token(task.token);
        if (task.node != keep.task || t == nullptr || !inside(*t)) continue;
        std::string from = task.role;
        if (!keep.to_role.empty()) task.role = keep.to_role;
        t->task = 0;  // the token goes with the stage; the task stays open, its rungs planned
        task.token = 0;
        write(task);
        handed_on.push_back(Json{{"task", task_id}, {"step", task.name}, {"role", task.role}});
        if (task.role != from) {
          notify({task.role}, fmt::format("Taak '{}' aan u overgedragen: de termijn '{}' verstreek op {}",
                                          task.title.empty() ? task.name : task.title, timer.name, ended_at),
                 stage.name);
        }
      }
    }
    std::vector<int> doomed;
    std::set<int> forks;
    for (const auto& t : c().tokens) {
      if (!inside(t)) continue;
      doomed.push_back(t.id);
      for (std::size_t i = entered.frames.size(); i < t.frames.size(); ++i) forks.insert(t.frames[i].fork);
    }
    Json cancelled = Json::array();
    std::map<std::string, std::vector<std::string>> lapsed;  // role -> task titles
    for (int id : doomed) {
      if (const Task* task = task_of(*token(id))) {
        cancelled.push_back(Json{{"task", task->id}, {"step", task->name}, {"role", task->role}});
        lapsed[task->role].push_back(task->title.empty() ? task->name : task->title);
      }
      cancel_token(id, why);
    }
    for (int fork : forks) c().forks.erase(fork);  // parallels begun inside the stage never join
    close_scopes(scope_instance);
    c().stage_ends.push_back(StageEnd{stage.name, timer.name, timer.due.at});
    audit("stage ended", Json{{"stage", stage.name}, {"term", timer.name}, {"at", to_iso_utc(timer.due.at)},
                              {"cancelled", cancelled}, {"handed_on", handed_on}});
    for (const auto& [role, titles] : lapsed) {
      notify({role}, fmt::format("Vervallen: {} (de termijn '{}' verstreek op {})", fmt::join(titles, ", "),
                                 timer.name, ended_at), stage.name);
    }
    const Node& exit = p.nodes.at(stage.exit);
    NodeId next = stage.on_end != kNoNode ? stage.on_end : exit.next.empty() ? kNoNode : exit.next.front().target;
    if (next != kNoNode) spawn(next, entered.frames, scope_stack(entered.parent), entered.received);
  }

  const Task* task_of(const Token& t) {
    auto it = c().tasks.find(t.task);
    return t.task == 0 || it == c().tasks.end() ? nullptr : &it->second;
  }

  void cancel_token(int id, const std::string& why) {
    Token* t = token(id);
    if (t->task != 0) cancel_task(t->task, why);
    if (t->timer != 0) cancel_timer(t->timer);
    if (t->child != 0) {
      CaseRun child(rt_, changes_, t->child, now_);
      rt_.working(t->child, changes_);
      child.finish(CaseStatus::kTerminated, why, /*notify_parent=*/false);
    }
    remove_token(id);
  }

  void cancel_task(TaskId id, const std::string& why) {
    auto it = c().tasks.find(id);
    if (it == c().tasks.end()) return;
    Task& task = it->second;
    task.status = TaskStatus::kCancelled;
    task.closed = now_;
    task.closed_by = why;
    cancel_rungs(id);
    audit("task cancelled", Json{{"task", id}, {"step", task.name}, {"why", why}});
    write(task);
    c().tasks.erase(it);
  }

  void finish(CaseStatus status, const std::string& reason, bool notify_parent = true) {
    std::vector<int> ids;
    for (const auto& t : c().tokens) ids.push_back(t.id);
    for (int id : ids) cancel_token(id, "case ended: " + reason);
    std::vector<TimerId> timers;
    for (const auto& [timer_id, _] : c().timers) timers.push_back(timer_id);
    for (TimerId t : timers) cancel_timer(t);
    c().status = status;
    c().ended = now_;
    c().end_reason = reason;
    c().scopes.clear();
    c().forks.clear();
    audit("case ended", Json{{"status", to_string(status)}, {"reason", reason}});
    if (notify_parent && c().parent_case != 0) {
      CaseId parent = c().parent_case;
      int parent_token = c().parent_token;
      rt_.working(parent, changes_);
      CaseRun parent_run(rt_, changes_, parent, now_);
      if (Token* t = parent_run.token(parent_token); t != nullptr && t->state == TokenState::kCall) {
        parent_run.audit("sub-process ended", Json{{"case", id_}, {"status", to_string(status)}});
        parent_run.next(parent_token);
        parent_run.run();
      }
    }
  }

  void retry_guards() {
    bool any = false;
    for (auto& t : c().tokens) {
      if (t.state == TokenState::kGuard) {
        t.state = TokenState::kReady;
        any = true;
      }
    }
    if (any) run();
  }

  // ---- timers ----

  void fired(Timer& timer) {
    Instant late_from = timer.due.at;
    timer.status = TimerStatus::kFired;
    timer.fired_at = now_;
    write(timer);
    c().timers.erase(timer.id);
    std::int64_t late_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now_ - late_from).count();
    switch (timer.kind) {
      case TimerKind::kNamed:
        audit("timer fired", Json{{"timer", timer.name}, {"timer_id", timer.id}, {"late_ms", late_ms}});
        if (c().named_timers.count(timer.name) != 0 && c().named_timers[timer.name] == timer.id) {
          // The moment stays readable once it has passed: a task opened after the ban ended may
          // still count from it (`horen due einde - 1 day`, then overdue at once).
          for (const auto& n : process().nodes) {
            if (n.kind == model::NodeKind::kTimer && n.target == timer.name) c().reached[n.id] = timer.due.at;
          }
          end_bound_stages(timer);
          deliver(timer.name);
        }
        break;
      case TimerKind::kWait:
        audit("timer fired", Json{{"timer", timer.name}, {"timer_id", timer.id}, {"late_ms", late_ms}});
        if (Token* t = token(timer.token); t != nullptr && t->timer == timer.id) next(t->id);
        break;
      case TimerKind::kRung: escalate(timer, late_ms); break;
    }
    run();
  }

  void escalate(const Timer& timer, std::int64_t late_ms) {
    auto it = c().tasks.find(timer.task);
    if (it == c().tasks.end()) return;
    Task& task = it->second;
    const model::EscalationRung& rung = process().nodes.at(task.node).escalation.at(static_cast<std::size_t>(timer.rung));
    Json actions = Json::array();
    if (!rung.notify.empty()) {
      std::string message = rung.message.value_or(
          fmt::format("Taak '{}' ({}) {} {}", task.title.empty() ? task.name : task.title, task.role,
                      now_ < task.due.at ? "moet af voor" : "was af te ronden voor", rt_.legal_.format(task.due.at)));
      notify(rung.notify, message, timer.name);
      actions.push_back(Json{{"notify", rung.notify}});
    }
    if (rung.reassign_to) {
      actions.push_back(Json{{"reassign", {task.role, *rung.reassign_to}}});
      task.role = *rung.reassign_to;
    }
    if (rung.raise_level) {
      c().level = std::max(c().level, *rung.raise_level);
      actions.push_back(Json{{"level", *rung.raise_level}});
    }
    task.escalation_level = timer.rung + 1;
    write(task);
    audit("escalated", Json{{"task", task.id}, {"step", task.name}, {"rung", timer.rung + 1}, {"timer_id", timer.id},
                            {"actions", actions}, {"late_ms", late_ms}});
  }

  Runtime& rt_;
  Changes& changes_;
  CaseId id_;
  Instant now_;
};

// ---- Runtime -------------------------------------------------------------------------------------

void Runtime::add_definition(std::shared_ptr<const model::Process> process) {
  auto& latest = latest_[process->name];
  if (!latest || latest->version <= process->version) latest = process;
  by_hash_[process->hash] = std::move(process);
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

Instance& Runtime::working(CaseId id, Changes& changes) {
  auto it = changes.cases.find(id);
  if (it != changes.cases.end()) return it->second;
  if (earlier_ != nullptr) {
    if (auto e = earlier_->cases.find(id); e != earlier_->cases.end()) return changes.cases[id] = e->second;
  }
  return changes.cases[id] = cases_.at(id);
}

void merge(Changes& into, Changes&& later) {
  for (auto& [id, c] : later.cases) into.cases[id] = std::move(c);
  for (auto& [id, t] : later.tasks) into.tasks[id] = std::move(t);
  for (auto& [id, t] : later.timers) into.timers[id] = std::move(t);
  for (auto& a : later.audit) into.audit.push_back(std::move(a));
  for (auto& n : later.outbox) into.outbox.push_back(std::move(n));
}

std::vector<TimerId> Runtime::due_timers(Instant now, std::size_t limit) const {
  std::vector<TimerId> out;
  for (const auto& [at, id] : due_queue_) {
    if (at > now || out.size() >= limit) break;
    out.push_back(id);
  }
  return out;
}

const Instance* Runtime::find_case(CaseId id) const {
  auto it = cases_.find(id);
  return it == cases_.end() ? nullptr : &it->second;
}

const Task* Runtime::find_task(TaskId id) const {
  auto it = task_index_.find(id);
  if (it == task_index_.end()) return nullptr;
  const Instance& c = cases_.at(it->second);
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
    if (auto error = convert_input(field->type, value, converted)) {
      return Status(StatusCode::kInvalidArgument, fmt::format("case field '{}' ({}): {}", key,
                                                              model::to_string(field->type), *error));
    }
    out[key] = converted;
  }
  // Every later read and step copies the case's data: bounded, so no case grows without end.
  std::size_t bytes = out.dump(-1, ' ', false, Json::error_handler_t::replace).size();
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
  std::vector<std::string> events;
  for (NodeId s : p->starts) {
    events.push_back(p->nodes.at(s).target);
    if (event.empty() || p->nodes.at(s).target == event) {
      start = s;
      break;
    }
  }
  if (start == kNoNode) {
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
  changes.cases[id] = std::move(instance);
  CaseRun run(*this, changes, id, now);
  Json started{{"process", p->name}, {"version", p->version}, {"hash", p->hash}, {"event", p->nodes.at(start).target}};
  if (!role.empty()) started["by"] = role;
  run.audit("case started", std::move(started));
  run.spawn(start, {}, {0});
  Status status = guarded([&] { run.run(); });
  if (!status.is_ok()) return status;
  return id;
}

Status Runtime::complete(TaskId task_id, const std::string& role, const Json& outputs, Instant now, Changes& changes) {
  auto where = task_index_.find(task_id);
  if (where == task_index_.end()) return Status(StatusCode::kNotFound, fmt::format("no open task {}", task_id));
  Instance& c = working(where->second, changes);
  Task& task = c.tasks.at(task_id);
  const model::Process& p = *definition(c.hash);
  const Node& node = p.nodes.at(task.node);
  if (role != task.role) {
    return Status(StatusCode::kPermissionDenied,
                  fmt::format("task {} '{}' is for role '{}'; '{}' may not complete it", task_id, task.name, task.role, role));
  }
  if (!outputs.is_object()) return Status(StatusCode::kInvalidArgument, "outputs must be a JSON object");
  Json converted = Json::object();
  for (const auto& [key, value] : outputs.items()) {
    auto field = std::find_if(node.outputs.begin(), node.outputs.end(), [&](const model::Field& f) { return f.name == key; });
    if (field == node.outputs.end()) {
      return Status(StatusCode::kInvalidArgument, fmt::format("task '{}' has no output '{}'", task.name, key));
    }
    Json v;
    if (auto error = convert_input(field->type, value, v)) {
      return Status(StatusCode::kInvalidArgument, fmt::format("output '{}' ({}): {}", key, model::to_string(field->type), *error));
    }
    converted[key] = v;
  }
  for (const auto& field : node.outputs) {
    if (!converted.contains(field.name)) {
      return Status(StatusCode::kInvalidArgument, fmt::format("task '{}' needs output '{}' ({})", task.name, field.name,
                                                              model::to_string(field.type)));
    }
  }
  CaseRun run(*this, changes, c.id, now);
  task.status = TaskStatus::kCompleted;
  task.closed = now;
  task.closed_by = role;
  task.outputs = converted;
  c.outputs[node.id] = converted;
  c.reached[node.id] = now;
  run.cancel_rungs(task_id);
  run.audit("task completed", Json{{"task", task_id}, {"step", task.name}, {"role", role}, {"outputs", converted},
                                   {"late", now > task.due.at}});
  run.write(task);
  int token = task.token;
  c.tasks.erase(task_id);
  return guarded([&] {
    if (run.token(token) != nullptr) run.next(token);  // a task handed on past its stage has no flow
    run.run();
    run.retry_guards();
  });
}

Status Runtime::signal(CaseId id, const std::string& event, const Json& data, Instant now, Changes& changes,
                       const std::string& role) {
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
  if (Status s = validate_data(p, carried, c.data); !s.is_ok()) return s;
  CaseRun run(*this, changes, id, now);
  bool handled = false;
  Status status = guarded([&] {
    handled = run.deliver(event);
    run.run();
    run.retry_guards();
  });
  if (!status.is_ok()) return status;
  if (!handled) return Status(StatusCode::kFailedPrecondition, no_listener(changes.cases.at(id), p, event, legal_));
  Json received{{"event", event}};
  if (!role.empty()) received["by"] = role;
  run.audit("event received", std::move(received));
  return Status::ok();
}

Status Runtime::update(CaseId id, const Json& data, Instant now, Changes& changes) {
  if (cases_.count(id) == 0) return Status(StatusCode::kNotFound, fmt::format("no running case {}", id));
  Instance& c = working(id, changes);
  if (Status s = validate_data(*definition(c.hash), data, c.data); !s.is_ok()) return s;
  CaseRun run(*this, changes, id, now);
  run.audit("case data updated", Json{{"fields", field_names(data)}});
  return guarded([&] { run.retry_guards(); });
}

Status Runtime::cancel(CaseId id, const std::string& reason, Instant now, Changes& changes) {
  if (cases_.count(id) == 0) return Status(StatusCode::kNotFound, fmt::format("no running case {}", id));
  working(id, changes);
  CaseRun run(*this, changes, id, now);
  run.finish(CaseStatus::kTerminated, reason.empty() ? "cancelled" : reason);
  return Status::ok();
}

Status Runtime::fire(TimerId timer_id, Instant now, Changes& changes, const Changes* earlier) {
  auto where = timer_index_.find(timer_id);
  if (where == timer_index_.end()) return Status(StatusCode::kNotFound, fmt::format("no pending timer {}", timer_id));
  earlier_ = earlier;
  struct Reset {
    const Changes*& p;
    ~Reset() { p = nullptr; }
  } reset{earlier_};
  Instance& c = working(where->second, changes);
  auto pending = c.timers.find(timer_id);
  if (pending == c.timers.end()) {
    changes.cases.erase(c.id);  // an earlier timer of the batch already cancelled or fired it
    return Status::ok();
  }
  Timer timer = pending->second;
  CaseRun run(*this, changes, c.id, now);
  Status status = guarded([&] { run.fired(timer); });
  if (!status.is_ok()) {
    // A timer whose consequence cannot be computed still counts as fired, once; the problem is
    // recorded for people to see instead of retried forever.
    changes = Changes{};
    Instance& fresh = working(where->second, changes);
    Timer t = fresh.timers.at(timer_id);
    CaseRun again(*this, changes, fresh.id, now);
    t.status = TimerStatus::kFired;
    t.fired_at = now;
    again.write(t);
    fresh.timers.erase(timer_id);
    again.audit("timer failed", Json{{"timer", t.name}, {"timer_id", timer_id}, {"error", status.message()}});
  }
  return Status::ok();
}

void Runtime::apply(Changes& changes) {
  for (auto& [id, instance] : changes.cases) {
    if (auto old = queued_by_case_.find(id); old != queued_by_case_.end()) {
      for (const auto& entry : old->second) {
        due_queue_.erase(entry);
        timer_index_.erase(std::get<1>(entry));
      }
      queued_by_case_.erase(old);
    }
    if (auto it = cases_.find(id); it != cases_.end()) {
      for (const auto& [task_id, _] : it->second.tasks) task_index_.erase(task_id);
    }
    if (instance.status != CaseStatus::kRunning) {
      cases_.erase(id);
      continue;
    }
    for (const auto& [task_id, _] : instance.tasks) task_index_[task_id] = id;
    auto& queued = queued_by_case_[id];
    for (const auto& [timer_id, timer] : instance.timers) {
      if (timer.status != TimerStatus::kPending) continue;
      due_queue_.emplace(timer.due.at, timer_id);
      queued.emplace_back(timer.due.at, timer_id);
      timer_index_[timer_id] = id;
    }
    cases_[id] = std::move(instance);
  }
}

void Runtime::restore(Instance instance) {
  Changes changes;
  CaseId id = instance.id;
  changes.cases[id] = std::move(instance);
  apply(changes);
}

void Runtime::reserve_ids(CaseId next_case, TaskId next_task, TimerId next_timer) {
  next_case_ = std::max(next_case_, next_case);
  next_task_ = std::max(next_task_, next_task);
  next_timer_ = std::max(next_timer_, next_timer);
}

std::optional<std::pair<Instant, TimerId>> Runtime::next_due() const {
  if (due_queue_.empty()) return std::nullopt;
  const auto& [at, id] = *due_queue_.begin();
  return std::make_pair(at, id);
}

}  // namespace termijn::runtime
