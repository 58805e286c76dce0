// The process's names: roles, events, case fields, person attributes, its calendar and legal terms;
// the types fields are written in.
#include "engine/checker/internal/process_compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "engine/base/language.h"
#include "engine/time/termijnenwet.h"

namespace termijn::checker {

namespace {

template <typename T, typename NameOf>
void report_duplicates(const std::vector<T>& items, NameOf name_of, const char* what, DiagnosticList& diagnostics) {
  std::map<std::string, const ast::Ident*> seen;
  for (const auto& item : items) {
    const ast::Ident& id = name_of(item);
    auto [it, inserted] = seen.emplace(id.name, &id);
    if (!inserted) {
      diagnostics.error(id.range, tr("{} '{}' is declared twice", what, id.name),
                        {note(it->second->range, tr("the first declaration is here"))});
    }
  }
}

const ast::Ident& ident_of(const ast::Ident& i) { return i; }
const ast::Ident& field_name(const ast::FieldDecl& f) { return f.name; }

}  // namespace

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
    model::Field f{field.name.name, resolve_type(field.type), field.range, field.required};
    if (symbols_.fields.emplace(f.name, f).second) out_->fields.push_back(f);
    if (std::find(symbols_.roles.begin(), symbols_.roles.end(), f.name) != symbols_.roles.end()) {
      // `notify x` must mean one thing: a role, or the persons in a field.
      diagnostics_.error(field.name.range, tr("'{}' is already a role; give the case field another name", f.name));
    }
  }
  declare_person_attributes();
  declare_instruments();
  for (const auto& carried : decl_.event_fields) {
    auto& fields = out_->event_fields[carried.event.name];
    for (const auto& field : carried.fields) {
      if (symbols_.fields.count(field.name) == 0) {
        std::vector<std::string> names;
        for (const auto& [name, _] : symbols_.fields) names.push_back(name);
        diagnostics_.error(field.range, tr("event '{}' carries '{}', which is not a case field{}",
                                           carried.event.name, field.name, did_you_mean(field.name, names)));
        continue;
      }
      fields.push_back(field.name);
    }
  }
  if (decl_.incident_role) {
    // The administrators need no declaring; any other role must be the process's own.
    if (decl_.incident_role->name != model::kDefaultIncidentRole) check_role(*decl_.incident_role);
    out_->incident_role = decl_.incident_role->name;
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
      diagnostics_.error(o.name.range, tr("term group '{}' has no term '{}' to override{}", o.group.name,
                                          o.name.name, did_you_mean(o.name.name, candidates)));
      continue;
    }
    if (it->second.value.kind != o.value.kind) {
      diagnostics_.error(o.value_range,
                         tr("{} is counted in {}; this value is in {}", qualified,
                            kind_name(it->second.value.kind), kind_name(o.value.kind)));
      continue;
    }
    if (auto excluded = it->second.termijnenwet ? termijnenwet_excluded(o.value) : std::nullopt) {
      diagnostics_.error(o.value_range, tr("{} is counted 'with termijnenwet', which cannot apply to a term of "
                                           "{}: {}", qualified, to_string(o.value), *excluded),
                         {note(it->second.range, tr("its value is set here"))});
      continue;
    }
    if (auto [prev, inserted] = overridden.emplace(qualified, &o); !inserted && prev->second->range.file == o.range.file) {
      diagnostics_.error(o.range, tr("term '{}' is overridden twice", qualified),
                         {note(prev->second->range, tr("the first override is here"))});
    }
    overridden[qualified] = &o;
    it->second.value = o.value;
    if (o.cite) it->second.cite = *o.cite;
    it->second.range = o.range;
    it->second.overridden = true;
  }

  if (decl_.starts.empty() && !resolved_.parent_has_errors) {
    diagnostics_.error(decl_.name.range, tr("process '{}' has no start: add 'start on <event>'",
                                            decl_.name.name));
  }
}

