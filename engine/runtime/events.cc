// Events and handlers: delivering an event to waits and stages, interrupts, cancelling tokens,
// and the end of a case.
#include "engine/runtime/internal/case_run.h"

#include <fmt/format.h>

#include <algorithm>

namespace termijn::runtime {

std::vector<int> CaseRun::scope_stack(int scope_instance) {
  std::vector<int> stack;
  for (int s = scope_instance; s != -1; s = c().scopes.at(s).parent) stack.insert(stack.begin(), s);
  return stack;
}

bool CaseRun::deliver(const std::string& event) {
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
    audit(AuditKind::kEventHandled, {}, [&](JsonObjectText& d) {
      d.string("event", event).boolean("interrupting", handler.interrupting);
      d.string("stage", process().scopes.at(c().scopes.at(instance_id).scope).name);
    });
    std::vector<int> stack = scope_stack(instance_id);
    if (handler.interrupting) {
      interrupt(instance_id, "interrupted by " + event);
      if (instance_id != 0) stack.pop_back();
    }
    if (handler.entry != kNoNode) spawn(handler.entry, {}, stack, {{event, now_}});
  }
  return handled;
}

void CaseRun::interrupt(int scope_instance, const std::string& why) {
  std::vector<int> doomed;
  for (const auto& t : c().tokens) {
    if (std::find(t.scopes.begin(), t.scopes.end(), scope_instance) != t.scopes.end()) doomed.push_back(t.id);
  }
  for (int id : doomed) cancel_token(id, why);
  close_scopes(scope_instance);
}

// Closes a scope instance and every stage inside it, so their handlers stop listening. The
// process's own scope (0) stays open: its handlers listen for as long as the case runs.
void CaseRun::close_scopes(int scope_instance) {
  // Whether `sid` is the one closing or inside it: its parents walked, without making its stack.
  auto within = [&](int sid) {
    for (int s = sid; s != -1; s = c().scopes.at(s).parent) {
      if (s == scope_instance) return true;
    }
    return false;
  };
  std::vector<int> closing;
  for (const auto& [sid, s] : c().scopes) {
    if (sid != 0 && within(sid)) closing.push_back(sid);
  }
  for (int sid : closing) c().scopes.erase(sid);
}

void CaseRun::cancel_token(int id, const std::string& why) {
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

void CaseRun::finish(CaseStatus status, const std::string& reason, bool notify_parent) {
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
  audit(AuditKind::kCaseEnded, {}, [&](JsonObjectText& d) { d.string("reason", reason).string("status", to_string(status)); });
  if (notify_parent && c().parent_case != 0) {
    CaseId parent = c().parent_case;
    int parent_token = c().parent_token;
    rt_.working(parent, changes_);
    CaseRun parent_run(rt_, changes_, parent, now_);
    if (Token* t = parent_run.token(parent_token); t != nullptr && t->state == TokenState::kCall) {
      parent_run.audit(AuditKind::kSubProcessEnded, {},
                       [&](JsonObjectText& d) { d.number("case", id_).string("status", to_string(status)); });
      parent_run.next(parent_token);
      parent_run.run();
    }
  }
}

void CaseRun::retry_guards() {
  bool any = false;
  for (auto& t : c().tokens) {
    if (t.state == TokenState::kGuard) {
      t.state = TokenState::kReady;
      any = true;
    }
  }
  if (any) run();
}

}  // namespace termijn::runtime
