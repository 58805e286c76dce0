// Instruments: checklists a task fills in (`instrument rihg { scale ... part ... rules ... }`).
#include "engine/checker/internal/process_compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "engine/base/language.h"
#include "engine/base/limits.h"

namespace termijn::checker {

namespace {

model::OutcomeRule::Over over_of(ast::OutcomeRule::Over over) {
  using Over = model::OutcomeRule::Over;
  switch (over) {
    case ast::OutcomeRule::Over::kWhole: return Over::kWhole;
    case ast::OutcomeRule::Over::kAnyPart: return Over::kAnyPart;
    case ast::OutcomeRule::Over::kPart: return Over::kPart;
    case ast::OutcomeRule::Over::kOtherwise: return Over::kOtherwise;
  }
  return Over::kOtherwise;
}

}  // namespace

void ProcessCompiler::declare_instruments() {
  std::set<std::string> declared;
  for (const auto& decl : decl_.instruments) {
    if (!declared.insert(decl.name.name).second) {
      diagnostics_.error(decl.name.range, tr("instrument '{}' is declared twice", decl.name.name));
      continue;
    }
    model::Instrument instrument;
    instrument.name = decl.name.name;
    instrument.title = decl.title.value_or("");
    instrument.cite = decl.cite.value_or("");
    instrument.range = decl.range;
    instrument.scale = names_of(decl.scale);
    instrument.outcomes = names_of(decl.outcomes);
    report_listed_twice(decl.scale, "scale value");
    report_listed_twice(decl.outcomes, "outcome");
    if (decl.scale.size() < 2) {
      diagnostics_.error(decl.name.range, tr("instrument '{}' needs a scale of two values or more to answer its "
                                             "items with: scale rood, blauw, geel", decl.name.name));
    }
    if (decl.outcomes.empty()) {
      diagnostics_.error(decl.name.range, tr("instrument '{}' needs its outcomes: outcomes opleggen, "
                                             "niet_opleggen", decl.name.name));
    }
    declare_instrument_parts(decl, instrument);
    declare_outcome_rules(decl, instrument);
    out_->instruments.push_back(std::move(instrument));
  }
}

void ProcessCompiler::declare_instrument_parts(const ast::InstrumentDecl& decl, model::Instrument& instrument) {
  std::map<std::string, SourceRange> items;
  std::set<std::string> parts;
  for (const auto& part : decl.parts) {
    if (!parts.insert(part.name.name).second) {
      diagnostics_.error(part.name.range, tr("part '{}' is declared twice", part.name.name));
      continue;
    }
    model::InstrumentPart out{part.name.name, part.title.value_or(""), {}};
    for (const auto& item : part.items) {
      const std::string& n = item.name.name;
      if (model::is_record(n)) {
        diagnostics_.error(item.name.range, tr("'{}' is what the task records besides the items; give the item "
                                               "another name", n));
        continue;
      }
      if (auto [it, inserted] = items.emplace(n, item.range); !inserted) {
        diagnostics_.error(item.name.range, tr("item '{}' is declared twice", n),
                           {note(it->second, tr("the first declaration is here"))});
        continue;
      }
      out.items.push_back(model::InstrumentItem{n, item.text.value_or(""), item.range});
    }
    instrument.parts.push_back(std::move(out));
  }
  // The task's completion carries one output per item, plus outcome and motivation: it must fit
  // in one request body (limits.h, list elements per object).
  if (items.size() + 3 > limits::kListElements) {
    diagnostics_.error(decl.name.range, tr("instrument '{}' has {} items; at most {} fit in one completion "
                                           "(limit: list elements)", decl.name.name, items.size(),
                                           limits::kListElements - 3));
  }
  if (items.empty()) {
    diagnostics_.error(decl.name.range, tr("instrument '{}' has no items: part a \"...\" {{ item a1 \"...\" }}",
                                           decl.name.name));
  }
}

// Each rule names a value of the scale, a part of the instrument and one of its outcomes; the
// last is `otherwise`, so every filled-in checklist has an outcome.
void ProcessCompiler::declare_outcome_rules(const ast::InstrumentDecl& decl, model::Instrument& instrument) {
  using Over = ast::OutcomeRule::Over;
  auto known = [this](const ast::Ident& name, const std::vector<std::string>& names, const char* what) {
    if (std::find(names.begin(), names.end(), name.name) != names.end()) return true;
    diagnostics_.error(name.range, tr("unknown {} '{}'{}", what, name.name, did_you_mean(name.name, names)));
    return false;
  };
  std::vector<std::string> part_names;
  for (const auto& part : instrument.parts) part_names.push_back(part.name);
  for (std::size_t i = 0; i < decl.rules.size(); ++i) {
    const auto& rule = decl.rules[i];
    model::OutcomeRule out;
    out.over = over_of(rule.over);
    out.count = rule.count;
    out.range = rule.range;
    bool ok = known(rule.outcome, instrument.outcomes, "outcome");
    if (rule.over == Over::kOtherwise) {
      if (i + 1 != decl.rules.size()) {
        diagnostics_.error(rule.range, tr("'otherwise' is the last rule: the rules below it could never apply"));
      }
    } else {
      ok = known(*rule.value, instrument.scale, "scale value") && ok;
      if (rule.part) ok = known(*rule.part, part_names, "part") && ok;
      if (rule.count < 1) diagnostics_.error(rule.range, tr("a rule counts at least one answer"));
      out.value = rule.value->name;
      out.part = rule.part ? rule.part->name : "";
    }
    out.outcome = rule.outcome.name;
    if (ok) instrument.rules.push_back(std::move(out));
  }
  if (decl.rules.empty() || decl.rules.back().over != Over::kOtherwise) {
    diagnostics_.error(decl.name.range, tr("the rules of instrument '{}' end with 'otherwise -> <outcome>', so "
                                           "that every filled-in checklist has an outcome", decl.name.name));
  }
}

// What a task filling in `name` records: one answer per item, the computed and the chosen
// outcome, and the motivation for choosing otherwise. Empty when there is no such instrument.
std::vector<model::Field> ProcessCompiler::instrument_outputs(const std::string& name, const SourceRange& range) const {
  const model::Instrument* instrument = out_->find_instrument(name);
  if (instrument == nullptr) return {};
  std::vector<model::Field> out;
  for (const model::InstrumentItem* item : instrument->items()) {
    out.push_back(model::Field{item->name, model::Type::enumeration(instrument->scale), range});
  }
  out.push_back(model::Field{model::kComputed, model::Type::enumeration(instrument->outcomes), range});
  out.push_back(model::Field{model::kOutcome, model::Type::enumeration(instrument->outcomes), range});
  out.push_back(model::Field{model::kMotivation, model::Type::of(TK::kText), range});
  return out;
}

}  // namespace termijn::checker