// `persons { geboortedatum: datetime ... }`: what every person of the case may carry besides its id.
void ProcessCompiler::declare_person_attributes() {
  report_duplicates(decl_.person_attributes, field_name, "person attribute", diagnostics_);
  std::set<std::string> seen;
  for (const auto& attribute : decl_.person_attributes) {
    model::Field f{attribute.name.name, resolve_type(attribute.type), attribute.range};
    if (attribute.required) {
      diagnostics_.error(attribute.range, tr("'required' is for case fields; a person's '{}' may be unknown "
                                             "at the start", f.name));
    }
    if (f.name == "id") {
      diagnostics_.error(attribute.name.range, tr("every person has an 'id' already: the name the host knows it by"));
      continue;
    }
    if (f.type.kind == TK::kPerson || (f.type.kind == TK::kList && f.type.element == TK::kPerson)) {
      diagnostics_.error(attribute.type.range, tr("a person's attribute cannot hold persons; relate them with a case "
                                                  "field or an attribute such as 'relatie: one of (...)'"));
      continue;
    }
    if (seen.insert(f.name).second) {
      symbols_.person_attributes.push_back(f);
      out_->person_attributes.push_back(f);
    }
  }
}

// A value of a list (`one of (...)`, a scale, outcomes) given twice: the second is reported.
void ProcessCompiler::report_listed_twice(const std::vector<ast::Ident>& names, const std::string& what) {
  std::set<std::string> seen;
  for (const auto& n : names) {
    if (!seen.insert(n.name).second) {
      diagnostics_.error(n.range, tr("{}'{}' is listed twice", what.empty() ? "" : what + " ", n.name));
    }
  }
}

std::vector<std::string> ProcessCompiler::names_of(const std::vector<ast::Ident>& idents) {
  std::vector<std::string> out;
  for (const auto& i : idents) out.push_back(i.name);
  return out;
}

model::Type ProcessCompiler::resolve_type(const ast::TypeRef& ref) {
  using model::Type;
  if (ref.is_enum) {
    report_listed_twice(ref.enum_members, "");
    return Type::enumeration(names_of(ref.enum_members));
  }
  static const std::map<std::string, TK> kScalars = {
      {"bool", TK::kBool},   {"int", TK::kInt},       {"text", TK::kText},
      {"datetime", TK::kDateTime}, {"days", TK::kDays}, {"workdays", TK::kWorkingDays},
      {"hours", TK::kHours}, {"person", TK::kPerson}};
  const std::string& n = ref.name.name;
  if (n == "list") {
    if (ref.args.size() != 1) {
      diagnostics_.error(ref.range, tr("a list needs its element type, as in list<person>"));
      return Type{};
    }
    Type element = resolve_type(ref.args[0]);
    if (element.is_error()) return Type{};
    if (element.kind != TK::kPerson && element.kind != TK::kText) {
      diagnostics_.error(ref.args[0].range, tr("lists hold persons or text, not {}", model::to_string(element)));
      return Type{};
    }
    return Type::list_of(element.kind);
  }
  auto it = kScalars.find(n);
  if (it == kScalars.end()) {
    std::vector<std::string> names{"list"};
    for (const auto& [name, _] : kScalars) names.push_back(name);
    diagnostics_.error(ref.name.range, tr("unknown type '{}'{}", n, did_you_mean(n, names)));
    return Type{};
  }
  if (!ref.args.empty()) {
    diagnostics_.error(ref.range, tr("type '{}' takes no element type", n));
  }
  return Type::of(it->second);
}

void ProcessCompiler::check_role(const ast::Ident& role) {
  const auto& roles = symbols_.roles;
  if (std::find(roles.begin(), roles.end(), role.name) == roles.end()) {
    diagnostics_.error(role.range, tr("unknown role '{}'{}", role.name, did_you_mean(role.name, roles)));
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
  diagnostics_.error(event.range, tr("unknown {} '{}'{}", timers_too ? tr("event or timer") : tr("event"),
                                     event.name, did_you_mean(event.name, candidates)));
  return false;
}

}  // namespace termijn::checker
