// Lowering the flow steps: milestones, decisions, parallel branches, for each, set, stages.
#include "engine/checker/internal/process_compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "engine/base/language.h"

namespace termijn::checker {

void ProcessCompiler::lower_milestone(const StepSite& site) {
  const auto& [step, ctx, nodes, next] = site;
  const auto& m = step.as<ast::MilestoneStep>();
  node(nodes).title = m.title.value_or("");
  link(nodes.entry, next);
}

void ProcessCompiler::lower_decision(const StepSite& site) {
  const auto& [step, ctx, nodes, next] = site;
  const auto& d = step.as<ast::DecideStep>();
  NodeId id = nodes.entry;
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
    diagnostics_.error(step.name.range, tr("decision '{}' has no way out: add 'when <condition> -> <step>' "
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
    if (missing.empty()) missing = tr(" (not covered: {} == {})", subject, fmt::join(left, ", "));
  }
  diagnostics_.error(step.name.range, tr("decision '{}' has no way out when none of its conditions "
                                         "holds{}: add 'otherwise'", step.name.name, missing));
}

void ProcessCompiler::lower_parallel(const StepSite& site) {
  const auto& [step, ctx, nodes, next] = site;
  const auto& p = step.as<ast::ParallelStep>();
  std::map<std::string, const ast::Ident*> seen;
  if (p.branches.size() < 2) {
    diagnostics_.error(step.keyword, tr("a parallel step needs at least two branches"));
  }
  for (const auto& branch : p.branches) {
    if (auto [it, inserted] = seen.emplace(branch.name.name, &branch.name); !inserted) {
      diagnostics_.error(branch.name.range, tr("branch '{}' is declared twice", branch.name.name));
    }
    // A detached branch (`add beside`) ends where its steps end; the join waits for the others.
    BlockContext inner{&branch.body, &ctx, tr("a parallel branch"), ctx.scope, branch.detached ? kNoNode : nodes.exit,
                       false};
    NodeId entry = lower_block(branch.body, inner);
    if (entry != kNoNode) out_->nodes[nodes.entry].next.push_back(model::Edge{entry, std::nullopt, branch.name.name,
                                                                              branch.detached});
  }
  out_->nodes[nodes.exit].scope = ctx.scope;
  link(nodes.exit, next);
}

void ProcessCompiler::lower_for_each(const StepSite& site) {
  const auto& [step, ctx, nodes, next] = site;
  std::vector<Reference> refs;
  const auto& f = step.as<ast::ForEachStep>();
  model::Expr list = expressions_.check(f.list, loop_, refs);
  record(nodes.entry, refs, false);
  model::Type element;
  if (!list.type.is_error() && list.type.kind != TK::kList) {
    diagnostics_.error(f.list.range, tr("'for each' needs a list, but this is {}", model::to_string(list.type)));
  } else if (!list.type.is_error()) {
    element = model::Type::of(list.type.element);
  }
  const std::string& var = f.variable.name;
  bool is_role = std::find(symbols_.roles.begin(), symbols_.roles.end(), var) != symbols_.roles.end();
  if (symbols_.fields.count(var) != 0 || symbols_.steps.count(var) != 0 || is_role) {
    diagnostics_.error(f.variable.range, tr("'{}' is already a name in this process; choose another "
                                            "name for the element", var));
  }
  node(nodes).expr = std::move(list);
  node(nodes).target = var;
  loop_.push_back(LoopVariable{var, element});
  if (f.where) {
    std::vector<Reference> where_refs;
    node(nodes).filter = expressions_.expect(*f.where, model::Type::of(TK::kBool), "'where'", loop_, where_refs);
    record(nodes.entry, where_refs, false);
  }
  BlockContext inner{&f.body, &ctx, tr("a 'for each'"), ctx.scope, nodes.exit, false};
  link(nodes.entry, lower_block(f.body, inner), "each " + var);
  loop_.pop_back();
  link(nodes.entry, nodes.exit, "no elements");
  out_->nodes[nodes.exit].scope = ctx.scope;
  link(nodes.exit, next);
}

void ProcessCompiler::lower_set(const StepSite& site) {
  const auto& [step, ctx, nodes, next] = site;
  std::vector<Reference> refs;
  const auto& s = step.as<ast::SetStep>();
  node(nodes).target = s.target.name;
  bool is_timer = std::find(symbols_.timers.begin(), symbols_.timers.end(), s.target.name) != symbols_.timers.end();
  auto field = symbols_.fields.find(s.target.name);
  if (is_timer) {
    node(nodes).expr = expressions_.expect(s.value, model::Type::of(TK::kDateTime),
                                           tr("the new moment of timer '{}'", s.target.name), loop_, refs);
    record(nodes.entry, refs, true);
  } else if (field != symbols_.fields.end()) {
    node(nodes).expr = expressions_.expect(s.value, field->second.type, tr("case field '{}'", s.target.name),
                                           loop_, refs);
    record(nodes.entry, refs, false);
  } else {
    std::vector<std::string> names = symbols_.timers;
    for (const auto& [name, _] : symbols_.fields) names.push_back(name);
    std::string what = symbols_.steps.count(s.target.name) != 0
                           ? tr("'{}' is a {}", s.target.name, ast::kind_name(symbols_.steps.at(s.target.name).kind))
                           : tr("unknown timer or case field '{}'{}", s.target.name,
                                         did_you_mean(s.target.name, names));
    diagnostics_.error(s.target.range, tr("'set' changes a timer or a case field; {}", what));
  }
  link(nodes.entry, next);
}

void ProcessCompiler::lower_stage(const StepSite& site) {
  const auto& [step, ctx, nodes, next] = site;
  const auto& s = step.as<ast::StageStep>();
  int scope = static_cast<int>(out_->scopes.size());
  out_->scopes.push_back(model::Scope{scope, ctx.scope, step.name.name, nodes.entry, nodes.exit, {}, {}, kNoNode, {}});
  node(nodes).title = s.title.value_or("");
  if (s.until) {
    auto timer = symbols_.steps.find(s.until->name);
    if (timer == symbols_.steps.end() || timer->second.kind != SK::kTimer) {
      diagnostics_.error(s.until->range, tr("'until' binds the stage to a timer; '{}' is not one{}",
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

}  // namespace termijn::checker
