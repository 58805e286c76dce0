// Lowering time: timers, waits, and the end of a stage bound to a term (`when t passes`, `hand on`).
#include "engine/checker/internal/process_compiler.h"

#include <fmt/format.h>

#include <functional>

#include "engine/base/language.h"

namespace termijn::checker {

void ProcessCompiler::lower_timer(const StepSite& site) {
  const auto& [step, ctx, nodes, next] = site;
  std::vector<Reference> refs;
  model::Expr at = expressions_.expect(step.as<ast::TimerStep>().at, model::Type::of(TK::kDateTime),
                                       tr("the moment timer '{}' goes off", step.name.name), loop_, refs);
  record(nodes.entry, refs, true);
  node(nodes).expr = std::move(at);
  node(nodes).target = step.name.name;
  link(nodes.entry, next);
}

void ProcessCompiler::lower_wait_until(const StepSite& site) {
  const auto& [step, ctx, nodes, next] = site;
  std::vector<Reference> refs;
  node(nodes).expr = expressions_.expect(step.as<ast::WaitUntilStep>().at, model::Type::of(TK::kDateTime),
                                         "the moment to wait until", loop_, refs);
  record(nodes.entry, refs, false);
  link(nodes.entry, next);
}

void ProcessCompiler::lower_wait_for(const StepSite& site) {
  const auto& [step, ctx, nodes, next] = site;
  const auto& w = step.as<ast::WaitForStep>();
  check_event(w.event, true);
  node(nodes).target = w.event.name;
  link(nodes.entry, next);
}

// `when t passes { ... }` in `stage x until t`: runs in the enclosing scope once the term ended the
// stage, then the flow goes on after the stage.
void ProcessCompiler::lower_term_passes(const ast::Step& step, const BlockContext& ctx) {
  const auto& h = step.as<ast::HandlerStep>();
  model::Scope& scope = out_->scopes[ctx.scope];
  if (ctx.scope == 0 || scope.until != h.event.name) {
    diagnostics_.error(h.event.range,
                       ctx.scope == 0 || scope.until.empty()
                           ? tr("'when {} passes' belongs in a stage bound to that timer: 'stage <name> until {} "
                                         "{{ ... }}'", h.event.name, h.event.name)
                           : tr("stage '{}' runs until '{}', not '{}'", scope.name, scope.until, h.event.name));
    silence(h.then.block);
    return;
  }
  if (scope.on_end != kNoNode) {
    diagnostics_.error(step.keyword, tr("stage '{}' already says what happens when '{}' passes", scope.name,
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
    diagnostics_.error(step.keyword, tr("'hand on' says which open work outlives a stage's term: put it directly "
                                        "inside 'when <timer> passes { ... }'"));
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
    diagnostics_.error(h.task.range, tr("stage '{}' has no task '{}' to hand on", scope.name, h.task.name));
    return;
  }
  NodeId task = symbols_.steps.at(h.task.name).node;
  for (const auto& other : scope.handed_on) {
    if (other.task == task) {
      diagnostics_.error(h.task.range, tr("'{}' is already handed on", h.task.name));
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

}  // namespace termijn::checker
