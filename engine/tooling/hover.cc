#include "engine/tooling/hover.h"

#include <fmt/format.h>

#include <functional>

#include "engine/base/language.h"

namespace termijn::tooling {

namespace {

// The `//` comment lines directly above `line`, without their slashes: what the author wrote
// about the declaration there.
std::string comment_above(const SourceRange& range) {
  if (!range.valid()) return "";
  std::vector<std::string> lines;
  for (int line = range.begin.line - 1; line >= 1 && lines.size() < 40; --line) {
    std::string_view text = range.file->line(line);
    auto start = text.find_first_not_of(" \t");
    if (start == std::string_view::npos || text.substr(start, 2) != "//") break;
    text.remove_prefix(start + 2);
    if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    lines.emplace_back(text);
  }
  std::string out;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) out += (out.empty() ? "" : " ") + *it;
  return out;
}

// The declaration as written, its first line only (a process or a stage is long).
std::string written(const Declaration& d) {
  if (!d.range.valid()) return d.name;
  std::string_view line = d.range.file->line(d.range.begin.line);
  auto start = line.find_first_not_of(" \t");
  return std::string(start == std::string_view::npos ? line : line.substr(start));
}

// Every legal term an expression uses, once each.
void terms_in(const model::Expr& e, std::vector<std::string>& out) {
  if (e.kind == model::Expr::Kind::kTerm && std::find(out.begin(), out.end(), e.text) == out.end()) out.push_back(e.text);
  for (const auto& operand : e.operands) terms_in(operand, out);
}

std::string term_values(const model::Expr& e, const model::Process& process) {
  std::vector<std::string> names;
  terms_in(e, names);
  std::string out;
  for (const auto& name : names) {
    const model::LegalTerm* term = process.find_term(name);
    if (term == nullptr) continue;
    out += fmt::format("{}{} = {}{}", out.empty() ? "" : "; ", name, to_string(term->value),
                       term->cite.empty() ? "" : fmt::format(", {}", term->cite));
  }
  return out.empty() ? "" : fmt::format(" ({})", out);
}

std::string rung_in_words(const model::EscalationRung& rung) {
  std::string when;
  if (rung.at_due) {
    when = tr("at the deadline");
  } else if (rung.offset.months < 0 || rung.offset.days < 0 || rung.offset.minutes < 0) {
    when = tr("{} before the deadline", to_string(negate(rung.offset)));
  } else {
    when = tr("{} after the deadline", to_string(rung.offset));
  }
  std::vector<std::string> acts;
  if (!rung.notify.empty()) acts.push_back(tr("notify {}", fmt::join(rung.notify, ", ")));
  if (rung.reassign_to) acts.push_back(tr("reassign to {}", *rung.reassign_to));
  if (rung.raise_level) acts.push_back(tr("raise to level {}", *rung.raise_level));
  std::string message = rung.message ? fmt::format(" \"{}\"", *rung.message) : "";
  return fmt::format("{}: {}{}", when, fmt::join(acts, ", "), message);
}

std::string describe_step(const model::Node& node, const model::Process& process) {
  std::string out = fmt::format("**{}** `{}`", to_string(node.kind), node.name);
  if (!node.title.empty()) out += fmt::format(" — {}", node.title);
  if (node.origin != model::Origin::kOwn) out += fmt::format(" *({} in {})*", to_string(node.origin), process.name);
  out += "\n\n";
  if (node.kind == model::NodeKind::kTask) {
    if (!node.role.empty()) out += tr("- by **{}**", node.role) + "\n";
    std::string deadline = deadline_in_words(node, process);
    if (!deadline.empty()) out += fmt::format("- {}\n", deadline);
    for (const auto& rung : node.escalation) out += tr("- escalates {}", rung_in_words(rung)) + "\n";
    if (!node.outputs.empty()) {
      std::vector<std::string> names;
      for (const auto& f : node.outputs) names.push_back(f.name);
      out += tr("- outputs: {}", fmt::join(names, ", ")) + "\n";
    }
  } else if (node.expr && (node.kind == model::NodeKind::kTimer || node.kind == model::NodeKind::kWaitUntil)) {
    out += tr("- at `{}`{}", model::to_source(*node.expr), term_values(*node.expr, process)) + "\n";
  }
  if (!node.cite.empty()) out += tr("- cites: {}", node.cite) + "\n";
  return out;
}

const model::Process* process_named(const model::Model* model, const std::string& name) {
  return model == nullptr || name.empty() ? nullptr : model->find(name);
}

}  // namespace

std::string deadline_in_words(const model::Node& task, const model::Process& process) {
  if (task.within) {
    return tr("due `{}` after it opens{}", model::to_source(*task.within), term_values(*task.within, process));
  }
  if (task.due) return tr("due at `{}`{}", model::to_source(*task.due), term_values(*task.due, process));
  return tr("no deadline");
}

std::string describe(const Declaration& d, const std::string& scope, const model::Model* model) {
  std::string out;
  const model::Process* seen_from = process_named(model, scope.empty() ? d.scope : scope);
  if (d.kind == SymbolKind::kStep) {
    // A variant's own version of the step; a removed one only its parent still has.
    for (const model::Process* p : {seen_from, process_named(model, d.scope)}) {
      const model::Node* node = p != nullptr ? p->find_node(d.name) : nullptr;
      if (node != nullptr && out.empty()) out = describe_step(*node, *p);
    }
  } else if (d.kind == SymbolKind::kTerm) {
    std::string qualified = d.container + "." + d.name;
    const model::LegalTerm* term = seen_from != nullptr ? seen_from->find_term(qualified) : nullptr;
    if (term != nullptr) {
      out = tr("**legal term** `{}` = **{}**{}", qualified, to_string(term->value),
               term->overridden ? tr(" in {} (set by the process)", seen_from->name) : "") + "\n\n";
      if (!term->cite.empty()) out += tr("- cites: {}", term->cite) + "\n";
      if (term->termijnenwet) {
        out += fmt::format("- {}\n", tr("the Algemene termijnenwet applies: an end on a weekend day or holiday moves to the "
                                        "next working day"));
      }
    }
  } else if (d.kind == SymbolKind::kProcess) {
    if (const model::Process* p = process_named(model, d.name)) {
      out = tr("**process** `{}` version {}{}", p->name, p->version,
               p->parent.empty() ? "" : tr(", extends `{}`", p->parent)) + "\n\n";
      if (!p->title.empty()) out += p->title + "\n\n";
      out += tr("- {} steps, {} roles; definition hash `{}`", p->nodes.size(), p->roles.size(), p->hash.substr(0, 16)) + "\n";
    }
  }
  if (out.empty()) {
    out = fmt::format("**{}** `{}`{}\n\n```termijn\n{}\n```\n", to_string(d.kind), d.name,
                      d.scope.empty() ? "" : fmt::format(" in `{}`", d.scope), written(d));
  }
  if (std::string comment = comment_above(d.range); !comment.empty()) out += "\n---\n\n" + comment + "\n";
  if (d.range.valid()) out += fmt::format("\n*{}*\n", d.range.location());
  return out;
}

}  // namespace termijn::tooling
