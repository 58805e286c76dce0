#include "engine/frontend/ast_dump.h"

#include <fmt/format.h>

namespace termijn::ast {
namespace {

std::string at(const SourceRange& r) {
  return fmt::format("@{}:{}-{}:{}", r.begin.line, r.begin.column, r.end.line, r.end.column);
}

std::string id(const Ident& i) { return fmt::format("{}{}", i.name, at(i.range)); }

std::string quoted(const std::string& s) { return fmt::format("\"{}\"", s); }

std::string type(const TypeRef& t) {
  if (t.is_enum) {
    std::vector<std::string> members;
    for (const auto& m : t.enum_members) members.push_back(id(m));
    return fmt::format("one of ({}){}", fmt::join(members, ", "), at(t.range));
  }
  if (!t.args.empty()) return fmt::format("{}<{}>{}", t.name.name, type(t.args[0]), at(t.range));
  return fmt::format("{}{}", t.name.name, at(t.range));
}

class Dumper {
 public:
  std::string out;

  void line(int depth, const std::string& text) {
    out += std::string(static_cast<std::size_t>(depth) * 2, ' ');
    out += text;
    out += '\n';
  }

  void block(int depth, const Block& b) {
    for (const auto& s : b) step(depth, s);
  }

  void continuation(int depth, const std::string& head, const Continuation& c) {
    if (c.jump) {
      line(depth, fmt::format("{} -> {}", head, id(*c.jump)));
    } else {
      line(depth, head);
      block(depth + 1, c.block);
    }
  }

  void step(int depth, const Step& s) {
    std::string head = fmt::format("{} {}{}", kind_name(s.kind), s.name.name.empty() ? "-" : id(s.name), at(s.range));
    switch (s.kind) {
      case Step::Kind::kTask: {
        const auto& t = s.as<TaskStep>();
        line(depth, head);
        if (t.title) line(depth + 1, fmt::format("title {}", quoted(*t.title)));
        if (t.role) line(depth + 1, fmt::format("by {}", id(*t.role)));
        if (t.within) line(depth + 1, fmt::format("within {}", dump(*t.within)));
        if (t.due) line(depth + 1, fmt::format("due {}", dump(*t.due)));
        for (const auto& o : t.outputs) line(depth + 1, fmt::format("output {}: {}", id(o.name), type(o.type)));
        if (t.cite) line(depth + 1, fmt::format("cite {}", quoted(*t.cite)));
        if (t.instrument) line(depth + 1, fmt::format("instrument {}", id(*t.instrument)));
        if (t.has_escalation) line(depth + 1, "escalate");
        for (const auto& r : t.escalation) {
          const char* when = r.when == Rung::When::kAtDue ? "at due" : r.when == Rung::When::kBeforeDue ? "before due" : "after due";
          line(depth + 2, fmt::format("rung {}{}{}", when, r.offset ? " " + dump(*r.offset) : "", at(r.range)));
          for (const auto& a : r.actions) {
            std::vector<std::string> roles;
            for (const auto& role : a.roles) roles.push_back(id(role));
            switch (a.kind) {
              case RungAction::Kind::kNotify:
                line(depth + 3, fmt::format("notify {}{}", fmt::join(roles, ", "), a.message ? " " + quoted(*a.message) : ""));
                break;
              case RungAction::Kind::kReassign: line(depth + 3, fmt::format("reassign {}", fmt::join(roles, ", "))); break;
              case RungAction::Kind::kRaise: line(depth + 3, fmt::format("raise level {}", a.level)); break;
            }
          }
        }
        break;
      }
      case Step::Kind::kMilestone: {
        const auto& m = s.as<MilestoneStep>();
        line(depth, head + (m.title ? " " + quoted(*m.title) : ""));
        break;
      }
      case Step::Kind::kDecide: {
        const auto& d = s.as<DecideStep>();
        line(depth, head + (d.title ? " " + quoted(*d.title) : ""));
        for (const auto& w : d.whens) continuation(depth + 1, fmt::format("when {}", dump(w.condition)), w.then);
        if (d.otherwise) continuation(depth + 1, "otherwise", *d.otherwise);
        break;
      }
      case Step::Kind::kTimer: line(depth, fmt::format("{} = {}", head, dump(s.as<TimerStep>().at))); break;
      case Step::Kind::kWaitUntil: line(depth, fmt::format("{} until {}", head, dump(s.as<WaitUntilStep>().at))); break;
      case Step::Kind::kWaitFor: line(depth, fmt::format("{} for {}", head, id(s.as<WaitForStep>().event))); break;
      case Step::Kind::kParallel:
        line(depth, head);
        for (const auto& b : s.as<ParallelStep>().branches) {
          line(depth + 1, fmt::format("branch {}{}{}", id(b.name), b.detached ? " detached" : "", at(b.range)));
          block(depth + 2, b.body);
        }
        break;
      case Step::Kind::kForEach: {
        const auto& f = s.as<ForEachStep>();
        line(depth, fmt::format("{} {} in {}{}", head, id(f.variable), dump(f.list),
                                f.where ? " where " + dump(*f.where) : ""));
        block(depth + 1, f.body);
        break;
      }
      case Step::Kind::kCall: {
        const auto& c = s.as<CallStep>();
        line(depth, fmt::format("{} {}", head, id(c.process)));
        for (const auto& a : c.arguments) line(depth + 1, fmt::format("{} = {}", id(a.field), dump(a.value)));
        break;
      }
      case Step::Kind::kRequire: {
        const auto& r = s.as<RequireStep>();
        line(depth, fmt::format("{} {} else {}{}", head, dump(r.condition), quoted(r.reason),
                                r.escalate_to ? " escalate to " + id(*r.escalate_to) : ""));
        break;
      }
      case Step::Kind::kNotify: {
        const auto& n = s.as<NotifyStep>();
        std::vector<std::string> roles;
        for (const auto& r : n.roles) roles.push_back(id(r));
        line(depth, fmt::format("{} {} {}", head, fmt::join(roles, ", "), quoted(n.message)));
        break;
      }
      case Step::Kind::kSignal: line(depth, fmt::format("{} {}", head, id(s.as<SignalStep>().event))); break;
      case Step::Kind::kSet: {
        const auto& st = s.as<SetStep>();
        line(depth, fmt::format("{} {} = {}", head, id(st.target), dump(st.value)));
        break;
      }
      case Step::Kind::kGoto: line(depth, fmt::format("{} {}", head, id(s.as<GotoStep>().target))); break;
      case Step::Kind::kEnd: {
        const auto& e = s.as<EndStep>();
        line(depth, head + (e.reason ? " " + quoted(*e.reason) : ""));
        break;
      }
      case Step::Kind::kStage: {
        const auto& st = s.as<StageStep>();
        line(depth, head + (st.title ? " " + quoted(*st.title) : "") + (st.until ? " until " + id(*st.until) : ""));
        block(depth + 1, st.body);
        break;
      }
      case Step::Kind::kHandler: {
        const auto& h = s.as<HandlerStep>();
        if (h.term_passes) {
          continuation(depth, fmt::format("{} when {} passes", head, id(h.event)), h.then);
        } else {
          continuation(depth, fmt::format("{} on {}{}", head, id(h.event), h.interrupting ? " interrupting" : ""), h.then);
        }
        break;
      }
      case Step::Kind::kHandOn: {
        const auto& h = s.as<HandOnStep>();
        line(depth, fmt::format("{} {}{}", head, id(h.task), h.to ? " to " + id(*h.to) : ""));
        break;
      }
    }
  }

