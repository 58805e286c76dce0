// Timers and terms: named timers, moving them (and every deadline counted from them), refusing
// to move one that has passed, firing, and the end of a stage bound to a term.
#include "engine/runtime/internal/case_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>
#include <stdexcept>

#include "engine/base/language.h"

namespace termijn::runtime {

const Timer* CaseRun::pending_named_timer(const std::string& name) {
  auto named = c().named_timers.find(name);
  if (named == c().named_timers.end()) return nullptr;
  auto timer = c().timers.find(named->second);
  return timer == c().timers.end() ? nullptr : &timer->second;
}

// A term that has passed is over: `set` cannot move it any more, whatever a variant writes.
// Art. 9 lid 1 Wth: the mayor may extend the ban "tot ten hoogste vier weken nadat het is
// opgelegd", an extension of a running ban; an ended one can only be followed by a new ban.
void CaseRun::refuse_if_passed(const Node& set) {
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

void CaseRun::set_named_timer(const Node& step, Deadline at) {
  const std::string& name = step.target;
  const std::string& by = step.name;
  bool moved = false;
  if (auto it = c().named_timers.find(name); it != c().named_timers.end()) {
    auto existing = c().timers.find(it->second);
    if (existing != c().timers.end()) {
      if (rt_.explain_) {
        at.why.push_back(tr("moved by '{}' from {}", by, rt_.legal_.format(existing->second.due.at)));
      }
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
  audit(moved ? AuditKind::kTimerMoved : AuditKind::kTimerSet, {&step},
        [&](JsonObjectText& d) { d.string("at", to_iso_utc(at.at)).string("step", by).string("timer", name); });
  if (moved) replan(name);
}

// A timer moved (the mayor extended the ban): every deadline computed from moments is
// computed again, and pending escalation rungs and waits follow.
void CaseRun::replan(const std::string& because) {
  const model::Process& p = process();
  for (auto& [task_id, task] : c().tasks) {
    const Node& node = p.nodes.at(task.node);
    Token* t = token(task.token);
    // A task handed on past its stage's term keeps the deadline it had.
    if (!node.due || task.status != TaskStatus::kOpen || t == nullptr) continue;
    Deadline due = evaluate_moment(*node.due, context(t));
    if (due.at == task.due.at) continue;
    if (rt_.explain_) due.why.push_back(tr("recomputed because timer '{}' moved", because));
    keep_task(task_id);
    audit(AuditKind::kDeadlineMoved, {&node}, [&](JsonObjectText& d) {
      d.string("from", to_iso_utc(task.due.at)).string("step", task.name).number("task", task_id);
      d.string("to", to_iso_utc(due.at));
    });
    task.due = std::move(due);
    cancel_rungs(task_id);
    write(task);
    plan_rungs(task, node, static_cast<std::size_t>(task.escalation_level));
  }
  std::vector<TimerId> waits;
  for (const auto& [timer_id, timer] : c().timers) {
    // A failed wait stays an incident for a person to decide on; replanning does not revive it.
    if (timer.kind == TimerKind::kWait && timer.status == TimerStatus::kPending) waits.push_back(timer_id);
  }
  for (TimerId w : waits) {
    Timer old = c().timers.at(w);
    Token* t = token(old.token);
    if (t == nullptr) continue;
    Deadline at = evaluate_moment(*p.nodes.at(t->node).expr, context(t));
    if (at.at == old.due.at) continue;
    if (rt_.explain_) at.why.push_back(tr("recomputed because timer '{}' moved", because));
    cancel_timer(w);
    Timer timer = old;
    timer.due = std::move(at);
    timer.status = TimerStatus::kPending;
    TimerId id = schedule(std::move(timer));
    token(old.token)->timer = id;
  }
}

// `stage x until t`: the term t passed. What is open in the stage is cancelled, except what
// `hand on` keeps; its handlers stop listening; the roles whose work lapsed are told; the flow
// goes on at `when t passes` or after the stage.
void CaseRun::end_bound_stages(const Timer& timer) {
  std::vector<int> bound;
  for (const auto& [sid, s] : c().scopes) {
    if (process().scopes.at(s.scope).until == timer.name) bound.push_back(sid);
  }
  for (int sid : bound) {
    if (c().scopes.count(sid) != 0) end_stage(sid, timer);
  }
}

void CaseRun::end_stage(int scope_instance, const Timer& timer) {
  const model::Process& p = process();
  ScopeInstance entered = c().scopes.at(scope_instance);
  const model::Scope& stage = p.scopes.at(entered.scope);
  std::string ended_at = rt_.legal_.format(timer.due.at);
  std::string why = tr("stage '{}' ended: its term '{}' passed at {}", stage.name, timer.name, ended_at);
  auto inside = [&](const Token& t) {
    return std::find(t.scopes.begin(), t.scopes.end(), scope_instance) != t.scopes.end();
  };
  Json handed_on = Json::array();
  for (const auto& keep : stage.handed_on) {
    for (auto& [task_id, task] : c().tasks) {
      Token* t = token(task.token);
      if (task.node != keep.task || t == nullptr || !inside(*t)) continue;
      keep_task(task_id);
      std::string from = task.role;
      if (!keep.to_role.empty()) task.role = keep.to_role;
      t->task = 0;  // the token goes with the stage; the task stays open, its rungs planned
      task.token = 0;
      write(task);
      handed_on.push_back(Json{{"task", task_id}, {"step", task.name}, {"role", task.role}});
      if (task.role != from && full()) {
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
  audit(AuditKind::kStageEnded, {}, [&](JsonObjectText& d) {
    d.string("at", to_iso_utc(timer.due.at)).json("cancelled", cancelled).json("handed_on", handed_on);
    d.string("stage", stage.name).string("term", timer.name);
  });
  for (const auto& [role, titles] : lapsed) {
    if (!full()) break;
    notify({role}, fmt::format("Vervallen: {} (de termijn '{}' verstreek op {})", fmt::join(titles, ", "),
                               timer.name, ended_at), stage.name);
  }
  const Node& exit = p.nodes.at(stage.exit);
  NodeId next = stage.on_end != kNoNode ? stage.on_end : exit.next.empty() ? kNoNode : exit.next.front().target;
  if (next != kNoNode) spawn(next, entered.frames, scope_stack(entered.parent), entered.received);
}

const Task* CaseRun::task_of(const Token& t) {
  auto it = c().tasks.find(t.task);
  return t.task == 0 || it == c().tasks.end() ? nullptr : &it->second;
}

void CaseRun::fired(Timer& timer) {
  Instant late_from = timer.due.at;
  timer.status = TimerStatus::kFired;
  timer.fired_at = now_;
  write(timer);
  keep_timer(timer.id);
  c().timers.erase(timer.id);
  std::int64_t late_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now_ - late_from).count();
  auto audit_fired = [&] {
    audit(AuditKind::kTimerFired, {}, [&](JsonObjectText& d) {
      d.number("late_ms", late_ms).string("timer", timer.name).number("timer_id", timer.id);
    });
  };
  switch (timer.kind) {
    case TimerKind::kNamed:
      audit_fired();
      if (c().named_timers.count(timer.name) != 0 && c().named_timers[timer.name] == timer.id) {
        // The moment stays readable once it has passed: a task opened after the ban ended may
        // still count from it (`horen due einde - 1 day`, then overdue at once).
        for (const auto& n : process().nodes) {
          if (n.kind == model::NodeKind::kTimer && n.target == timer.name) {
            keep_reached(n.id);
            c().reached[n.id] = timer.due.at;
          }
        }
        end_bound_stages(timer);
        deliver(timer.name);
      }
      break;
    case TimerKind::kWait:
      audit_fired();
      if (Token* t = token(timer.token); t != nullptr && t->timer == timer.id) next(t->id);
      break;
    case TimerKind::kRung: escalate(timer, late_ms); break;
  }
  run();
}

}  // namespace termijn::runtime
