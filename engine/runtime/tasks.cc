// Tasks: opening one with its deadline and escalation ladder, cancelling, firing a rung.
#include "engine/runtime/internal/case_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "engine/base/language.h"
#include "engine/time/termijnenwet.h"

namespace termijn::runtime {

void CaseRun::open_task(int id, const Node& node) {
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
  write(task);
  plan_rungs(task, node, 0);
  audit(AuditKind::kTaskOpened, {&node, task.id}, [&](JsonObjectText& d) {
    d.string("due", to_iso_utc(task.due.at));
    // Inside `for each`: whom the task is for (a person by its id), so the record says which child.
    Json whom;
    for (const auto& frame : t->frames) {
      for (const auto& [name, value] : frame.vars.items()) {
        if (value.is_string() || value.is_object()) whom[name] = person_id(value);
      }
    }
    if (!whom.is_null()) d.json("for", whom);
    d.string("role", task.role).string("step", node.name).number("task", task.id);
  });
  keep_task(task.id);
  c().tasks.emplace(task.id, std::move(task));
}

Deadline CaseRun::compute_due(const Node& node, const EvalContext& ctx) {
  if (node.due) return evaluate_moment(*node.due, ctx);
  Duration d = evaluate_duration(*node.within, ctx);
  std::vector<std::string> notes;
  std::vector<std::string>* noting = ctx.explain ? &notes : nullptr;
  Instant at = rt_.legal_.add(now_, d, ctx.calendar, noting);
  std::vector<std::string> why;
  if (ctx.explain) {
    why = {tr("opened = {}", rt_.legal_.format(now_)),
           fmt::format("+ within {} = {}", to_string(d), rt_.legal_.format(at))};
  }
  // `within Group.term`: the term's end as for `opened + Group.term` (the Algemene termijnenwet).
  const model::Expr& within = *node.within;
  if (within.kind == model::Expr::Kind::kTerm) {
    at = end_of_term(rt_.legal_, TermEnd{now_, at, d, false, within.termijnenwet}, noting);
  }
  for (auto& n : notes) why.push_back("  " + n);
  return Deadline{at, std::move(why)};
}

void CaseRun::plan_rungs(const Task& task, const Node& node, std::size_t from) {
  for (std::size_t i = from; i < node.escalation.size(); ++i) {
    const model::EscalationRung& rung = node.escalation[i];
    const bool explain = rt_.explain_;
    std::vector<std::string> why;
    if (explain) why.push_back(tr("task '{}' due {}", task.name, rt_.legal_.format(task.due.at)));
    Instant at = task.due.at;
    if (!rung.at_due) {
      at = rt_.legal_.add(task.due.at, rung.offset, context(nullptr).calendar, explain ? &why : nullptr);
      if (explain) {
        why.push_back(tr("rung {}: {} {} = {}", i + 1,
                         rung.offset.days < 0 || rung.offset.minutes < 0 ? "" : "+", to_string(rung.offset),
                         rt_.legal_.format(at)));
      }
    } else if (explain) {
      why.push_back(tr("rung {}: at due", i + 1));
    }
    Timer timer;
    timer.kind = TimerKind::kRung;
    // "<task>#<rung>": written into room made once, without a format or a temporary per rung.
    timer.name.reserve(task.name.size() + 4);
    timer.name.append(task.name).append(1, '#').append(std::to_string(i + 1));
    timer.task = task.id;
    timer.rung = static_cast<int>(i);
    timer.due = Deadline{at, why};
    schedule(std::move(timer));
  }
}

void CaseRun::cancel_task(TaskId id, const std::string& why) {
  auto it = c().tasks.find(id);
  if (it == c().tasks.end()) return;
  keep_task(id);
  Task& task = it->second;
  task.status = TaskStatus::kCancelled;
  task.closed = now_;
  task.closed_by = why;
  cancel_rungs(id);
  audit(AuditKind::kTaskCancelled, {}, [&](JsonObjectText& d) { d.string("step", task.name).number("task", id).string("why", why); });
  write(task);
  c().tasks.erase(it);
}

void CaseRun::escalate(const Timer& timer, std::int64_t late_ms) {
  auto it = c().tasks.find(timer.task);
  if (it == c().tasks.end()) return;
  keep_task(timer.task);
  Task& task = it->second;
  const Node& node = process().nodes.at(task.node);
  const model::EscalationRung& rung = node.escalation.at(static_cast<std::size_t>(timer.rung));
  Json actions = full() ? Json::array() : Json();
  if (!rung.notify.empty() && full()) {
    std::string message =
        rung.message ? *rung.message
                     : fmt::format("Taak '{}' ({}) {} {}", task.title.empty() ? task.name : task.title, task.role,
                                   now_ < task.due.at ? "moet af voor" : "was af te ronden voor",
                                   rt_.legal_.format(task.due.at));
    notify(rung.notify, message, timer.name);
    actions.push_back(Json{{"notify", rung.notify}});
  }
  if (rung.reassign_to) {
    if (full()) actions.push_back(Json{{"reassign", {task.role, *rung.reassign_to}}});
    task.role = *rung.reassign_to;
  }
  if (rung.raise_level) {
    c().level = std::max(c().level, *rung.raise_level);
    if (full()) actions.push_back(Json{{"level", *rung.raise_level}});
  }
  task.escalation_level = timer.rung + 1;
  write(task);
  audit(AuditKind::kEscalated, {&node, timer.rung + 1}, [&](JsonObjectText& d) {
    d.json("actions", actions).number("late_ms", late_ms).number("rung", timer.rung + 1).string("step", task.name);
    d.number("task", task.id).number("timer_id", timer.id);
  });
}

// The escalation rungs of a task that have not fired yet.
void CaseRun::cancel_rungs(TaskId task) {
  auto& timers = c().timers;
  for (auto it = timers.begin(); it != timers.end();) {
    const Timer& timer = it->second;
    TimerId id = it->first;
    ++it;  // cancel_timer erases this one timer, and no other
    if (timer.kind == TimerKind::kRung && timer.task == task) cancel_timer(id);
  }
}

}  // namespace termijn::runtime