  void instrument(const InstrumentDecl& i) {
    auto ids = [](const std::vector<Ident>& names) {
      std::vector<std::string> out;
      for (const auto& n : names) out.push_back(id(n));
      return fmt::format("{}", fmt::join(out, ", "));
    };
    line(1, fmt::format("instrument {}{}{}", id(i.name), i.title ? " " + quoted(*i.title) : "", at(i.range)));
    if (!i.scale.empty()) line(2, fmt::format("scale {}", ids(i.scale)));
    if (!i.outcomes.empty()) line(2, fmt::format("outcomes {}", ids(i.outcomes)));
    if (i.cite) line(2, fmt::format("cite {}", quoted(*i.cite)));
    for (const auto& part : i.parts) {
      line(2, fmt::format("part {}{}{}", id(part.name), part.title ? " " + quoted(*part.title) : "", at(part.range)));
      for (const auto& item : part.items) {
        line(3, fmt::format("item {}{}{}", id(item.name), item.text ? fmt::format(" \"{}\"", *item.text) : "", at(item.range)));
      }
    }
    if (i.has_rules) line(2, "rules");
    for (const auto& r : i.rules) {
      using Over = OutcomeRule::Over;
      std::string when = r.over == Over::kOtherwise ? "otherwise"
                         : fmt::format("when {} {}{}", r.count, r.value ? id(*r.value) : "?",
                                       r.over == Over::kAnyPart ? " in one part"
                                       : r.part                 ? " in " + id(*r.part)
                                                                : "");
      line(3, fmt::format("{} -> {}{}", when, id(r.outcome), at(r.range)));
    }
  }

