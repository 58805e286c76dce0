// Lowering a task: its role, its deadline (`within` or `due`) and its escalation ladder.
#include "engine/checker/internal/process_compiler.h"

#include <fmt/format.h>

#include "engine/base/language.h"

namespace termijn::checker {

void ProcessCompiler::lower_task(const StepSite& site) {
  const ast::Step& step = site.step;
  const auto& task = step.as<ast::TaskStep>();
  NodeId id = site.nodes.entry;
  link(id, site.next);
  model::Node& node_ref = node(site.nodes);
  std::vector<Reference> refs;
  node_ref.title = task.title.value_or("");
  node_ref.cite = task.cite.value_or("");
  if (task.role) {
    check_role(*task.role);
    node_ref.role = task.role->name;
  } else {
    diagnostics_.error(step.name.range, tr("task '{}' has no role: add 'by <role>'", step.name.name));
  }
  node_ref.outputs = symbols_.steps.count(step.name.name) != 0 ? symbols_.steps.at(step.name.name).outputs
                                                               : std::vector<model::Field>{};
  if (task.instrument) {
    std::vector<std::string> names;
    for (const auto& i : out_->instruments) names.push_back(i.name);
    if (out_->find_instrument(task.instrument->name) == nullptr) {
      diagnostics_.error(task.instrument->range, tr("unknown instrument '{}'{}", task.instrument->name,
                                                    did_you_mean(task.instrument->name, names)));
    }
    node_ref.instrument = task.instrument->name;
  }
  if (task.within && task.due) {
    diagnostics_.error(task.due->range, tr("task '{}' has both 'within' and 'due'; give one", step.name.name));
  }
  // Take the node by index from here on: checking expressions never adds nodes, but be explicit.
  if (task.within) {
    model::Expr within = expressions_.expect_duration(*task.within, "'within'", loop_, refs);
    out_->nodes[id].within = std::move(within);
  } else if (task.due) {
    model::Expr due = expressions_.expect(*task.due, model::Type::of(TK::kDateTime), "'due'", loop_, refs);
    out_->nodes[id].due = std::move(due);
  } else {
    diagnostics_.error(step.name.range, tr("task '{}' has no deadline: add 'within <duration>' or "
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
      model::Expr offset = expressions_.expect_duration(*rung.offset, tr("an escalation's offset"), loop_, rung_refs);
      record(id, rung_refs, true);
      if (!offset.type.is_error() && offset.kind != model::Expr::Kind::kDuration &&
          offset.kind != model::Expr::Kind::kTerm) {
        diagnostics_.error(rung.offset->range, tr("an escalation's offset is a fixed duration or a legal term"));
      } else {
        r.offset = rung.when == ast::Rung::When::kBeforeDue ? negate(offset.duration) : offset.duration;
      }
    }
    // Months have no fixed length; ordering compares days+minutes within one kind, the common case.
    std::int64_t key = r.offset.months * 31 * 24 * 60 + r.offset.days * 24 * 60 + r.offset.minutes;
    if (previous && previous->first == r.offset.kind && key <= previous->second) {
      diagnostics_.error(rung.range, tr("escalation rungs go in time order: this one would fire before (or with) "
                                        "the one above it"));
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
          if (action.level < 1) diagnostics_.error(action.range, tr("an escalation level starts at 1"));
          r.raise_level = action.level;
          break;
      }
    }
    out_->nodes[id].escalation.push_back(std::move(r));
  }
}

}  // namespace termijn::checker
