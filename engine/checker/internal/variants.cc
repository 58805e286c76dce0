#include "engine/checker/internal/variants.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

#include "engine/base/language.h"
#include "engine/base/limits.h"

namespace termijn::checker {

namespace {

// The names of the steps nested in `step`, at any depth (not its own).
void nested_names(const ast::Step& step, std::set<std::string>& out) {
  for (const ast::Block* block : ast::child_blocks(step)) {
    for (const ast::Step& nested : *block) {
      if (!nested.name.name.empty()) out.insert(nested.name.name);
      nested_names(nested, out);
    }
  }
}

void mark(ast::Block& block, ast::Origin origin) {
  for (auto& step : block) {
    step.origin = origin;
    for (ast::Block* child : ast::child_blocks(step)) mark(*child, origin);
  }
}

void mark_starts(std::vector<ast::StartRoute>& starts, ast::Origin origin) {
  for (auto& start : starts) {
    if (start.then) mark(start.then->block, origin);
  }
}

std::optional<StepLocation> find_in(ast::Block& block, const std::string& name) {
  for (std::size_t i = 0; i < block.size(); ++i) {
    if (block[i].name.name == name) return StepLocation{&block, i};
    for (ast::Block* child : ast::child_blocks(block[i])) {
      if (auto found = find_in(*child, name)) return found;
    }
  }
  return std::nullopt;
}

void collect_names(const ast::Block& block, std::vector<std::string>& out) {
  for (const auto& step : block) {
    if (!step.name.name.empty()) out.push_back(step.name.name);
    for (const ast::Block* child : ast::child_blocks(step)) collect_names(*child, out);
  }
}

// Appends `extra` to `base`, skipping names `base` already has (a variant may repeat them).
template <typename T, typename NameOf>
void union_by_name(std::vector<T>& base, const std::vector<T>& extra, NameOf name_of) {
  for (const auto& item : extra) {
    bool present = std::any_of(base.begin(), base.end(),
                               [&](const T& b) { return name_of(b) == name_of(item); });
    if (!present) base.push_back(item);
  }
}

bool same_type(const ast::TypeRef& a, const ast::TypeRef& b) {
  if (a.is_enum != b.is_enum || a.name.name != b.name.name || a.args.size() != b.args.size() ||
      a.enum_members.size() != b.enum_members.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.args.size(); ++i) {
    if (!same_type(a.args[i], b.args[i])) return false;
  }
  for (std::size_t i = 0; i < a.enum_members.size(); ++i) {
    if (a.enum_members[i].name != b.enum_members[i].name) return false;
  }
  return true;
}

}  // namespace

std::optional<StepLocation> find_step(ast::ProcessDecl& decl, const std::string& name) {
  if (auto found = find_in(decl.steps, name)) return found;
  for (auto& start : decl.starts) {
    if (start.then) {
      if (auto found = find_in(start.then->block, name)) return found;
    }
  }
  return std::nullopt;
}

std::vector<std::string> step_names(const ast::ProcessDecl& decl) {
  std::vector<std::string> out;
  collect_names(decl.steps, out);
  for (const auto& start : decl.starts) {
    if (start.then) collect_names(start.then->block, out);
  }
  return out;
}

const ResolvedProcess& VariantResolver::resolve(const ast::ProcessDecl& decl) {
  if (auto it = resolved_.find(&decl); it != resolved_.end()) return *it->second;

  auto result = std::make_unique<ResolvedProcess>();
  ResolvedProcess& out = *result;
  const int errors_before = diagnostics_.error_count();
  out.own = &decl;
  out.file = declarations_.file_of(&decl);
  out.decl = decl;

  if (!decl.parent) {
    for (const auto& o : decl.overrides) {
      diagnostics_.error(o.keyword, tr("'override' needs a parent process, but '{}' extends none",
                                       decl.name.name));
    }
    for (const auto& r : decl.removals) {
      diagnostics_.error(r.range, tr("'remove' needs a parent process, but '{}' extends none",
                                     decl.name.name));
    }
    for (const auto& a : decl.additions) {
      diagnostics_.error(a.range, tr("'add' needs a parent process, but '{}' extends none",
                                     decl.name.name));
    }
    out.has_errors = diagnostics_.error_count() > errors_before;
    return *(resolved_[&decl] = std::move(result));
  }

  in_progress_.push_back(&decl);
  const ast::ProcessDecl* parent = nullptr;
  auto too_deep = [&] {
    diagnostics_.error(decl.parent->range, tr("process '{}' ends a chain of more than {} processes that extend each "
                                              "other, which is not checked (limit: extends depth)",
                                              decl.name.name, limits::kExtendsDepth));
    out.parent_has_errors = true;
  };
  if (in_progress_.size() > limits::kExtendsDepth) {
    too_deep();  // resolving the chain from its far end: each link waits for the next
  } else if (parent = declarations_.process(*decl.parent, out.file, diagnostics_); parent == nullptr) {
    out.parent_has_errors = true;
  } else if (std::find(in_progress_.begin(), in_progress_.end(), parent) != in_progress_.end()) {
    std::vector<std::string> chain;
    auto start = std::find(in_progress_.begin(), in_progress_.end(), parent);
    for (auto it = start; it != in_progress_.end(); ++it) chain.push_back((*it)->name.name);
    chain.push_back(parent->name.name);
    diagnostics_.error(decl.parent->range, tr("process '{}' extends itself: {}", decl.name.name,
                                              fmt::join(chain, " -> ")));
    out.parent_has_errors = true;
  } else {
    const ResolvedProcess& resolved_parent = resolve(*parent);
    out.depth = resolved_parent.depth + 1;
    if (out.depth > limits::kExtendsDepth) {
      too_deep();
    } else {
      out.parent = parent;
      out.parent_has_errors = resolved_parent.parent_has_errors || resolved_parent.has_errors;
      merge(out, resolved_parent);
    }
  }
  in_progress_.pop_back();
  out.has_errors = diagnostics_.error_count() > errors_before;
  return *(resolved_[&decl] = std::move(result));
}

void VariantResolver::merge(ResolvedProcess& out, const ResolvedProcess& parent) {
  const ast::ProcessDecl& own = *out.own;
  ast::ProcessDecl merged = parent.decl;
  mark(merged.steps, ast::Origin::kInherited);
  mark_starts(merged.starts, ast::Origin::kInherited);

  merged.name = own.name;
  merged.version = own.version;
  merged.parent = own.parent;
  merged.range = own.range;
  if (own.title) merged.title = own.title;
  if (own.calendar) merged.calendar = own.calendar;
  if (own.incident_role) merged.incident_role = own.incident_role;
  auto ident_name = [](const ast::Ident& i) { return i.name; };
  union_by_name(merged.roles, own.roles, ident_name);
  union_by_name(merged.events, own.events, ident_name);
  // A variant that names an event's senders replaces the parent's list for that event.
  for (const auto& senders : own.event_senders) {
    std::erase_if(merged.event_senders, [&](const ast::EventSenders& s) { return s.event.name == senders.event.name; });
    merged.event_senders.push_back(senders);
  }
  // Likewise the fields an event may carry.
  for (const auto& fields : own.event_fields) {
    std::erase_if(merged.event_fields, [&](const ast::EventFields& f) { return f.event.name == fields.event.name; });
    merged.event_fields.push_back(fields);
  }
  // A variant adds case fields and person attributes; it cannot retype the parent's.
  auto add_fields = [&](std::vector<ast::FieldDecl>& into, const std::vector<ast::FieldDecl>& added, const char* what) {
    for (const auto& field : added) {
      auto same = std::find_if(into.begin(), into.end(),
                               [&](const ast::FieldDecl& f) { return f.name.name == field.name.name; });
      if (same == into.end()) {
        into.push_back(field);
      } else if (!same_type(same->type, field.type)) {
        diagnostics_.error(field.type.range,
                           tr("{} '{}' already has a type in '{}'; a variant cannot change it", what,
                              field.name.name, parent.decl.name.name),
                           {note(same->type.range, tr("the parent's declaration is here"))});
      } else if (field.required && !same->required) {
        same->required = true;  // a variant may demand more at the start, never less
      }
    }
  };
  add_fields(merged.fields, own.fields, "case field");
  add_fields(merged.person_attributes, own.person_attributes, "person attribute");
  std::set<std::string> extended;
  for (const auto& instrument : own.instruments) {
    if (!extended.insert(instrument.name.name).second) {
      diagnostics_.error(instrument.name.range, tr("instrument '{}' is declared twice", instrument.name.name));
      continue;
    }
    extend_instrument(merged.instruments, instrument, parent.decl.name.name);
  }
  for (const auto& term : own.term_overrides) merged.term_overrides.push_back(term);
  for (auto start : own.starts) {
    if (start.then) mark(start.then->block, ast::Origin::kAdded);
    merged.starts.push_back(std::move(start));
  }
  merged.overrides.clear();
  merged.removals.clear();
  merged.additions.clear();
  out.decl = std::move(merged);
  out.removed = parent.removed;
  out.removed_by = parent.removed_by;

  for (const auto& removal : own.removals) apply_removal(out, removal);
  for (const auto& replacement : own.overrides) apply_override(out, replacement);
  for (const auto& addition : own.additions) apply_addition(out, addition);
  for (const auto& step : own.steps) {
    if (step.kind == ast::Step::Kind::kHandler) {
      ast::Step added = step;
      added.origin = ast::Origin::kAdded;
      for (ast::Block* child : ast::child_blocks(added)) mark(*child, ast::Origin::kAdded);
      out.decl.steps.push_back(std::move(added));
    } else {
      diagnostics_.error(step.keyword,
                         tr("a variant places new steps with 'add before <step> {{ ... }}' or "
                            "'add after <step> {{ ... }}'; where should this {} go?",
                            ast::kind_name(step.kind)));
    }
  }
}

void VariantResolver::apply_removal(ResolvedProcess& out, const ast::Removal& removal) {
  auto location = find_step(out.decl, removal.name.name);
  if (!location) {
    diagnostics_.error(removal.name.range,
                       tr("cannot remove '{}': '{}' has no step of that name{}", removal.name.name,
                          out.decl.parent->name, did_you_mean(removal.name.name, step_names(out.decl))));
    return;
  }
  // What is nested in the step goes with it: a kept step that uses any of them is told who removed it.
  std::set<std::string> gone{removal.name.name};
  nested_names(*location->step(), gone);
  for (const auto& name : gone) out.removed_by[name] = out.own->name.name;
  location->block->erase(location->block->begin() + static_cast<std::ptrdiff_t>(location->index));
  out.removed.push_back(removal.name.name);
}

namespace {

// The conditions a step and its inner steps guard with: each `require`, and each conjunct of a
// decision's `when` (so dropping `and now < einde` shows), as written.
void collect_guards(const ast::Step& step, std::vector<std::pair<std::string, SourceRange>>& out) {
  std::function<void(const ast::Expr&)> conjuncts = [&](const ast::Expr& e) {
    if (e.kind == ast::Expr::Kind::kBinary && e.op == BinaryOp::kAnd) {
      for (const auto& operand : e.operands) conjuncts(operand);
    } else {
      out.emplace_back(e.range.text(), e.range);
    }
  };
  if (step.kind == ast::Step::Kind::kRequire) conjuncts(step.as<ast::RequireStep>().condition);
  if (step.kind == ast::Step::Kind::kDecide) {
    for (const auto& w : step.as<ast::DecideStep>().whens) conjuncts(w.condition);
  }
  for (const ast::Block* child : ast::child_blocks(step)) {
    for (const auto& inner : *child) collect_guards(inner, out);
  }
}

std::string rung_timing(const ast::Rung& rung) {
  switch (rung.when) {
    case ast::Rung::When::kAtDue: return "at due";
    case ast::Rung::When::kBeforeDue: return (rung.offset ? rung.offset->range.text() : "") + " before due";
    case ast::Rung::When::kAfterDue: return (rung.offset ? rung.offset->range.text() : "") + " after due";
  }
  return "";
}

}  // namespace

// An override replaces what it says. What it silently loses of the parent's step (an escalation
// rung, a guard or a condition) is named in a warning: a variant should not weaken its parent
// by accident.
void VariantResolver::warn_dropped(const ast::Step& parent, const ast::Step& replacement) {
  const std::string& name = replacement.name.name;
  if (parent.kind == ast::Step::Kind::kTask) {
    const auto& patch = replacement.as<ast::TaskStep>();
    if (!patch.has_escalation) return;
    for (const auto& rung : parent.as<ast::TaskStep>().escalation) {
      std::string timing = rung_timing(rung);
      bool kept = std::any_of(patch.escalation.begin(), patch.escalation.end(),
                              [&](const ast::Rung& r) { return rung_timing(r) == timing; });
      if (!kept) {
        diagnostics_.warning(replacement.keyword, tr("this override of task '{}' drops the parent's "
                                                     "escalation rung '{}'", name, rung.range.text()),
                             {note(rung.range, tr("the parent's rung is here"))});
      }
    }
    return;
  }
  std::vector<std::pair<std::string, SourceRange>> before, after;
  collect_guards(parent, before);
  collect_guards(replacement, after);
  for (const auto& [text, range] : before) {
    bool kept = std::any_of(after.begin(), after.end(), [&](const auto& g) { return g.first == text; });
    if (!kept) {
      diagnostics_.warning(replacement.keyword, tr("this override of '{}' drops the parent's condition "
                                                   "'{}'", name, text),
                           {note(range, tr("the parent's condition is here"))});
    }
  }
}

void VariantResolver::apply_override(ResolvedProcess& out, const ast::Step& replacement) {
  if (replacement.name.name.empty()) {
    diagnostics_.error(replacement.keyword, tr("an override names the step it replaces; this step has no name"));
    return;
  }
  auto location = find_step(out.decl, replacement.name.name);
  if (!location) {
    diagnostics_.error(replacement.name.range,
                       tr("cannot override '{}': '{}' has no step of that name{}",
                          replacement.name.name, out.decl.parent->name,
                          did_you_mean(replacement.name.name, step_names(out.decl))));
    return;
  }
  ast::Step& target = *location->step();
  if (target.kind != replacement.kind) {
    diagnostics_.error(replacement.keyword,
                       tr("cannot override {} '{}' with a {}; remove it and add the new step instead",
                          ast::kind_name(target.kind), target.name.name, ast::kind_name(replacement.kind)),
                       {note(target.keyword, tr("the parent's step is here"))});
    return;
  }
  warn_dropped(target, replacement);
  if (target.kind != ast::Step::Kind::kTask) {
    // The parent's steps nested in it that the replacement does not have are removed with it.
    std::set<std::string> before, after;
    nested_names(target, before);
    nested_names(replacement, after);
    for (const auto& name : before) {
      if (after.count(name) == 0) out.removed_by[name] = out.own->name.name;
    }
    target = replacement;
  } else {
    // A task override changes only what it says: `override task rihg within 4 hours` keeps the
    // role, outputs and ladder of the parent's rihg.
    auto& base = target.as<ast::TaskStep>();
    const auto& patch = replacement.as<ast::TaskStep>();
    if (patch.title) base.title = patch.title;
    if (patch.role) base.role = patch.role;
    if (patch.within || patch.due) {
      base.within = patch.within;
      base.due = patch.due;
    }
    for (const auto& output : patch.outputs) {
      auto same = std::find_if(base.outputs.begin(), base.outputs.end(),
                               [&](const ast::FieldDecl& f) { return f.name.name == output.name.name; });
      if (same == base.outputs.end()) {
        base.outputs.push_back(output);
      } else {
        *same = output;
      }
    }
    if (patch.has_escalation) {
      base.has_escalation = true;
      base.escalation = patch.escalation;
    }
    if (patch.cite) base.cite = patch.cite;
    target.range = replacement.range;
    target.keyword = replacement.keyword;
    target.name = replacement.name;
  }
  target.origin = ast::Origin::kOverridden;
  for (ast::Block* child : ast::child_blocks(target)) mark(*child, ast::Origin::kOverridden);
}

namespace {

// Whether steps hold the flow up: a task, a wait, a call or a guard takes time (people, the clock).
bool takes_time(const ast::Block& block) {
  for (const auto& step : block) {
    switch (step.kind) {
      case ast::Step::Kind::kTask:
      case ast::Step::Kind::kWaitUntil:
      case ast::Step::Kind::kWaitFor:
      case ast::Step::Kind::kCall:
      case ast::Step::Kind::kRequire: return true;
      case ast::Step::Kind::kHandler: continue;  // listens beside the flow
      default: break;
    }
    for (const ast::Block* child : ast::child_blocks(step)) {
      if (takes_time(*child)) return true;
    }
  }
  return false;
}

// The `parallel` step that has a branch named `branch`, anywhere in `block`.
ast::ParallelStep* find_parallel_with(ast::Block& block, const std::string& branch) {
  for (auto& step : block) {
    if (step.kind == ast::Step::Kind::kParallel) {
      auto& parallel = step.as<ast::ParallelStep>();
      for (const auto& b : parallel.branches) {
        if (b.name.name == branch) return &parallel;
      }
    }
    for (ast::Block* child : ast::child_blocks(step)) {
      if (auto* found = find_parallel_with(*child, branch)) return found;
    }
  }
  return nullptr;
}

}  // namespace

void VariantResolver::apply_addition(ResolvedProcess& out, const ast::Addition& addition) {
  ast::Block steps = addition.steps;
  mark(steps, ast::Origin::kAdded);
  if (addition.where == ast::Addition::Where::kBranch) {
    ast::ParallelStep* parallel = find_parallel_with(out.decl.steps, addition.anchor.name);
    if (parallel == nullptr) {
      diagnostics_.error(addition.anchor.range, tr("cannot add a branch beside '{}': '{}' has no parallel "
                                                   "branch of that name", addition.anchor.name,
                                                   out.decl.parent->name));
      return;
    }
    for (const auto& b : parallel->branches) {
      if (b.name.name == addition.branch.name) {
        diagnostics_.error(addition.branch.range, tr("the parallel already has a branch '{}'",
                                                     addition.branch.name),
                           {note(b.name.range, tr("that branch is here"))});
        return;
      }
    }
    parallel->branches.push_back(ast::ParallelBranch{addition.branch, std::move(steps), addition.range});
    return;
  }
  auto location = find_step(out.decl, addition.anchor.name);
  if (!location) {
    diagnostics_.error(addition.anchor.range,
                       tr("cannot add {} '{}': '{}' has no step of that name{}", to_string(addition.where),
                          addition.anchor.name, out.decl.parent->name,
                          did_you_mean(addition.anchor.name, step_names(out.decl))));
    return;
  }
  ast::Block& block = *location->block;
  std::size_t index = location->index;
  if (addition.where == ast::Addition::Where::kBeside) {
    // The inherited step and the new work become two branches of a new parallel: both start at
    // once, and what followed the step waits only for the step; the new work ends on its own.
    ast::Step anchor = block[index];
    ast::Step parallel;
    parallel.kind = ast::Step::Kind::kParallel;
    parallel.range = addition.range;
    parallel.keyword = addition.anchor.range;
    parallel.origin = ast::Origin::kAdded;
    ast::ParallelStep body;
    body.branches.push_back(ast::ParallelBranch{addition.anchor, ast::Block{std::move(anchor)}, addition.range});
    body.branches.push_back(ast::ParallelBranch{ast::Ident{"beside_" + addition.anchor.name, addition.anchor.range},
                                                std::move(steps), addition.range, /*detached=*/true});
    parallel.body = std::move(body);
    block[index] = std::move(parallel);
    return;
  }
  // Added in sequence: what comes after now waits for it. Worth a warning when that is
  // inherited work: a variant should add alongside, not hold up its parent by accident.
  bool before = addition.where == ast::Addition::Where::kBefore;
  std::size_t waiting = before ? index : index + 1;
  // Only for work as inherited: a step the variant overrides is one it has taken in hand, and
  // holding it up is then its stated choice (Rotterdam's RiHG after the screening).
  if (waiting < block.size() && block[waiting].origin == ast::Origin::kInherited && takes_time(steps)) {
    const ast::Step& held = block[waiting];
    std::string what = held.name.name.empty() ? std::string(ast::kind_name(held.kind))
                                              : fmt::format("'{}'", held.name.name);
    diagnostics_.warning(addition.range,
                         tr("the work added {} '{}' holds up the inherited {} until it is done; to run it "
                            "alongside, write 'add beside {} {{ ... }}'", to_string(addition.where),
                            addition.anchor.name, what, addition.anchor.name),
                         {note(held.keyword, tr("the inherited step that now waits"))});
  }
  block.insert(block.begin() + static_cast<std::ptrdiff_t>(waiting), steps.begin(), steps.end());
}

// `instrument rihg { part ... }` in a variant adds to the parent's instrument of that name (the
// 2024 signals): items join their part or come as a new part; `rules` replace the parent's.
// Its scale and outcomes are the parent's: answers and outcomes must keep their meaning.
void VariantResolver::extend_instrument(std::vector<ast::InstrumentDecl>& into, const ast::InstrumentDecl& own,
                                        const std::string& parent) {
  auto base = std::find_if(into.begin(), into.end(), [&](const ast::InstrumentDecl& i) { return i.name.name == own.name.name; });
  if (base == into.end()) {
    into.push_back(own);
    return;
  }
  auto same_names = [](const std::vector<ast::Ident>& a, const std::vector<ast::Ident>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const ast::Ident& x, const ast::Ident& y) { return x.name == y.name; });
  };
  if ((!own.scale.empty() && !same_names(own.scale, base->scale)) ||
      (!own.outcomes.empty() && !same_names(own.outcomes, base->outcomes))) {
    diagnostics_.error(own.name.range, tr("instrument '{}' of '{}' keeps its scale and outcomes in a variant; "
                                          "add items and rules, or declare an instrument of another name",
                                          own.name.name, parent),
                       {note(base->range, tr("the parent's instrument is here"))});
  }
  for (const auto& part : own.parts) {
    auto same = std::find_if(base->parts.begin(), base->parts.end(),
                             [&](const ast::InstrumentSection& p) { return p.name.name == part.name.name; });
    if (same == base->parts.end()) {
      base->parts.push_back(part);
    } else {
      same->items.insert(same->items.end(), part.items.begin(), part.items.end());
      if (part.title) same->title = part.title;
    }
  }
  if (own.has_rules) {
    base->has_rules = true;
    base->rules = own.rules;
  }
  if (own.cite) base->cite = own.cite;
  if (own.title) base->title = own.title;
}

}  // namespace termijn::checker