  void process(const ProcessDecl& p) {
    line(0, fmt::format("process {}{}{}{}", id(p.name), p.version ? fmt::format(" version {}", *p.version) : "",
                        p.parent ? " extends " + id(*p.parent) : "", at(p.range)));
    if (p.title) line(1, fmt::format("title {}", quoted(*p.title)));
    std::vector<std::string> roles, events;
    for (const auto& r : p.roles) roles.push_back(id(r));
    for (const auto& e : p.events) events.push_back(id(e));
    if (!roles.empty()) line(1, fmt::format("roles {}", fmt::join(roles, ", ")));
    if (p.calendar) line(1, fmt::format("uses calendar {}", id(*p.calendar)));
    if (p.incident_role) line(1, fmt::format("incidents to {}", id(*p.incident_role)));
    for (const auto& f : p.fields) {
      line(1, fmt::format("field {}: {}{}", id(f.name), type(f.type), f.required ? " required" : ""));
    }
    for (const auto& f : p.person_attributes) line(1, fmt::format("person attribute {}: {}", id(f.name), type(f.type)));
    for (const auto& i : p.instruments) instrument(i);
    if (!events.empty()) line(1, fmt::format("events {}", fmt::join(events, ", ")));
    for (const auto& s : p.event_senders) {
      std::vector<std::string> roles;
      for (const auto& r : s.roles) roles.push_back(id(r));
      line(1, fmt::format("event {} by {}", id(s.event), fmt::join(roles, " or ")));
    }
    for (const auto& f : p.event_fields) {
      std::vector<std::string> fields;
      for (const auto& field : f.fields) fields.push_back(id(field));
      line(1, fmt::format("event {} with {}", id(f.event), fmt::join(fields, ", ")));
    }
    for (const auto& t : p.term_overrides) {
      line(1, fmt::format("term {}.{} = {}{}{}", id(t.group), id(t.name), to_string(t.value),
                          t.cite ? " cite " + quoted(*t.cite) : "", at(t.range)));
    }
    for (const auto& s : p.starts) {
      if (s.then) {
        continuation(1, fmt::format("start on {}{}", id(s.event), at(s.range)), *s.then);
      } else {
        line(1, fmt::format("start on {}{}", id(s.event), at(s.range)));
      }
    }
    block(1, p.steps);
    for (const auto& o : p.overrides) {
      line(1, "override");
      step(2, o);
    }
    for (const auto& r : p.removals) line(1, fmt::format("remove {}{}", id(r.name), at(r.range)));
    for (const auto& a : p.additions) {
      if (a.where == Addition::Where::kBranch) {
        line(1, fmt::format("add branch {} beside {}{}", id(a.branch), id(a.anchor), at(a.range)));
      } else {
        line(1, fmt::format("add {} {}{}", to_string(a.where), id(a.anchor), at(a.range)));
      }
      block(2, a.steps);
    }
  }
};

}  // namespace

std::string dump(const Expr& e) {
  std::string r = at(e.range);
  switch (e.kind) {
    case Expr::Kind::kInt: return fmt::format("{}{}", e.int_value, r);
    case Expr::Kind::kString: return fmt::format("\"{}\"{}", e.text, r);
    case Expr::Kind::kBool: return fmt::format("{}{}", e.bool_value ? "true" : "false", r);
    case Expr::Kind::kDuration: return fmt::format("({}){}", to_string(e.duration), r);
    case Expr::Kind::kNow: return "now" + r;
    case Expr::Kind::kName: return e.text + r;
    case Expr::Kind::kMember: return fmt::format("(. {} {}{}){}", dump(e.operands.at(0)), e.text, at(e.text_range), r);
    case Expr::Kind::kCall: {
      std::vector<std::string> args;
      for (const auto& a : e.operands) args.push_back(dump(a));
      return fmt::format("(call {} {}){}", e.text, fmt::join(args, " "), r);
    }
    case Expr::Kind::kNot: return fmt::format("(not {}){}", dump(e.operands.at(0)), r);
    case Expr::Kind::kBinary:
      return fmt::format("({} {} {}){}", op_symbol(e.op), dump(e.operands.at(0)), dump(e.operands.at(1)), r);
  }
  return "?";
}

std::string dump(const File& file) {
  Dumper d;
  for (const auto& i : file.imports) d.line(0, fmt::format("import {}{}{}", i.is_path ? "path " : "", quoted(i.target), at(i.range)));
  for (const auto& t : file.terms) {
    d.line(0, fmt::format("terms {}{}", id(t.name), at(t.range)));
    for (const auto& term : t.terms) {
      d.line(1, fmt::format("{} = {}{}{}{}{}", id(term.name), to_string(term.value), at(term.value_range),
                            term.cite ? " cite " + quoted(*term.cite) : "", term.rule ? " with " + id(*term.rule) : "",
                            at(term.range)));
    }
  }
  for (const auto& c : file.calendars) {
    d.line(0, fmt::format("calendar {} = holidays {}{}{}", id(c.name), quoted(c.rules),
                          c.cite ? " cite " + quoted(*c.cite) : "", at(c.range)));
  }
  for (const auto& p : file.processes) d.process(p);
  return d.out;
}

}  // namespace termijn::ast
