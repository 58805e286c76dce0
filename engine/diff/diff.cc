// Compares two compiled processes: their properties, their steps by name, their terms, and
// where in time their deadlines, rungs and timers fall.
#include "engine/diff/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "engine/base/language.h"
#include "engine/diff/internal/timeline.h"

namespace termijn::diff {

namespace {

using model::Node;
using model::NodeKind;

template <typename T>
std::vector<T> missing_from(const std::vector<T>& from, const std::vector<T>& in) {
  std::vector<T> out;
  for (const auto& x : from) {
    if (std::find(in.begin(), in.end(), x) == in.end()) out.push_back(x);
  }
  return out;
}

// "added a, b; removed c", or "" when both lists hold the same names.
std::string set_change(const std::vector<std::string>& before, const std::vector<std::string>& after) {
  std::vector<std::string> parts;
  if (auto added = missing_from(after, before); !added.empty()) parts.push_back(tr("added {}", fmt::join(added, ", ")));
  if (auto removed = missing_from(before, after); !removed.empty()) parts.push_back(tr("removed {}", fmt::join(removed, ", ")));
  return fmt::format("{}", fmt::join(parts, "; "));
}

std::vector<std::string> start_events(const model::Process& p) {
  std::vector<std::string> out;
  for (model::NodeId id : p.starts) {
    for (const Node& n : p.nodes) {
      if (n.id == id) out.push_back(n.target);
    }
  }
  return out;
}

std::vector<Change> process_changes(const model::Process& a, const model::Process& b) {
  std::vector<Change> out;
  if (a.title != b.title) out.push_back({tr("title"), a.title, b.title});
  if (a.name == b.name && a.version != b.version) {
    out.push_back({tr("version"), std::to_string(a.version), std::to_string(b.version)});
  }
  if (auto roles = set_change(a.roles, b.roles); !roles.empty()) out.push_back({tr("roles"), "", roles});
  if (auto events = set_change(a.events, b.events); !events.empty()) out.push_back({tr("events"), "", events});
  if (auto starts = set_change(start_events(a), start_events(b)); !starts.empty()) out.push_back({tr("starts on"), "", starts});
  return out;
}

// An expression with the value of each term it names: "einde - Aanname.zorgadvies_voor_einde (2 days)".
std::string with_values(const model::Expr& e) {
  if (e.kind == model::Expr::Kind::kTerm) return fmt::format("{} ({})", e.text, termijn::to_string(e.duration));
  std::string text = model::to_source(e);
  std::vector<const model::Expr*> stack{&e};
  std::vector<std::string> values;
  while (!stack.empty()) {
    const model::Expr* x = stack.back();
    stack.pop_back();
    if (x->kind == model::Expr::Kind::kTerm) values.push_back(fmt::format("{} = {}", x->text, termijn::to_string(x->duration)));
    for (const auto& o : x->operands) stack.push_back(&o);
  }
  if (values.empty()) return text;
  return fmt::format("{} ({})", text, fmt::join(values, ", "));
}

std::string deadline(const Node& n, bool values) {
  auto show = [values](const model::Expr& e) { return values ? with_values(e) : model::to_source(e); };
  if (n.within) return "within " + show(*n.within);
  if (n.due) return "due " + show(*n.due);
  return "";
}

std::string rung(const model::EscalationRung& r) {
  std::string when = r.at_due ? "at due" : termijn::to_string(r.offset) + " after due";
  if (!r.at_due && (r.offset.months < 0 || r.offset.days < 0 || r.offset.minutes < 0)) {
    when = termijn::to_string(negate(r.offset)) + " before due";
  }
  return when + ": " + internal::rung_action(r, true);
}

std::vector<std::string> outputs(const Node& n) {
  std::vector<std::string> out;
  for (const auto& f : n.outputs) out.push_back(f.name + ": " + model::to_string(f.type));
  return out;
}

std::string branches(const Node& n) {
  std::vector<std::string> parts;
  for (const auto& e : n.next) parts.push_back(e.condition ? "when " + model::to_source(*e.condition) : e.label);
  return fmt::format("{}", fmt::join(parts, "; "));
}

void compare_field(std::vector<Change>& out, const std::string& what, const std::string& a, const std::string& b) {
  if (a != b) out.push_back({what, a, b});
}

std::vector<Change> node_changes(const Node& a, const Node& b) {
  std::vector<Change> out;
  compare_field(out, tr("kind"), model::to_string(a.kind), model::to_string(b.kind));
  compare_field(out, tr("title"), a.title, b.title);
  compare_field(out, tr("role"), a.role, b.role);
  if (deadline(a, false) != deadline(b, false)) out.push_back({tr("deadline"), deadline(a, true), deadline(b, true)});
  for (std::size_t i = 0; i < std::max(a.escalation.size(), b.escalation.size()); ++i) {
    std::string before = i < a.escalation.size() ? rung(a.escalation[i]) : "";
    std::string after = i < b.escalation.size() ? rung(b.escalation[i]) : "";
    if (before == after) continue;
    std::string what = before.empty() ? tr("escalation rung {} added", i + 1)
                       : after.empty()  ? tr("escalation rung {} removed", i + 1)
                                        : tr("escalation rung {}", i + 1);
    out.push_back({what, before, after});
  }
  if (auto change = set_change(outputs(a), outputs(b)); !change.empty()) out.push_back({tr("outputs"), "", change});
  compare_field(out, tr("cite"), a.cite, b.cite);
  compare_field(out, tr("instrument"), a.instrument, b.instrument);
  compare_field(out, tr("value"), a.expr ? model::to_source(*a.expr) : "", b.expr ? model::to_source(*b.expr) : "");
  compare_field(out, tr("target"), a.target, b.target);
  compare_field(out, tr("notifies"), fmt::format("{}", fmt::join(a.roles, ", ")), fmt::format("{}", fmt::join(b.roles, ", ")));
  compare_field(out, tr("message"), a.message, b.message);
  if (a.kind == NodeKind::kDecision) compare_field(out, tr("branches"), branches(a), branches(b));
  return out;
}

// Steps a coordinator named; generated names ("end#3") shift with unrelated edits.
std::map<std::string, const Node*> named_steps(const model::Process& p) {
  std::map<std::string, const Node*> out;
  for (const Node& n : p.nodes) {
    if (n.name.find('#') == std::string::npos && n.kind != NodeKind::kStart) out.emplace(n.name, &n);
  }
  return out;
}

std::string summary(const Node& n) {
  std::string text = model::to_string(n.kind);
  if (!n.role.empty()) text += " by " + n.role;
  if (std::string d = deadline(n, true); !d.empty()) text += ", " + d;
  return text;
}

std::vector<StepDiff> step_changes(const model::Process& a, const model::Process& b) {
  auto before = named_steps(a);
  auto after = named_steps(b);
  std::vector<StepDiff> out;
  for (const Node& n : b.nodes) {
    auto it = after.find(n.name);
    if (it == after.end() || it->second != &n) continue;
    auto old = before.find(n.name);
    if (old == before.end()) {
      out.push_back({StepStatus::kAdded, n.name, model::to_string(n.kind), n.title, summary(n), {}});
    } else if (auto changes = node_changes(*old->second, n); !changes.empty()) {
      out.push_back({StepStatus::kChanged, n.name, model::to_string(n.kind), n.title, "", std::move(changes)});
    }
  }
  for (const Node& n : a.nodes) {
    auto it = before.find(n.name);
    if (it == before.end() || it->second != &n || after.count(n.name) != 0) continue;
    out.push_back({StepStatus::kRemoved, n.name, model::to_string(n.kind), n.title, summary(n), {}});
  }
  return out;
}

std::vector<TermDiff> term_changes(const model::Process& a, const model::Process& b) {
  std::vector<TermDiff> out;
  for (const auto& t : b.terms) {
    const model::LegalTerm* old = a.find_term(t.qualified());
    if (old == nullptr) {
      out.push_back({t.qualified(), "", termijn::to_string(t.value), "", t.cite});
    } else if (!(old->value == t.value) || old->cite != t.cite) {
      out.push_back({t.qualified(), termijn::to_string(old->value), termijn::to_string(t.value), old->cite, t.cite});
    }
  }
  for (const auto& t : a.terms) {
    if (b.find_term(t.qualified()) == nullptr) out.push_back({t.qualified(), termijn::to_string(t.value), "", t.cite, ""});
  }
  return out;
}

std::string said(const internal::TimedItem& item) {
  return item.action.empty() ? item.label : item.label + ": " + item.action;
}

std::vector<TimelineEntry> timeline_changes(const model::Process& a, const model::Process& b) {
  auto before_items = internal::timed_items(a);
  auto after_items = internal::timed_items(b);
  std::map<std::string, const internal::TimedItem*> before, after;
  for (const auto& i : before_items) before.emplace(i.key, &i);
  for (const auto& i : after_items) after.emplace(i.key, &i);
  std::vector<TimelineEntry> out;
  for (const auto& item : after_items) {
    auto old = before.find(item.key);
    When now = internal::describe(item.moment);
    if (old == before.end()) {
      out.push_back({now, item.step, tr("{} (added)", said(item))});
      continue;
    }
    const internal::TimedItem& was = *old->second;
    bool moved = !was.moment.same_as(item.moment);
    bool acts = was.action != item.action;
    if (!moved && !acts) continue;
    When then = internal::describe(was.moment);
    std::string text = said(item);
    if (acts) text += tr(" instead of {}", was.action.empty() ? tr("nothing") : was.action);
    if (moved) {
      text += then.known && then.anchor != now.anchor ? tr(" (was {} from {})", then.at, then.anchor_label)
                                                      : tr(" (was {})", then.at);
    }
    out.push_back({now, item.step, text});
  }
  for (const auto& item : before_items) {
    if (after.count(item.key) == 0) out.push_back({internal::describe(item.moment), item.step, tr("{} (removed)", said(item))});
  }
  // Known moments first, anchor by anchor in the order the newer process meets them; then the rest.
  std::map<std::string, std::size_t> anchor_rank;
  for (const auto* items : {&after_items, &before_items}) {
    for (const auto& i : *items) {
      if (i.moment.known) anchor_rank.emplace(i.moment.anchor, anchor_rank.size());
    }
  }
  std::stable_sort(out.begin(), out.end(), [&](const TimelineEntry& x, const TimelineEntry& y) {
    if (x.when.known != y.when.known) return x.when.known;
    if (!x.when.known) return false;
    std::size_t rx = anchor_rank.at(x.when.anchor), ry = anchor_rank.at(y.when.anchor);
    if (rx != ry) return rx < ry;
    return x.when.order < y.when.order;
  });
  return out;
}

}  // namespace

const char* to_string(StepStatus status) {
  switch (status) {
    case StepStatus::kAdded: return "added";
    case StepStatus::kRemoved: return "removed";
    case StepStatus::kChanged: return "changed";
  }
  return "?";
}

ProcessDiff compare(const model::Process& before, const model::Process& after) {
  ProcessDiff d;
  d.before_name = before.name;
  d.after_name = after.name;
  d.before_version = before.version;
  d.after_version = after.version;
  d.process = process_changes(before, after);
  d.steps = step_changes(before, after);
  d.terms = term_changes(before, after);
  d.timeline = timeline_changes(before, after);
  return d;
}

}  // namespace termijn::diff
