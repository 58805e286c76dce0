// Lowering what comes from outside or goes out: starts, handlers, signals, notifications, requirements.
#include "engine/checker/internal/process_compiler.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/base/language.h"

namespace termijn::checker {

void ProcessCompiler::lower_starts() {
  std::map<std::string, const ast::StartRoute*> seen;
  for (const auto& start : decl_.starts) {
    bool known = check_event(start.event, false);
    if (auto [it, inserted] = seen.emplace(start.event.name, &start); !inserted) {
      diagnostics_.error(start.event.range, tr("the process already starts on '{}'", start.event.name),
                         {note(it->second->range, tr("the first start is here"))});
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

void ProcessCompiler::lower_handler(const ast::Step& step, const BlockContext& ctx) {
  const auto& h = step.as<ast::HandlerStep>();
  if (!ctx.handlers_allowed) {
    diagnostics_.error(step.keyword, tr("'on' listens for a whole stage or process: put it directly inside a "
                                        "'stage' or the process"));
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
      diagnostics_.error(h.event.range, tr("'{}' already has a handler here", h.event.name),
                         {note(other.range, tr("the first handler is here"))});
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

void ProcessCompiler::lower_signal(const StepSite& site) {
  const auto& [step, ctx, nodes, next] = site;
  const auto& s = step.as<ast::SignalStep>();
  check_event(s.event, false);
  node(nodes).target = s.event.name;
  link(nodes.entry, next);
}

void ProcessCompiler::lower_notify(const StepSite& site) {
  const auto& [step, ctx, nodes, next] = site;
  const auto& n = step.as<ast::NotifyStep>();
  std::vector<Reference> refs;
  for (const auto& recipient : n.roles) {
    const auto& roles = symbols_.roles;
    bool is_role = std::find(roles.begin(), roles.end(), recipient.name) != roles.end();
    bool is_value = symbols_.fields.count(recipient.name) != 0 ||
                    std::any_of(loop_.begin(), loop_.end(), [&](const LoopVariable& v) { return v.name == recipient.name; });
    if (is_role || !is_value) {
      check_role(recipient);
      node(nodes).roles.push_back(recipient.name);
      continue;
    }
    // The persons a case field or a `for each` element holds: the household, as well as roles.
    ast::Expr name;
    name.kind = ast::Expr::Kind::kName;
    name.text = recipient.name;
    name.range = name.text_range = recipient.range;
    model::Expr persons = expressions_.check(name, loop_, refs);
    const model::Type& type = persons.type;
    if (!type.is_error() && type.kind != TK::kPerson && !(type.kind == TK::kList && type.element == TK::kPerson)) {
      diagnostics_.error(recipient.range, tr("'notify' tells roles or persons; '{}' is {}", recipient.name,
                                             model::to_string(type)));
    }
    node(nodes).persons.push_back(std::move(persons));
  }
  record(nodes.entry, refs, false);
  node(nodes).message = n.message;
  link(nodes.entry, next);
}

void ProcessCompiler::lower_require(const StepSite& site) {
  const auto& [step, ctx, nodes, next] = site;
  std::vector<Reference> refs;
  const auto& r = step.as<ast::RequireStep>();
  node(nodes).expr = expressions_.expect(r.condition, model::Type::of(TK::kBool), tr("a requirement"), loop_, refs);
  record(nodes.entry, refs, false);
  if (r.reason.empty()) {
    diagnostics_.error(step.keyword, tr("a requirement needs a reason to give when it refuses: require <condition> "
                                        "else \"<reason>\""));
  }
  node(nodes).message = r.reason;
  if (r.escalate_to) {
    check_role(*r.escalate_to);
    node(nodes).escalate_to = r.escalate_to->name;
  }
  link(nodes.entry, next);
}

}  // namespace termijn::checker
