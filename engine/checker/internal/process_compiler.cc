#include "engine/checker/internal/process_compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

#include "engine/base/sha256.h"
#include "engine/time/termijnenwet.h"

namespace termijn::checker {

using model::NodeId;
using model::NodeKind;
using model::kNoNode;
using TK = model::Type::Kind;
using SK = ast::Step::Kind;

namespace {

model::Origin origin_of(ast::Origin origin) {
  switch (origin) {
    case ast::Origin::kOwn: return model::Origin::kOwn;
    case ast::Origin::kInherited: return model::Origin::kInherited;
    case ast::Origin::kOverridden: return model::Origin::kOverridden;
    case ast::Origin::kAdded: return model::Origin::kAdded;
  }
  return model::Origin::kOwn;
}

template <typename T, typename NameOf>
void report_duplicates(const std::vector<T>& items, NameOf name_of, const char* what, DiagnosticList& diagnostics) {
  std::map<std::string, const ast::Ident*> seen;
  for (const auto& item : items) {
    const ast::Ident& id = name_of(item);
    auto [it, inserted] = seen.emplace(id.name, &id);
    if (!inserted) {
      diagnostics.error(id.range, fmt::format("{} '{}' is declared twice", what, id.name),
                        {note(it->second->range, "the first declaration is here")});
    }
  }
}

const ast::Ident& ident_of(const ast::Ident& i) { return i; }
const ast::Ident& field_name(const ast::FieldDecl& f) { return f.name; }

}  // namespace

ProcessCompiler::ProcessCompiler(const ResolvedProcess& process, const Declarations& declarations,
                                 VariantResolver& variants, DiagnosticList& diagnostics)
    : resolved_(process),
      decl_(process.decl),
      declarations_(declarations),
      variants_(variants),
      diagnostics_(diagnostics),
      expressions_(symbols_, diagnostics) {}

std::shared_ptr<model::Process> ProcessCompiler::compile() {
  errors_before_ = diagnostics_.error_count();
  out_ = std::make_shared<model::Process>();
  out_->name = decl_.name.name;
  out_->version = decl_.version.value_or(1);
  out_->title = decl_.title.value_or("");
  out_->parent = decl_.parent ? decl_.parent->name : "";
  out_->range = decl_.range;
  out_->removed = resolved_.removed;
  out_->scopes.push_back(model::Scope{0, -1, decl_.name.name, kNoNode, kNoNode, {}, {}, kNoNode, {}});
  symbols_.process = decl_.name.name;
  symbols_.removed = resolved_.removed;

  if (decl_.version && *decl_.version < 1) {
    diagnostics_.error(decl_.name.range, fmt::format("version of process '{}' must be 1 or more", decl_.name.name));
  }
  declare_members();
  declare_block(decl_.steps);
  for (const auto& start : decl_.starts) {
    if (start.then) declare_block(start.then->block);
  }

  BlockContext root{&decl_.steps, nullptr, nullptr, 0, kNoNode, true};
  main_entry_ = lower_block(decl_.steps, root);
  lower_starts();
  check_flow();

  for (const auto& [qualified, term] : symbols_.terms) {
    if (symbols_.used_terms.count(qualified) != 0) out_->terms.push_back(term);
  }
  // A process whose variant operations failed is not compiled into the model, like one whose own
  // steps have errors.
  if (resolved_.parent_has_errors || resolved_.has_errors || diagnostics_.error_count() > errors_before_) return nullptr;
  out_->hash = sha256_hex(model::canonical_form(*out_));
  return out_;
}

// ---- names --------------------------------------------------------------------------------------

void ProcessCompiler::declare_members() {
  report_duplicates(decl_.roles, ident_of, "role", diagnostics_);
  report_duplicates(decl_.events, ident_of, "event", diagnostics_);
  report_duplicates(decl_.fields, field_name, "case field", diagnostics_);
  for (const auto& role : decl_.roles) {
    symbols_.roles.push_back(role.name);
    out_->roles.push_back(role.name);
  }
  for (const auto& event : decl_.events) {
    symbols_.events.push_back(event.name);
    out_->events.push_back(event.name);
  }
  for (const auto& senders : decl_.event_senders) {
    auto& roles = out_->event_senders[senders.event.name];
    for (const auto& role : senders.roles) {
      check_role(role);
      roles.push_back(role.name);
    }
  }
  for (const auto& field : decl_.fields) {
    model::Field f{field.name.name, resolve_type(field.type), field.range};
    if (symbols_.fields.emplace(f.name, f).second) out_->fields.push_back(f);
  }
  for (const auto& carried : decl_.event_fields) {
    auto& fields = out_->event_fields[carried.event.name];
    for (const auto& field : carried.fields) {
      if (symbols_.fields.count(field.name) == 0) {
        std::vector<std::string> names;
        for (const auto& [name, _] : symbols_.fields) names.push_back(name);
        diagnostics_.error(field.range, fmt::format("event '{}' carries '{}', which is not a case field{}",
                                                    carried.event.name, field.name, did_you_mean(field.name, names)));
        continue;
      }
      fields.push_back(field.name);
    }
  }
  if (decl_.calendar) {
    if (const auto* calendar = declarations_.calendar(*decl_.calendar, resolved_.file, diagnostics_)) {
      out_->calendar = model::Calendar{calendar->name.name, calendar->rules, calendar->cite.value_or("")};
      symbols_.has_calendar = true;
    } else {
      symbols_.has_calendar = true;  // already reported; don't also complain about every working day
    }
  }

  // Every term group visible from this file, then this process's own values on top.
  for (const auto& group_name : declarations_.term_group_names()) {
    const ast::TermsDecl* group = declarations_.find_terms(group_name, resolved_.file);
    if (group == nullptr) continue;
    symbols_.term_groups.insert(group_name);
    for (const auto& term : group->terms) {
      model::LegalTerm t{group_name, term.name.name, term.value, term.cite.value_or(""), term.range, false,
                         term.rule.has_value()};
      symbols_.terms.emplace(t.qualified(), t);
    }
  }
  std::map<std::string, const ast::TermOverride*> overridden;
  for (const auto& o : decl_.term_overrides) {
    std::string qualified = o.group.name + "." + o.name.name;
    if (symbols_.term_groups.count(o.group.name) == 0) {
      declarations_.terms(o.group, resolved_.file, diagnostics_);  // reports unknown / not imported
      continue;
    }
    auto it = symbols_.terms.find(qualified);
    if (it == symbols_.terms.end()) {
      std::vector<std::string> candidates;
      for (const auto& [key, term] : symbols_.terms) {
        if (term.group == o.group.name) candidates.push_back(term.name);
      }
      diagnostics_.error(o.name.range, fmt::format("term group '{}' has no term '{}' to override{}", o.group.name,
                                                   o.name.name, did_you_mean(o.name.name, candidates)));
      continue;
    }
    if (it->second.value.kind != o.value.kind) {
      diagnostics_.error(o.value_range,
                         fmt::format("{} is counted in {}; this value is in {}", qualified,
                                     kind_name(it->second.value.kind), kind_name(o.value.kind)));
      continue;
    }
    if (auto excluded = it->second.termijnenwet ? termijnenwet_excluded(o.value) : std::nullopt) {
      diagnostics_.error(o.value_range, fmt::format("{} is counted 'with termijnenwet', which cannot apply to a term of "
                                                    "{}: {}", qualified, to_string(o.value), *excluded),
                         {note(it->second.range, "its value is set here")});
      continue;
    }
    if (auto [prev, inserted] = overridden.emplace(qualified, &o); !inserted && prev->second->range.file == o.range.file) {
      diagnostics_.error(o.range, fmt::format("term '{}' is overridden twice", qualified),
                         {note(prev->second->range, "the first override is here")});
    }
    overridden[qualified] = &o;
    it->second.value = o.value;
    if (o.cite) it->second.cite = *o.cite;
    it->second.range = o.range;
    it->second.overridden = true;
  }

  if (decl_.starts.empty() && !resolved_.parent_has_errors) {
    diagnostics_.error(decl_.name.range, fmt::format("process '{}' has no start: add 'start on <event>'",
                                                     decl_.name.name));
  }
}

model::Type ProcessCompiler::resolve_type(const ast::TypeRef& ref) {
  using model::Type;
  if (ref.is_enum) {
    std::vector<std::string> members;
    std::set<std::string> seen;
    for (const auto& m : ref.enum_members) {
      if (!seen.insert(m.name).second) {
        diagnostics_.error(m.range, fmt::format("'{}' is listed twice", m.name));
      }
      members.push_back(m.name);
    }
    return Type::enumeration(std::move(members));
  }
  static const std::map<std::string, TK> kScalars = {
      {"bool", TK::kBool},   {"int", TK::kInt},       {"text", TK::kText},
      {"datetime", TK::kDateTime}, {"days", TK::kDays}, {"workdays", TK::kWorkingDays},
      {"hours", TK::kHours}, {"person", TK::kPerson}};
  const std::string& n = ref.name.name;
  if (n == "list") {
    if (ref.args.size() != 1) {
      diagnostics_.error(ref.range, "a list needs its element type, as in list<person>");
      return Type{};
    }
    Type element = resolve_type(ref.args[0]);
    if (element.is_error()) return Type{};
    if (element.kind != TK::kPerson && element.kind != TK::kText) {
      diagnostics_.error(ref.args[0].range, fmt::format("lists hold persons or text, not {}", model::to_string(element)));
      return Type{};
    }
    return Type::list_of(element.kind);
  }
  auto it = kScalars.find(n);
  if (it == kScalars.end()) {
    std::vector<std::string> names{"list"};
    for (const auto& [name, _] : kScalars) names.push_back(name);
    diagnostics_.error(ref.name.range, fmt::format("unknown type '{}'{}", n, did_you_mean(n, names)));
    return Type{};
  }
  if (!ref.args.empty()) {
    diagnostics_.error(ref.range, fmt::format("type '{}' takes no element type", n));
  }
  return Type::of(it->second);
}

model::NodeId ProcessCompiler::add_node(NodeKind kind, const std::string& name, const ast::Step& step) {
  model::Node node;
  node.id = static_cast<NodeId>(out_->nodes.size());
  node.kind = kind;
  node.name = name;
  node.range = step.range;
  node.origin = origin_of(step.origin);
  out_->nodes.push_back(std::move(node));
  return out_->nodes.back().id;
}

void ProcessCompiler::declare_block(const ast::Block& block) {
  for (const auto& step : block) {
    // Unnamed steps are numbered per kind in order, not by line: a comment added above must not
    // change the definition's hash.
    std::string name = step.name.name.empty()
                           ? fmt::format("{}#{}", ast::kind_name(step.kind), ++unnamed_[step.kind])
                           : step.name.name;
    StepNodes nodes;
    switch (step.kind) {
      case SK::kTask: nodes.entry = add_node(NodeKind::kTask, name, step); break;
      case SK::kMilestone: nodes.entry = add_node(NodeKind::kMilestone, name, step); break;
      case SK::kDecide: nodes.entry = add_node(NodeKind::kDecision, name, step); break;
      case SK::kTimer:
        nodes.entry = add_node(NodeKind::kTimer, name, step);
        symbols_.timers.push_back(name);
        break;
      case SK::kWaitUntil: nodes.entry = add_node(NodeKind::kWaitUntil, name, step); break;
      case SK::kWaitFor: nodes.entry = add_node(NodeKind::kWaitFor, name, step); break;
      case SK::kParallel:
        nodes.entry = add_node(NodeKind::kParallelSplit, name, step);
        nodes.exit = add_node(NodeKind::kParallelJoin, name + ".join", step);
        break;
      case SK::kForEach:
        nodes.entry = add_node(NodeKind::kForEachSplit, name, step);
        nodes.exit = add_node(NodeKind::kForEachJoin, name + ".join", step);
        break;
      case SK::kCall: nodes.entry = add_node(NodeKind::kCall, name, step); break;
      case SK::kRequire: nodes.entry = add_node(NodeKind::kGuard, name, step); break;
      case SK::kNotify: nodes.entry = add_node(NodeKind::kNotify, name, step); break;
      case SK::kSignal: nodes.entry = add_node(NodeKind::kSignal, name, step); break;
      case SK::kSet: nodes.entry = add_node(NodeKind::kSet, name, step); break;
      case SK::kEnd: nodes.entry = add_node(NodeKind::kEnd, name, step); break;
      case SK::kStage:
        nodes.entry = add_node(NodeKind::kScopeEnter, name, step);
        nodes.exit = add_node(NodeKind::kScopeExit, name + ".end", step);
        break;
      case SK::kGoto:
      case SK::kHandler:
      case SK::kHandOn:
        break;  // a jump is an edge, a handler an entry in its scope, a hand-on part of one: no node
    }
    if (nodes.entry != kNoNode) {
      out_->nodes[nodes.entry].partner = nodes.exit;
      if (nodes.exit != kNoNode) out_->nodes[nodes.exit].partner = nodes.entry;
    }
    step_nodes_[&step] = nodes;
    if (!step.name.name.empty()) {
      StepSymbol symbol{step.kind, nodes.entry, {}, step.name.range};
      if (step.kind == SK::kTask) {
        std::set<std::string> seen;
        for (const auto& output : step.as<ast::TaskStep>().outputs) {
          if (!seen.insert(output.name.name).second) {
            diagnostics_.error(output.name.range, fmt::format("output '{}' is declared twice", output.name.name));
            continue;
          }
          symbol.outputs.push_back(model::Field{output.name.name, resolve_type(output.type), output.range});
        }
      }
      auto [it, inserted] = symbols_.steps.emplace(step.name.name, symbol);
      if (!inserted) {
        diagnostics_.error(step.name.range, fmt::format("step '{}' is declared twice", step.name.name),
                           {note(it->second.range, "the first declaration is here")});
      } else if (symbols_.fields.count(step.name.name) != 0) {
        diagnostics_.error(step.name.range,
                           fmt::format("'{}' is already the name of a case field; give the step another name",
                                       step.name.name));
      }
    }
    for (const ast::Block* child : ast::child_blocks(step)) declare_block(*child);
  }
}

void ProcessCompiler::check_role(const ast::Ident& role) {
  const auto& roles = symbols_.roles;
  if (std::find(roles.begin(), roles.end(), role.name) == roles.end()) {
    diagnostics_.error(role.range, fmt::format("unknown role '{}'{}", role.name, did_you_mean(role.name, roles)));
  }
}

bool ProcessCompiler::check_event(const ast::Ident& event, bool timers_too) {
  const auto& events = symbols_.events;
  if (std::find(events.begin(), events.end(), event.name) != events.end()) return true;
  if (timers_too && std::find(symbols_.timers.begin(), symbols_.timers.end(), event.name) != symbols_.timers.end()) {
    return true;
  }
  std::vector<std::string> candidates = events;
  if (timers_too) candidates.insert(candidates.end(), symbols_.timers.begin(), symbols_.timers.end());
  diagnostics_.error(event.range, fmt::format("unknown {} '{}'{}", timers_too ? "event or timer" : "event",
                                              event.name, did_you_mean(event.name, candidates)));
  return false;
}

// ---- lowering -----------------------------------------------------------------------------------

model::NodeId ProcessCompiler::lower_block(const ast::Block& block, const BlockContext& ctx) {
  std::vector<const ast::Step*> flow;
  for (const auto& step : block) {
    if (step.kind == SK::kHandler) {
      lower_handler(step, ctx);
    } else if (step.kind == SK::kHandOn) {
      lower_hand_on(step, ctx);
    } else {
      flow.push_back(&step);
    }
  }
  for (std::size_t i = 0; i < flow.size(); ++i) {
    NodeId next = i + 1 < flow.size() ? entry_of(*flow[i + 1], ctx) : ctx.next;
    lower_step(*flow[i], ctx, next);
  }
  return flow.empty() ? ctx.next : entry_of(*flow.front(), ctx);
}

model::NodeId ProcessCompiler::entry_of(const ast::Step& step, const BlockContext& ctx, int depth) {
  if (step.kind == SK::kGoto) return resolve_jump(step.as<ast::GotoStep>().target, ctx, depth + 1);
  return step_nodes_.at(&step).entry;
}

model::NodeId ProcessCompiler::resolve_jump(const ast::Ident& target, const BlockContext& ctx, int depth) {
  if (depth > 32) {
    diagnostics_.error(target.range, fmt::format("jumps to '{}' go round in a circle without doing anything", target.name));
    return kNoNode;
  }
  const char* crossed = nullptr;
  for (const BlockContext* c = &ctx; c != nullptr; c = c->parent) {
    for (const auto& step : *c->block) {
      if (step.name.name != target.name) continue;
      if (crossed != nullptr) {
        diagnostics_.error(target.range, fmt::format("cannot jump from inside {} to '{}': each branch must run "
                                                     "to its end so that the branches can join",
                                                     crossed, target.name));
        return kNoNode;
      }
      if (step.kind == SK::kHandler) break;
      return entry_of(step, *c, depth);
    }
    if (c->barrier != nullptr && crossed == nullptr) crossed = c->barrier;
  }
  if (symbols_.steps.count(target.name) != 0) {
    diagnostics_.error(target.range, fmt::format("cannot jump into the middle of another block to '{}'; a jump "
                                                 "goes to a step in the same block or an enclosing one",
                                                 target.name),
                       {note(symbols_.steps.at(target.name).range, "the step is here")});
    return kNoNode;
  }
  std::vector<std::string> names;
  for (const auto& [name, _] : symbols_.steps) names.push_back(name);
  diagnostics_.error(target.range, fmt::format("unknown step '{}'{}", target.name, did_you_mean(target.name, names)));
  return kNoNode;
}

model::NodeId ProcessCompiler::continuation(const ast::Continuation& c, const BlockContext& ctx, NodeId next) {
  if (c.jump) return resolve_jump(*c.jump, ctx);
  BlockContext inner{&c.block, &ctx, nullptr, ctx.scope, next, false};
  return lower_block(c.block, inner);
}

void ProcessCompiler::record(NodeId user, const std::vector<Reference>& refs, bool deadline) {
  for (const auto& r : refs) uses_.push_back(Use{user, r, deadline});
}

void ProcessCompiler::lower_step(const ast::Step& step, const BlockContext& ctx, NodeId next) {
  if (step.kind == SK::kGoto) {
    entry_of(step, ctx);  // reports a bad target
    return;
  }
  StepNodes nodes = step_nodes_.at(&step);
  auto node = [this, &nodes]() -> model::Node& { return out_->nodes[nodes.entry]; };
  node().scope = ctx.scope;
  auto link = [this](NodeId from, NodeId to, std::string label = {}) {
    if (from != kNoNode && to != kNoNode) out_->nodes[from].next.push_back(model::Edge{to, std::nullopt, std::move(label)});
  };
  std::vector<Reference> refs;

  switch (step.kind) {
    case SK::kTask:
      lower_task(step, node());
      link(nodes.entry, next);
      break;
    case SK::kMilestone: {
      const auto& m = step.as<ast::MilestoneStep>();
      node().title = m.title.value_or("");
      link(nodes.entry, next);
      break;
    }
    case SK::kDecide:
      lower_decision(step, ctx, next);
      break;
    case SK::kTimer: {
      model::Expr at = expressions_.expect(step.as<ast::TimerStep>().at, model::Type::of(TK::kDateTime),
                                           fmt::format("the moment timer '{}' goes off", step.name.name), loop_, refs);
      record(nodes.entry, refs, true);
      node().expr = std::move(at);
      node().target = step.name.name;
      link(nodes.entry, next);
      break;
    }
    case SK::kWaitUntil: {
      node().expr = expressions_.expect(step.as<ast::WaitUntilStep>().at, model::Type::of(TK::kDateTime),
                                        "the moment to wait until", loop_, refs);
      record(nodes.entry, refs, false);
      link(nodes.entry, next);
      break;
    }
    case SK::kWaitFor: {
      const auto& w = step.as<ast::WaitForStep>();
      check_event(w.event, true);
      node().target = w.event.name;
      link(nodes.entry, next);
      break;
    }
    case SK::kParallel: {
      const auto& p = step.as<ast::ParallelStep>();
      std::map<std::string, const ast::Ident*> seen;
      if (p.branches.size() < 2) {
        diagnostics_.error(step.keyword, "a parallel step needs at least two branches");
      }
      for (const auto& branch : p.branches) {
        if (auto [it, inserted] = seen.emplace(branch.name.name, &branch.name); !inserted) {
          diagnostics_.error(branch.name.range, fmt::format("branch '{}' is declared twice", branch.name.name));
        }
        // A detached branch (`add beside`) ends where its steps end; the join waits for the others.
        BlockContext inner{&branch.body, &ctx, "a parallel branch", ctx.scope, branch.detached ? kNoNode : nodes.exit,
                           false};
        NodeId entry = lower_block(branch.body, inner);
        if (entry != kNoNode) out_->nodes[nodes.entry].next.push_back(model::Edge{entry, std::nullopt, branch.name.name,
                                                                                  branch.detached});
      }
      out_->nodes[nodes.exit].scope = ctx.scope;
      link(nodes.exit, next);
      break;
    }
    case SK::kForEach: {
      const auto& f = step.as<ast::ForEachStep>();
      model::Expr list = expressions_.check(f.list, loop_, refs);
      record(nodes.entry, refs, false);
      model::Type element;
      if (!list.type.is_error() && list.type.kind != TK::kList) {
        diagnostics_.error(f.list.range, fmt::format("'for each' needs a list, but this is {}", model::to_string(list.type)));
      } else if (!list.type.is_error()) {
        element = model::Type::of(list.type.element);
      }
      const std::string& var = f.variable.name;
      if (symbols_.fields.count(var) != 0 || symbols_.steps.count(var) != 0) {
        diagnostics_.error(f.variable.range, fmt::format("'{}' is already a name in this process; choose another "
                                                         "name for the element", var));
      }
      node().expr = std::move(list);
      node().target = var;
      loop_.push_back(LoopVariable{var, element});
      BlockContext inner{&f.body, &ctx, "a 'for each'", ctx.scope, nodes.exit, false};
      link(nodes.entry, lower_block(f.body, inner), "each " + var);
      loop_.pop_back();
      link(nodes.entry, nodes.exit, "no elements");
      out_->nodes[nodes.exit].scope = ctx.scope;
      link(nodes.exit, next);
      break;
    }
    case SK::kCall: {
      const auto& c = step.as<ast::CallStep>();
      node().target = c.process.name;
      const ast::ProcessDecl* callee = declarations_.process(c.process, resolved_.file, diagnostics_);
      if (callee != nullptr && callee->name.name == decl_.name.name) {
        diagnostics_.error(c.process.range, fmt::format("process '{}' calls itself", c.process.name));
        callee = nullptr;
      }
      std::vector<model::Field> callee_fields;
      if (callee != nullptr) {
        // Field types are re-read from the callee's declarations; mistakes there are reported
        // where they are written, once.
        DiagnosticList ignored;
        ProcessCompiler reader(variants_.resolve(*callee), declarations_, variants_, ignored);
        for (const auto& field : variants_.resolve(*callee).decl.fields) {
          callee_fields.push_back(model::Field{field.name.name, reader.resolve_type(field.type), field.range});
        }
      }
      for (const auto& arg : c.arguments) {
        auto field = std::find_if(callee_fields.begin(), callee_fields.end(),
                                  [&](const model::Field& f) { return f.name == arg.field.name; });
        model::Expr value;
        if (callee != nullptr && field == callee_fields.end()) {
          std::vector<std::string> names;
          for (const auto& f : callee_fields) names.push_back(f.name);
          diagnostics_.error(arg.field.range, fmt::format("process '{}' has no case field '{}'{}", c.process.name,
                                                          arg.field.name, did_you_mean(arg.field.name, names)));
          value = expressions_.check(arg.value, loop_, refs);
        } else if (callee != nullptr && !field->type.is_error()) {
          value = expressions_.expect(arg.value, field->type, fmt::format("'{}'", arg.field.name), loop_, refs);
        } else {
          value = expressions_.check(arg.value, loop_, refs);
        }
        node().arguments.emplace_back(arg.field.name, std::move(value));
      }
      record(nodes.entry, refs, false);
      link(nodes.entry, next);
      break;
    }
    case SK::kRequire: {
      const auto& r = step.as<ast::RequireStep>();
      node().expr = expressions_.expect(r.condition, model::Type::of(TK::kBool), "a requirement", loop_, refs);
      record(nodes.entry, refs, false);
      if (r.reason.empty()) {
        diagnostics_.error(step.keyword, "a requirement needs a reason to give when it refuses: require <condition> "
                                         "else \"<reason>\"");
      }
      node().message = r.reason;
      if (r.escalate_to) {
        check_role(*r.escalate_to);
        node().escalate_to = r.escalate_to->name;
      }
      link(nodes.entry, next);
      break;
    }
    case SK::kNotify: {
      const auto& n = step.as<ast::NotifyStep>();
      for (const auto& role : n.roles) {
        check_role(role);
        node().roles.push_back(role.name);
      }
      node().message = n.message;
      link(nodes.entry, next);
      break;
    }
    case SK::kSignal: {
      const auto& s = step.as<ast::SignalStep>();
      check_event(s.event, false);
      node().target = s.event.name;
      link(nodes.entry, next);
      break;
    }
    case SK::kSet: {
      const auto& s = step.as<ast::SetStep>();
      node().target = s.target.name;
      bool is_timer = std::find(symbols_.timers.begin(), symbols_.timers.end(), s.target.name) != symbols_.timers.end();
      auto field = symbols_.fields.find(s.target.name);
      if (is_timer) {
        node().expr = expressions_.expect(s.value, model::Type::of(TK::kDateTime),
                                          fmt::format("the new moment of timer '{}'", s.target.name), loop_, refs);
        record(nodes.entry, refs, true);
      } else if (field != symbols_.fields.end()) {
        node().expr = expressions_.expect(s.value, field->second.type, fmt::format("case field '{}'", s.target.name),
                                          loop_, refs);
        record(nodes.entry, refs, false);
      } else {
        std::vector<std::string> names = symbols_.timers;
        for (const auto& [name, _] : symbols_.fields) names.push_back(name);
        std::string what = symbols_.steps.count(s.target.name) != 0
                               ? fmt::format("'{}' is a {}", s.target.name, ast::kind_name(symbols_.steps.at(s.target.name).kind))
                               : fmt::format("unknown timer or case field '{}'{}", s.target.name,
                                             did_you_mean(s.target.name, names));
        diagnostics_.error(s.target.range, fmt::format("'set' changes a timer or a case field; {}", what));
      }
      link(nodes.entry, next);
      break;
    }
    case SK::kEnd:
      node().message = step.as<ast::EndStep>().reason.value_or("");
      break;
    case SK::kStage: {
      const auto& s = step.as<ast::StageStep>();
      int scope = static_cast<int>(out_->scopes.size());
      out_->scopes.push_back(model::Scope{scope, ctx.scope, step.name.name, nodes.entry, nodes.exit, {}, {}, kNoNode, {}});
      node().title = s.title.value_or("");
      if (s.until) {
        auto timer = symbols_.steps.find(s.until->name);
        if (timer == symbols_.steps.end() || timer->second.kind != SK::kTimer) {
          diagnostics_.error(s.until->range, fmt::format("'until' binds the stage to a timer; '{}' is not one{}",
                                                         s.until->name, did_you_mean(s.until->name, symbols_.timers)));
        } else {
          out_->scopes[scope].until = s.until->name;
          bound_stages_.push_back(BoundStage{scope, timer->second.node, s.until->range});
        }
      }
      out_->nodes[nodes.exit].scope = ctx.scope;
      // The stage's content knows where the stage continues; its handlers need that.
      BlockContext inner{&s.body, &ctx, nullptr, scope, nodes.exit, true};
      NodeId body = lower_block(s.body, inner);
      out_->nodes[nodes.entry].scope = scope;
      link(nodes.entry, body);
      link(nodes.exit, next);
      break;
    }
    case SK::kGoto:
    case SK::kHandler:
    case SK::kHandOn:
      break;
  }
}

void ProcessCompiler::lower_task(const ast::Step& step, model::Node& node_ref) {
  const auto& task = step.as<ast::TaskStep>();
  NodeId id = node_ref.id;
  std::vector<Reference> refs;
  node_ref.title = task.title.value_or("");
  node_ref.cite = task.cite.value_or("");
  if (task.role) {
    check_role(*task.role);
    node_ref.role = task.role->name;
  } else {
    diagnostics_.error(step.name.range, fmt::format("task '{}' has no role: add 'by <role>'", step.name.name));
  }
  node_ref.outputs = symbols_.steps.count(step.name.name) != 0 ? symbols_.steps.at(step.name.name).outputs
                                                               : std::vector<model::Field>{};
  if (task.within && task.due) {
    diagnostics_.error(task.due->range, fmt::format("task '{}' has both 'within' and 'due'; give one", step.name.name));
  }
  // Take the node by index from here on: checking expressions never adds nodes, but be explicit.
  if (task.within) {
    model::Expr within = expressions_.expect_duration(*task.within, "'within'", loop_, refs);
    out_->nodes[id].within = std::move(within);
  } else if (task.due) {
    model::Expr due = expressions_.expect(*task.due, model::Type::of(TK::kDateTime), "'due'", loop_, refs);
    out_->nodes[id].due = std::move(due);
  } else {
    diagnostics_.error(step.name.range, fmt::format("task '{}' has no deadline: add 'within <duration>' or "
                                                    "'due <moment>'", step.name.name));
  }
  record(id, refs, true);

  std::optional<std::pair<DurationKind, std::int64_t>> previous;  // to keep the ladder in time order
  for (const auto& rung : task.escalation) {
    model::EscalationRung r;
    r.range = rung.range;
    r.at_due = rung.when == ast::Rung::When::kAtDue;
    if (rung.offset) {
      std::vector<Reference> rung_refs;
      model::Expr offset = expressions_.expect_duration(*rung.offset, "an escalation's offset", loop_, rung_refs);
      record(id, rung_refs, true);
      if (!offset.type.is_error() && offset.kind != model::Expr::Kind::kDuration &&
          offset.kind != model::Expr::Kind::kTerm) {
        diagnostics_.error(rung.offset->range, "an escalation's offset is a fixed duration or a legal term");
      } else {
        r.offset = rung.when == ast::Rung::When::kBeforeDue ? negate(offset.duration) : offset.duration;
      }
    }
    // Months have no fixed length; ordering compares days+minutes within one kind, the common case.
    std::int64_t key = r.offset.months * 31 * 24 * 60 + r.offset.days * 24 * 60 + r.offset.minutes;
    if (previous && previous->first == r.offset.kind && key <= previous->second) {
      diagnostics_.error(rung.range, "escalation rungs go in time order: this one would fire before (or with) "
                                     "the one above it");
    }
    previous = std::make_pair(r.offset.kind, key);
    for (const auto& action : rung.actions) {
      switch (action.kind) {
        case ast::RungAction::Kind::kNotify:
          for (const auto& role : action.roles) {
            check_role(role);
            r.notify.push_back(role.name);
          }
          if (action.message) r.message = action.message;
          break;
        case ast::RungAction::Kind::kReassign:
          for (const auto& role : action.roles) {
            check_role(role);
            r.reassign_to = role.name;
          }
          break;
        case ast::RungAction::Kind::kRaise:
          if (action.level < 1) diagnostics_.error(action.range, "an escalation level starts at 1");
          r.raise_level = action.level;
          break;
      }
    }
    out_->nodes[id].escalation.push_back(std::move(r));
  }
}

void ProcessCompiler::lower_decision(const ast::Step& step, const BlockContext& ctx, NodeId next) {
  const auto& d = step.as<ast::DecideStep>();
  NodeId id = step_nodes_.at(&step).entry;
  out_->nodes[id].title = d.title.value_or("");
  std::vector<model::Edge> edges;
  for (const auto& when : d.whens) {
    std::vector<Reference> refs;
    model::Expr condition = expressions_.expect(when.condition, model::Type::of(TK::kBool), "a decision's condition",
                                                loop_, refs);
    record(id, refs, false);
    NodeId target = continuation(when.then, ctx, next);
    edges.push_back(model::Edge{target, std::move(condition), ""});
  }
  if (d.otherwise) {
    edges.push_back(model::Edge{continuation(*d.otherwise, ctx, next), std::nullopt, "otherwise"});
  }
  out_->nodes[id].next = std::move(edges);
  check_decision_exits(step, out_->nodes[id]);
}

// A decision without `otherwise` gets stuck when none of its conditions holds, unless its
// conditions between them cover every value of one yes/no or one-of value.
void ProcessCompiler::check_decision_exits(const ast::Step& step, const model::Node& node) {
  const auto& d = step.as<ast::DecideStep>();
  if (d.otherwise) return;
  if (d.whens.empty()) {
    diagnostics_.error(step.name.range, fmt::format("decision '{}' has no way out: add 'when <condition> -> <step>' "
                                                    "or 'otherwise'", step.name.name));
    return;
  }
  std::map<std::string, std::pair<model::Type, std::set<std::string>>> covered;
  for (const auto& edge : node.next) {
    if (!edge.condition) continue;
    const model::Expr& c = *edge.condition;
    if (c.type.is_error()) return;  // already reported
    if (c.kind == model::Expr::Kind::kBool && c.bool_value) return;
    auto subject_kind = [](const model::Expr& x) {
      return x.kind == model::Expr::Kind::kField || x.kind == model::Expr::Kind::kOutput ||
             x.kind == model::Expr::Kind::kVariable;
    };
    if (subject_kind(c) && c.type.kind == TK::kBool) {
      covered[model::to_source(c)] = {c.type, {}};
      covered[model::to_source(c)].second.insert("true");
    } else if (c.kind == model::Expr::Kind::kNot && subject_kind(c.operands[0])) {
      auto& entry = covered[model::to_source(c.operands[0])];
      entry.first = c.operands[0].type;
      entry.second.insert("false");
    } else if (c.kind == model::Expr::Kind::kBinary && c.op == BinaryOp::kEq) {
      const model::Expr* subject = &c.operands[0];
      const model::Expr* value = &c.operands[1];
      if (!subject_kind(*subject)) std::swap(subject, value);
      if (subject_kind(*subject) && value->kind == model::Expr::Kind::kEnumValue) {
        auto& entry = covered[model::to_source(*subject)];
        entry.first = subject->type;
        entry.second.insert(value->text);
      } else if (subject_kind(*subject) && value->kind == model::Expr::Kind::kBool) {
        auto& entry = covered[model::to_source(*subject)];
        entry.first = subject->type;
        entry.second.insert(value->bool_value ? "true" : "false");
      }
    }
  }
  std::string missing;
  for (const auto& [subject, entry] : covered) {
    const auto& [type, values] = entry;
    std::vector<std::string> all = type.kind == TK::kEnum ? type.members : std::vector<std::string>{"true", "false"};
    std::vector<std::string> left;
    for (const auto& v : all) {
      if (values.count(v) == 0) left.push_back(v);
    }
    if (left.empty()) return;
    if (missing.empty()) missing = fmt::format(" (not covered: {} == {})", subject, fmt::join(left, ", "));
  }
  diagnostics_.error(step.name.range, fmt::format("decision '{}' has no way out when none of its conditions "
                                                  "holds{}: add 'otherwise'", step.name.name, missing));
}

// The steps of a misplaced block were given nodes; they are unreachable because of that mistake,
// which is reported, not because of another.
void ProcessCompiler::silence(const ast::Block& block) {
  for (const auto& inner : block) {
    StepNodes nodes = step_nodes_.at(&inner);
    if (nodes.entry != kNoNode) silenced_.insert(nodes.entry);
    for (const ast::Block* child : ast::child_blocks(inner)) silence(*child);
  }
}

void ProcessCompiler::lower_handler(const ast::Step& step, const BlockContext& ctx) {
  const auto& h = step.as<ast::HandlerStep>();
  if (!ctx.handlers_allowed) {
    diagnostics_.error(step.keyword, "'on' listens for a whole stage or process: put it directly inside a "
                                     "'stage' or the process");
    if (!h.then.jump) silence(h.then.block);
    return;
  }
  if (h.term_passes) {
    lower_term_passes(step, ctx);
    return;
  }
  check_event(h.event, true);
  model::Scope& scope = out_->scopes[ctx.scope];
  for (const auto& other : scope.handlers) {
    if (other.event == h.event.name) {
      diagnostics_.error(h.event.range, fmt::format("'{}' already has a handler here", h.event.name),
                         {note(other.range, "the first handler is here")});
    }
  }
  // An interrupting handler ends its stage: its own steps run in the enclosing scope and then
  // the flow goes on after the stage. A non-interrupting handler's steps run beside the stage.
  BlockContext handler_ctx = ctx;
  handler_ctx.handlers_allowed = false;
  handler_ctx.next = kNoNode;
  if (h.interrupting) {
    handler_ctx.scope = std::max(scope.parent, 0);
    if (ctx.scope != 0) handler_ctx.next = scope.exit;  // leaves the stage, goes on after it
  }
  std::size_t index = scope.handlers.size();
  scope.handlers.push_back(model::Handler{h.event.name, h.interrupting, kNoNode, step.range});
  // Inside the handler the event's name is the moment this arrival came in (a timer's name
  // stays the timer's moment).
  bool external = std::find(symbols_.events.begin(), symbols_.events.end(), h.event.name) != symbols_.events.end();
  if (external) loop_.push_back(LoopVariable{h.event.name, model::Type::of(TK::kDateTime), true});
  NodeId entry = h.then.jump ? resolve_jump(*h.then.jump, ctx) : [&] {
    BlockContext inner{&h.then.block, &handler_ctx, nullptr, handler_ctx.scope, handler_ctx.next, false};
    return lower_block(h.then.block, inner);
  }();
  if (external) loop_.pop_back();
  out_->scopes[ctx.scope].handlers[index].entry = entry;
  handler_links_.emplace_back(out_->scopes[ctx.scope].enter, entry);
}

// `when t passes { ... }` in `stage x until t`: runs in the enclosing scope once the term ended the
// stage, then the flow goes on after the stage.
void ProcessCompiler::lower_term_passes(const ast::Step& step, const BlockContext& ctx) {
  const auto& h = step.as<ast::HandlerStep>();
  model::Scope& scope = out_->scopes[ctx.scope];
  if (ctx.scope == 0 || scope.until != h.event.name) {
    diagnostics_.error(h.event.range,
                       ctx.scope == 0 || scope.until.empty()
                           ? fmt::format("'when {} passes' belongs in a stage bound to that timer: 'stage <name> until {} "
                                         "{{ ... }}'", h.event.name, h.event.name)
                           : fmt::format("stage '{}' runs until '{}', not '{}'", scope.name, scope.until, h.event.name));
    silence(h.then.block);
    return;
  }
  if (scope.on_end != kNoNode) {
    diagnostics_.error(step.keyword, fmt::format("stage '{}' already says what happens when '{}' passes", scope.name,
                                                 h.event.name));
    silence(h.then.block);
    return;
  }
  BlockContext handler_ctx = ctx;
  handler_ctx.scope = scope.parent;
  handler_ctx.next = scope.exit;  // the exit lets a token from outside the stage through
  handler_ctx.handlers_allowed = false;
  BlockContext inner{&h.then.block, &handler_ctx, nullptr, handler_ctx.scope, handler_ctx.next, false, ctx.scope};
  NodeId entry = lower_block(h.then.block, inner);
  // An empty block (only `hand on`) goes straight on after the stage.
  out_->scopes[ctx.scope].on_end = entry == scope.exit ? kNoNode : entry;
  if (entry != scope.exit) handler_links_.emplace_back(out_->scopes[ctx.scope].enter, entry);
}

// `hand on task [to role]`: the task, somewhere inside the stage, stays open when the term ends it.
void ProcessCompiler::lower_hand_on(const ast::Step& step, const BlockContext& ctx) {
  const auto& h = step.as<ast::HandOnStep>();
  if (ctx.ending_scope < 0) {
    diagnostics_.error(step.keyword, "'hand on' says which open work outlives a stage's term: put it directly "
                                     "inside 'when <timer> passes { ... }'");
    return;
  }
  model::Scope& scope = out_->scopes[ctx.ending_scope];
  // The stage's own steps, found in its source (they are lowered after its handlers): the block
  // around `when t passes`.
  const ast::Block* body = ctx.parent != nullptr ? ctx.parent->block : nullptr;
  std::function<bool(const ast::Block&)> holds = [&](const ast::Block& block) {
    for (const auto& s : block) {
      if (s.kind == SK::kTask && s.name.name == h.task.name) return true;
      for (const ast::Block* child : ast::child_blocks(s)) {
        if (holds(*child)) return true;
      }
    }
    return false;
  };
  if (body == nullptr || !holds(*body)) {
    diagnostics_.error(h.task.range, fmt::format("stage '{}' has no task '{}' to hand on", scope.name, h.task.name));
    return;
  }
  NodeId task = symbols_.steps.at(h.task.name).node;
  for (const auto& other : scope.handed_on) {
    if (other.task == task) {
      diagnostics_.error(h.task.range, fmt::format("'{}' is already handed on", h.task.name));
      return;
    }
  }
  std::string role;
  if (h.to) {
    check_role(*h.to);
    role = h.to->name;
  }
  scope.handed_on.push_back(model::HandOn{task, role});
}

void ProcessCompiler::lower_starts() {
  std::map<std::string, const ast::StartRoute*> seen;
  for (const auto& start : decl_.starts) {
    bool known = check_event(start.event, false);
    if (auto [it, inserted] = seen.emplace(start.event.name, &start); !inserted) {
      diagnostics_.error(start.event.range, fmt::format("the process already starts on '{}'", start.event.name),
                         {note(it->second->range, "the first start is here")});
    }
    model::Node node;
    node.id = static_cast<NodeId>(out_->nodes.size());
    node.kind = NodeKind::kStart;
    node.name = "start:" + start.event.name;
    node.target = start.event.name;
    node.range = start.range;
    node.origin = start.then && !start.then->block.empty()
                      ? origin_of(start.then->block.front().origin)
                      : model::Origin::kOwn;
    out_->nodes.push_back(node);
    NodeId entry = main_entry_;
    if (start.then) {
      BlockContext root{&decl_.steps, nullptr, nullptr, 0, main_entry_, true};
      if (start.then->jump) {
        entry = resolve_jump(*start.then->jump, root);
      } else {
        BlockContext inner{&start.then->block, &root, nullptr, 0, main_entry_, false};
        entry = lower_block(start.then->block, inner);
      }
    }
    if (entry != kNoNode) out_->nodes[node.id].next.push_back(model::Edge{entry, std::nullopt, ""});
    if (known) out_->starts.push_back(node.id);
  }
}

// ---- flow ---------------------------------------------------------------------------------------

void ProcessCompiler::check_flow() {
  const auto& nodes = out_->nodes;
  const std::size_t n = nodes.size();
  const std::size_t root = n;  // a virtual node before every start
  std::vector<std::vector<std::size_t>> preds(n + 1);
  for (const auto& node : nodes) {
    for (const auto& edge : node.next) {
      if (edge.target != kNoNode) preds[edge.target].push_back(node.id);
    }
  }
  for (NodeId s : out_->starts) preds[s].push_back(root);
  for (const auto& [enter, entry] : handler_links_) {
    if (entry != kNoNode) preds[entry].push_back(enter == kNoNode ? root : static_cast<std::size_t>(enter));
  }

  // Reachability from the starts.
  std::vector<bool> reachable(n + 1, false);
  reachable[root] = true;
  std::vector<std::vector<std::size_t>> succ(n + 1);
  for (std::size_t v = 0; v <= n; ++v) {
    for (std::size_t p : preds[v]) succ[p].push_back(v);
  }
  std::vector<std::size_t> work{root};
  while (!work.empty()) {
    std::size_t v = work.back();
    work.pop_back();
    for (std::size_t w : succ[v]) {
      if (!reachable[w]) {
        reachable[w] = true;
        work.push_back(w);
      }
    }
  }
  // Report where each unreachable stretch begins; the steps after it follow from it.
  auto is_synthetic = [&](const model::Node& node) {
    return node.kind == NodeKind::kParallelJoin || node.kind == NodeKind::kForEachJoin ||
           node.kind == NodeKind::kScopeExit || node.kind == NodeKind::kStart;
  };
  std::set<std::size_t> reported;
  std::function<void(std::size_t)> report = [&](std::size_t v) {
    if (!reported.insert(v).second || silenced_.count(static_cast<NodeId>(v)) != 0) return;
    if (is_synthetic(nodes[v])) {
      for (std::size_t w : succ[v]) {
        if (!reachable[w] && preds[w].size() == 1) report(w);
      }
      return;
    }
    const model::Node& node = nodes[v];
    std::string what = node.kind == NodeKind::kScopeEnter ? "stage" : model::to_string(node.kind);
    bool unnamed = node.name.find('#') != std::string::npos;
    diagnostics_.error(node.range.valid() ? node.range : decl_.name.range,
                       unnamed ? fmt::format("this {} step can never be reached", what)
                               : fmt::format("{} '{}' can never be reached", what, node.name));
  };
  if (!out_->starts.empty()) {
    for (std::size_t v = 0; v < n; ++v) {
      if (!reachable[v] && preds[v].empty() && nodes[v].kind != NodeKind::kStart) report(v);
    }
  }

  // Must-have-happened analysis: in[v] holds the nodes that have certainly been passed whenever
  // v is reached. Joins of parallel branches take the union (all branches finished); every
  // other merge the intersection.
  std::vector<std::vector<bool>> in(n + 1, std::vector<bool>(n, true)), out(n + 1, std::vector<bool>(n, true));
  in[root].assign(n, false);
  out[root].assign(n, false);
  bool changed = true;
  while (changed) {
    changed = false;
    for (std::size_t v = 0; v < n; ++v) {
      if (preds[v].empty()) continue;
      bool join = nodes[v].kind == NodeKind::kParallelJoin;
      std::vector<bool> next_in(n, !join);
      for (std::size_t p : preds[v]) {
        for (std::size_t i = 0; i < n; ++i) next_in[i] = join ? (next_in[i] || out[p][i]) : (next_in[i] && out[p][i]);
      }
      std::vector<bool> next_out = next_in;
      next_out[v] = true;
      if (next_in != in[v] || next_out != out[v]) {
        in[v] = std::move(next_in);
        out[v] = std::move(next_out);
        changed = true;
      }
    }
  }
  // A bound stage whose body finishes waits for its timer: the body must have set it by then.
  for (const auto& bound : bound_stages_) {
    const model::Scope& stage = out_->scopes[bound.scope];
    for (std::size_t p : preds[stage.exit]) {
      if (p == root || !reachable[p] || nodes[p].scope != bound.scope || out[p][bound.timer]) continue;
      diagnostics_.error(bound.range, fmt::format("stage '{}' runs until '{}', but '{}' is not always set when the "
                                                  "stage's steps are done: set it before the stage or inside it",
                                                  stage.name, stage.until, stage.until));
      break;
    }
  }
  for (const auto& use : uses_) {
    if (use.reference.node == kNoNode || use.user == kNoNode || !reachable[use.user]) continue;
    if (in[use.user][use.reference.node]) continue;
    const model::Node& user = nodes[use.user];
    if (use.deadline) {
      diagnostics_.error(use.reference.range,
                         fmt::format("the deadline of {} '{}' can never be computed on every path: it needs '{}', "
                                     "which is not always reached before '{}'",
                                     model::to_string(user.kind), user.name, use.reference.name, user.name));
    } else {
      diagnostics_.error(use.reference.range,
                         fmt::format("'{}' is not always reached before {} '{}', so its time and outputs may "
                                     "not exist yet", use.reference.name, model::to_string(user.kind), user.name));
    }
  }
}

}  // namespace termijn::checker
