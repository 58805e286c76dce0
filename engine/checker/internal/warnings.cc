#include "engine/checker/internal/warnings.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "engine/base/language.h"

namespace termijn::checker {

namespace {

using model::Expr;
using model::Node;
using model::NodeKind;

std::set<std::string> roles_used(const model::Process& p) {
  std::set<std::string> used;
  for (const Node& n : p.nodes) {
    if (!n.role.empty()) used.insert(n.role);
    used.insert(n.roles.begin(), n.roles.end());
    if (!n.escalate_to.empty()) used.insert(n.escalate_to);
    for (const auto& rung : n.escalation) {
      used.insert(rung.notify.begin(), rung.notify.end());
      if (rung.reassign_to) used.insert(*rung.reassign_to);
    }
  }
  for (const auto& [_, senders] : p.event_senders) used.insert(senders.begin(), senders.end());
  for (const auto& scope : p.scopes) {
    for (const auto& h : scope.handed_on) {
      if (!h.to_role.empty()) used.insert(h.to_role);
    }
  }
  return used;
}

std::set<std::string> events_used(const model::Process& p) {
  std::set<std::string> used;
  for (const Node& n : p.nodes) {
    if (n.kind == NodeKind::kStart || n.kind == NodeKind::kWaitFor || n.kind == NodeKind::kSignal) used.insert(n.target);
  }
  for (const auto& scope : p.scopes) {
    for (const auto& h : scope.handlers) used.insert(h.event);
  }
  return used;
}

// Comparable length of a duration, for a warning only: a month as 30 days.
std::int64_t approximate_minutes(const Duration& d) { return (d.months * 30LL + d.days) * 1440 + d.minutes; }

// The stage a node runs in that is bound to a term, if any: the innermost.
const model::Scope* bound_stage(const model::Process& p, const Node& n) {
  for (int s = n.scope; s >= 0; s = p.scopes.at(static_cast<std::size_t>(s)).parent) {
    if (!p.scopes.at(static_cast<std::size_t>(s)).until.empty()) return &p.scopes.at(static_cast<std::size_t>(s));
  }
  return nullptr;
}

// `due T` or `due T - d` where T is the stage's own timer: how long before the term the task is due.
std::optional<Duration> before_term(const model::Process& p, const Expr& due, const std::string& term) {
  auto is_term = [&](const Expr& e) {
    return e.kind == Expr::Kind::kReached && e.node != model::kNoNode &&
           p.nodes.at(static_cast<std::size_t>(e.node)).kind == NodeKind::kTimer &&
           p.nodes.at(static_cast<std::size_t>(e.node)).target == term;
  };
  if (is_term(due)) return Duration{};
  if (due.kind == Expr::Kind::kBinary && due.op == BinaryOp::kSub && due.operands.size() == 2 &&
      is_term(due.operands[0]) &&
      (due.operands[1].kind == Expr::Kind::kDuration || due.operands[1].kind == Expr::Kind::kTerm)) {
    return due.operands[1].duration;
  }
  return std::nullopt;
}

void warn_late_rungs(const model::Process& p, DiagnosticList& d) {
  for (const Node& n : p.nodes) {
    if (n.kind != NodeKind::kTask || !n.due || n.escalation.empty()) continue;
    const model::Scope* stage = bound_stage(p, n);
    if (stage == nullptr) continue;
    std::optional<Duration> lead = before_term(p, *n.due, stage->until);
    bool handed_on = std::any_of(stage->handed_on.begin(), stage->handed_on.end(),
                                 [&](const model::HandOn& h) { return h.task == n.id; });
    if (!lead || handed_on) continue;
    for (std::size_t i = 0; i < n.escalation.size(); ++i) {
      const model::EscalationRung& rung = n.escalation[i];
      std::int64_t after_due = rung.at_due ? 0 : approximate_minutes(rung.offset);
      if (after_due < approximate_minutes(*lead)) continue;
      d.warning(rung.range, tr("rung {} of task '{}' falls at or after '{}', when stage '{}' ends and the task "
                               "with it: it can never fire; move it before the term, or hand the task on",
                               i + 1, n.name, stage->until, stage->name));
    }
  }
}

}  // namespace

void warn(const ResolvedProcess& resolved, const model::Process& process, DiagnosticList& d) {
  if (resolved.own == nullptr) return;
  const ast::ProcessDecl& own = *resolved.own;
  std::set<std::string> roles = roles_used(process);
  for (const auto& role : own.roles) {
    if (roles.count(role.name) == 0) {
      d.warning(role.range, tr("role '{}' is declared but has no task, notification, escalation or event in "
                               "process '{}'", role.name, process.name));
    }
  }
  std::set<std::string> events = events_used(process);
  for (const auto& event : own.events) {
    if (events.count(event.name) == 0) {
      d.warning(event.range, tr("event '{}' is declared but nothing in process '{}' starts on it, waits for "
                                "it, listens for it or signals it", event.name, process.name));
    }
  }
  for (const auto& term : own.term_overrides) {
    if (!term.cite) {
      d.warning(term.name.range, tr("'{}.{}' is given another value without a citation: add cite \"...\" "
                                    "so every deadline counted from it says why",
                                    term.group.name, term.name.name));
    }
  }
  warn_late_rungs(process, d);
}

}  // namespace termijn::checker
