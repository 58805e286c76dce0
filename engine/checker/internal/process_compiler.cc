#include "engine/checker/internal/process_compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

#include "engine/base/language.h"
#include "engine/base/limits.h"
#include "engine/base/sha256.h"

namespace termijn::checker {

model::Origin ProcessCompiler::origin_of(ast::Origin origin) {
  switch (origin) {
    case ast::Origin::kOwn: return model::Origin::kOwn;
    case ast::Origin::kInherited: return model::Origin::kInherited;
    case ast::Origin::kOverridden: return model::Origin::kOverridden;
    case ast::Origin::kAdded: return model::Origin::kAdded;
  }
  return model::Origin::kOwn;
}

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
  symbols_.removed = resolved_.removed_by;

  if (decl_.version && *decl_.version < 1) {
    diagnostics_.error(decl_.name.range, tr("version of process '{}' must be 1 or more", decl_.name.name));
  }
  declare_members();
  declare_block(decl_.steps);
  for (const auto& start : decl_.starts) {
    if (start.then) declare_block(start.then->block);
  }

  BlockContext root{&decl_.steps, nullptr, nullptr, 0, kNoNode, true};
  main_entry_ = lower_block(decl_.steps, root);
  lower_starts();
  if (out_->nodes.size() > limits::kStepsPerProcess) {
    diagnostics_.error(decl_.name.range,
                       tr("process '{}' has {} steps once its stages, branches and starts are counted; at most {} "
                          "are checked (limit: steps per process); split it into processes that call each other",
                          decl_.name.name, out_->nodes.size(), limits::kStepsPerProcess));
    return nullptr;
  }
  check_flow();

  for (const auto& [qualified, term] : symbols_.terms) {
    if (symbols_.used_terms.count(qualified) != 0) out_->terms.push_back(term);
  }
  // A process whose variant operations failed is not compiled into the model, like one whose own
  // steps have errors.
  if (resolved_.parent_has_errors || resolved_.has_errors || diagnostics_.error_count() > errors_before_) return nullptr;
  model::index_outputs(*out_);
  out_->hash = sha256_hex(model::canonical_form(*out_));
  return out_;
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
        const auto& task = step.as<ast::TaskStep>();
        std::set<std::string> seen;
        if (task.instrument) {
          symbol.outputs = instrument_outputs(task.instrument->name, task.instrument->range);
          for (const auto& f : symbol.outputs) seen.insert(f.name);
        }
        for (const auto& output : task.outputs) {
          if (!seen.insert(output.name.name).second) {
            diagnostics_.error(output.name.range, tr("output '{}' is declared twice{}", output.name.name,
                                                     task.instrument ? tr(" (or is part of the instrument)") : ""));
            continue;
          }
          symbol.outputs.push_back(model::Field{output.name.name, resolve_type(output.type), output.range});
        }
      }
      auto [it, inserted] = symbols_.steps.emplace(step.name.name, symbol);
      if (!inserted) {
        diagnostics_.error(step.name.range, tr("step '{}' is declared twice", step.name.name),
                           {note(it->second.range, tr("the first declaration is here"))});
      } else if (symbols_.fields.count(step.name.name) != 0) {
        diagnostics_.error(step.name.range,
                           tr("'{}' is already the name of a case field; give the step another name",
                              step.name.name));
      }
    }
    for (const ast::Block* child : ast::child_blocks(step)) declare_block(*child);
  }
}

// ---- lowering: the block structure; each kind of step in its family's file (lower_*.cc) -------------

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
    diagnostics_.error(target.range, tr("jumps to '{}' go round in a circle without doing anything", target.name));
    return kNoNode;
  }
  const char* crossed = nullptr;
  for (const BlockContext* c = &ctx; c != nullptr; c = c->parent) {
    for (const auto& step : *c->block) {
      if (step.name.name != target.name) continue;
      if (crossed != nullptr) {
        diagnostics_.error(target.range, tr("cannot jump from inside {} to '{}': each branch must run "
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
    diagnostics_.error(target.range, tr("cannot jump into the middle of another block to '{}'; a jump "
                                        "goes to a step in the same block or an enclosing one",
                                        target.name),
                       {note(symbols_.steps.at(target.name).range, tr("the step is here"))});
    return kNoNode;
  }
  if (auto removed = symbols_.removed.find(target.name); removed != symbols_.removed.end()) {
    diagnostics_.error(target.range, tr("step '{}' was removed by process '{}', but a step still goes to it; "
                                        "remove or override that step too", target.name, removed->second));
    return kNoNode;
  }
  std::vector<std::string> names;
  for (const auto& [name, _] : symbols_.steps) names.push_back(name);
  diagnostics_.error(target.range, tr("unknown step '{}'{}", target.name, did_you_mean(target.name, names)));
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
  StepSite site{step, ctx, step_nodes_.at(&step), next};
  node(site.nodes).scope = ctx.scope;
  switch (step.kind) {
    case SK::kTask: lower_task(site); break;
    case SK::kMilestone: lower_milestone(site); break;
    case SK::kDecide: lower_decision(site); break;
    case SK::kTimer: lower_timer(site); break;
    case SK::kWaitUntil: lower_wait_until(site); break;
    case SK::kWaitFor: lower_wait_for(site); break;
    case SK::kParallel: lower_parallel(site); break;
    case SK::kForEach: lower_for_each(site); break;
    case SK::kCall: lower_call(site); break;
    case SK::kRequire: lower_require(site); break;
    case SK::kNotify: lower_notify(site); break;
    case SK::kSignal: lower_signal(site); break;
    case SK::kSet: lower_set(site); break;
    case SK::kEnd: node(site.nodes).message = step.as<ast::EndStep>().reason.value_or(""); break;
    case SK::kStage: lower_stage(site); break;
    case SK::kGoto:
    case SK::kHandler:
    case SK::kHandOn:
      break;  // lowered with their block (lower_block), not as steps of the flow
  }
}

model::Node& ProcessCompiler::node(const StepNodes& nodes) { return out_->nodes[nodes.entry]; }

void ProcessCompiler::link(NodeId from, NodeId to, std::string label) {
  if (from != kNoNode && to != kNoNode) out_->nodes[from].next.push_back(model::Edge{to, std::nullopt, std::move(label)});
}

}  // namespace termijn::checker
