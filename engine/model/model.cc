#include "engine/model/model.h"

#include <algorithm>

#include <fmt/format.h>

#include <string_view>

#include "engine/base/sha256.h"

namespace termijn::model {

std::string to_string(const Type& type) {
  using K = Type::Kind;
  auto name = [](K kind) -> std::string {
    switch (kind) {
      case K::kError: return "<error>";
      case K::kBool: return "bool";
      case K::kInt: return "int";
      case K::kText: return "text";
      case K::kDateTime: return "datetime";
      case K::kDays: return "days";
      case K::kWorkingDays: return "working days";
      case K::kHours: return "hours";
      case K::kPerson: return "person";
      case K::kList: return "list";
      case K::kEnum: return "one of";
    }
    return "?";
  };
  if (type.kind == K::kList) return fmt::format("list<{}>", name(type.element));
  if (type.kind == K::kEnum) return fmt::format("one of ({})", fmt::join(type.members, ", "));
  return name(type.kind);
}

std::string to_source(const Expr& e) {
  using K = Expr::Kind;
  switch (e.kind) {
    case K::kBool: return e.bool_value ? "true" : "false";
    case K::kInt: return std::to_string(e.int_value);
    case K::kText: return fmt::format("\"{}\"", e.text);
    case K::kDuration: return termijn::to_string(e.duration);
    case K::kEnumValue: return e.text;
    case K::kNow: return "now";
    case K::kField: return e.text;
    case K::kOutput: return fmt::format("{}.{}", e.operands.empty() ? "?" : to_source(e.operands[0]), e.text);
    case K::kReached: return e.text;
    case K::kReceived: return e.text;
    case K::kTerm: return e.text;
    case K::kVariable: return e.text;
    case K::kCount: return fmt::format("count({})", e.operands.empty() ? "" : to_source(e.operands[0]));
    case K::kAttribute: return fmt::format("{}.{}", e.operands.empty() ? "?" : to_source(e.operands[0]), e.text);
    case K::kAge: {
      std::vector<std::string> args;
      for (const auto& o : e.operands) args.push_back(to_source(o));
      return fmt::format("age({})", fmt::join(args, ", "));
    }
    case K::kNot: return fmt::format("not {}", to_source(e.operands.at(0)));
    case K::kBinary: {
      auto side = [](const Expr& x) {
        return x.kind == K::kBinary ? fmt::format("({})", to_source(x)) : to_source(x);
      };
      return fmt::format("{} {} {}", side(e.operands.at(0)), op_symbol(e.op), side(e.operands.at(1)));
    }
  }
  return "?";
}

const char* to_string(NodeKind kind) {
  switch (kind) {
    case NodeKind::kStart: return "start";
    case NodeKind::kTask: return "task";
    case NodeKind::kMilestone: return "milestone";
    case NodeKind::kDecision: return "decision";
    case NodeKind::kTimer: return "timer";
    case NodeKind::kWaitUntil: return "wait-until";
    case NodeKind::kWaitFor: return "wait-for";
    case NodeKind::kParallelSplit: return "parallel-split";
    case NodeKind::kParallelJoin: return "parallel-join";
    case NodeKind::kForEachSplit: return "foreach-split";
    case NodeKind::kForEachJoin: return "foreach-join";
    case NodeKind::kCall: return "call";
    case NodeKind::kGuard: return "guard";
    case NodeKind::kNotify: return "notify";
    case NodeKind::kSignal: return "signal";
    case NodeKind::kSet: return "set";
    case NodeKind::kScopeEnter: return "scope-enter";
    case NodeKind::kScopeExit: return "scope-exit";
    case NodeKind::kEnd: return "end";
  }
  return "?";
}

const char* to_string(Origin origin) {
  switch (origin) {
    case Origin::kOwn: return "own";
    case Origin::kInherited: return "inherited";
    case Origin::kOverridden: return "overridden";
    case Origin::kAdded: return "added";
  }
  return "?";
}

const Node* Process::find_node(const std::string& node_name) const {
  for (const auto& node : nodes) {
    if (node.name == node_name) return &node;
  }
  return nullptr;
}

const LegalTerm* Process::find_term(const std::string& qualified) const {
  // Compared in place, not through qualified(): every deadline looks its term up.
  std::string_view q = qualified;
  for (const auto& term : terms) {
    if (q.size() == term.group.size() + 1 + term.name.size() && q.starts_with(term.group) &&
        q[term.group.size()] == '.' && q.ends_with(term.name)) {
      return &term;
    }
  }
  return nullptr;
}

const Instrument* Process::find_instrument(const std::string& instrument_name) const {
  for (const auto& instrument : instruments) {
    if (instrument.name == instrument_name) return &instrument;
  }
  return nullptr;
}

const Process* Model::find(const std::string& process_name) const {
  for (const auto& p : processes) {
    if (p->name == process_name) return p.get();
  }
  return nullptr;
}

void index_outputs(Process& process) {
  for (auto& instrument : process.instruments) {
    instrument.items_by_name.clear();
    for (const InstrumentItem* item : instrument.items()) {
      instrument.items_by_name.emplace_back(item->name, instrument.items_by_name.size());
    }
    std::sort(instrument.items_by_name.begin(), instrument.items_by_name.end());
  }
  for (auto& node : process.nodes) {
    std::vector<std::size_t>& order = node.outputs_by_name;
    order.resize(node.outputs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return node.outputs[a].name < node.outputs[b].name; });
  }
}

std::string canonical_form(const Process& p) {
  std::string out;
  auto line = [&out](const std::string& text) {
    out += text;
    out += '\n';
  };
  line(fmt::format("process {} version {} extends {}", p.name, p.version, p.parent));
  line(fmt::format("title {}", p.title));
  line(fmt::format("roles {}", fmt::join(p.roles, ",")));
  for (const auto& f : p.fields) line(fmt::format("field {}: {}{}", f.name, to_string(f.type), f.required ? " required" : ""));
  for (const auto& f : p.person_attributes) line(fmt::format("person {}: {}", f.name, to_string(f.type)));
  for (const auto& i : p.instruments) {
    // Free text quoted, so that no title and cite can be cut differently into the same line.
    line(fmt::format("instrument {} title {:?} cite {:?} scale {} outcomes {}", i.name, i.title, i.cite,
                     fmt::join(i.scale, ","), fmt::join(i.outcomes, ",")));
    for (const auto& part : i.parts) {
      line(fmt::format("  part {} {:?}", part.name, part.title));
      for (const auto& item : part.items) line(fmt::format("    item {} {:?}", item.name, item.text));
    }
    for (const auto& rule : i.rules) line(fmt::format("  rule {} -> {}", to_source(rule), rule.outcome));
  }
  line(fmt::format("events {}", fmt::join(p.events, ",")));
  for (const auto& [event, roles] : p.event_senders) line(fmt::format("event {} by {}", event, fmt::join(roles, ",")));
  for (const auto& [event, fields] : p.event_fields) line(fmt::format("event {} with {}", event, fmt::join(fields, ",")));
  for (const auto& t : p.terms) {
    line(fmt::format("term {} = {} cite {}{}", t.qualified(), termijn::to_string(t.value), t.cite,
                     t.termijnenwet ? " with termijnenwet" : ""));
  }
  if (p.calendar) line(fmt::format("calendar {} {}", p.calendar->name, p.calendar->rules));
  // Only when named: the definitions written before `incidents to` keep their hashes.
  if (p.incident_role != kDefaultIncidentRole) line(fmt::format("incidents to {}", p.incident_role));
  for (const auto& n : p.nodes) {
    line(fmt::format("node {} {} {} scope {} title {} partner {}", n.id, to_string(n.kind), n.name,
                     n.scope, n.title, n.partner));
    if (!n.role.empty()) line(fmt::format("  role {}", n.role));
    if (n.due) line(fmt::format("  due {}", to_source(*n.due)));
    if (n.within) line(fmt::format("  within {}", to_source(*n.within)));
    for (const auto& o : n.outputs) line(fmt::format("  output {}: {}", o.name, to_string(o.type)));
    for (const auto& r : n.escalation) {
      line(fmt::format("  rung {} {} notify {} msg {} reassign {} raise {}", r.at_due,
                       termijn::to_string(r.offset), fmt::join(r.notify, ","), r.message.value_or(""),
                       r.reassign_to.value_or(""), r.raise_level.value_or(0)));
    }
    if (!n.cite.empty()) line(fmt::format("  cite {}", n.cite));
    if (!n.instrument.empty()) line(fmt::format("  instrument {}", n.instrument));
    if (n.expr) line(fmt::format("  expr {}", to_source(*n.expr)));
    if (!n.target.empty()) line(fmt::format("  target {}", n.target));
    for (const auto& [name, value] : n.arguments) line(fmt::format("  arg {} = {}", name, to_source(value)));
    if (!n.roles.empty()) line(fmt::format("  roles {}", fmt::join(n.roles, ",")));
    if (!n.message.empty()) line(fmt::format("  message {}", n.message));
    if (!n.escalate_to.empty()) line(fmt::format("  escalate {}", n.escalate_to));
    if (n.filter) line(fmt::format("  where {}", to_source(*n.filter)));
    for (const auto& person : n.persons) line(fmt::format("  person {}", to_source(person)));
    for (const auto& e : n.next) {
      line(fmt::format("  -> {} [{}] {}{}", e.target, e.label, e.condition ? to_source(*e.condition) : "",
                       e.detached ? " detached" : ""));
    }
  }
  for (const auto& s : p.scopes) {
    line(fmt::format("scope {} {} parent {} enter {} exit {}", s.id, s.name, s.parent, s.enter, s.exit));
    for (const auto& h : s.handlers) {
      line(fmt::format("  on {} {} -> {}", h.event, h.interrupting ? "interrupting" : "", h.entry));
    }
    // Only for bound stages, so the hash of every definition without one stays what it was.
    if (!s.until.empty()) line(fmt::format("  until {} then {}", s.until, s.on_end));
    for (const auto& h : s.handed_on) line(fmt::format("  hand on {} to {}", h.task, h.to_role));
  }
  for (NodeId s : p.starts) line(fmt::format("start {}", s));
  return out;
}

}  // namespace termijn::model
