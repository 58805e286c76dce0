#include "engine/simulation/internal/prepared.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/base/language.h"
#include "engine/checker/checker.h"
#include "engine/driver/compilation.h"
#include "engine/frontend/loader.h"

namespace termijn::simulation::internal {

namespace {

std::vector<std::string> task_names(const model::Process& p) {
  std::vector<std::string> out;
  for (const auto& n : p.nodes) {
    if (n.kind == model::NodeKind::kTask) out.push_back(n.name);
  }
  return out;
}

bool fits(const Json& v, const model::Type& t) {
  using K = model::Type::Kind;
  switch (t.kind) {
    case K::kBool: return v.is_boolean();
    case K::kInt: return v.is_number_integer();
    case K::kEnum: return v.is_string() && std::find(t.members.begin(), t.members.end(), v.get<std::string>()) != t.members.end();
    case K::kText: case K::kPerson: return v.is_string();
    case K::kList: return v.is_array();
    default: return true;
  }
}

void check_choice(const Choice& c, const model::Type& type, const std::string& what, const SourceRange& at,
                  DiagnosticList& d) {
  for (const auto& [value, p] : c.options) {
    if (!fits(value, type)) {
      d.error(at, tr("{} cannot be {}{}", what, value.dump(),
                     type.members.empty() ? "" : tr(" (its values: {})", fmt::join(type.members, ", "))));
    }
  }
}

Choice certain(const Json& value) {
  Choice one;
  one.options.emplace_back(value, 1.0);
  return one;
}

// A condition names an earlier task's output, a case field or a legal term, with a value it can have.
void check_condition(const Condition& c, const model::Process& p, DiagnosticList& d) {
  if (c.kind == Condition::Kind::kElapsedBelow || c.kind == Condition::Kind::kElapsedAtLeast) return;
  if (c.term) {
    const model::LegalTerm* term = p.find_term(c.name);
    if (term == nullptr) {
      std::vector<std::string> used;
      for (const auto& u : p.terms) used.push_back(u.qualified());
      d.error(c.range, tr("process '{}' uses no term '{}'{}", p.name, c.name, did_you_mean(c.name, used)));
    } else if (term->value.kind != c.term->kind) {
      d.error(c.range, tr("'{}' is counted in {}, not in {}", c.name, kind_name(term->value.kind), kind_name(c.term->kind)));
    }
    return;
  }
  auto dot = c.name.find('.');
  if (dot == std::string::npos) {
    auto f = std::find_if(p.fields.begin(), p.fields.end(), [&](const model::Field& f) { return f.name == c.name; });
    std::vector<std::string> fields;
    for (const auto& field : p.fields) fields.push_back(field.name);
    if (f == p.fields.end()) {
      d.error(c.range, tr("process '{}' has no case field '{}'{}", p.name, c.name, did_you_mean(c.name, fields)));
    } else {
      check_choice(certain(c.value), f->type, fmt::format("case field '{}'", c.name), c.range, d);
    }
    return;
  }
  std::string task = c.name.substr(0, dot), output = c.name.substr(dot + 1);
  for (const auto& n : p.nodes) {
    if (n.kind != model::NodeKind::kTask || n.name != task) continue;
    for (const auto& o : n.outputs) {
      if (o.name != output) continue;
      check_choice(certain(c.value), o.type, fmt::format("output '{}'", c.name), c.range, d);
      return;
    }
    d.error(c.range, tr("task '{}' has no output '{}'", task, output));
    return;
  }
  d.error(c.range, tr("process '{}' has no task '{}'{}", p.name, task, did_you_mean(task, task_names(p))));
}

void check_rules(const Rules& rules, const model::Process& p, const std::vector<Measure>& measures, DiagnosticList& d) {
  std::vector<std::string> tasks = task_names(p);
  auto find_task = [&](const std::string& name) -> const model::Node* {
    for (const auto& n : p.nodes) {
      if (n.kind == model::NodeKind::kTask && n.name == name) return &n;
    }
    return nullptr;
  };
  auto task_or_error = [&](const std::string& name, const SourceRange& at) -> const model::Node* {
    const model::Node* n = find_task(name);
    if (n == nullptr) d.error(at, tr("process '{}' has no task '{}'{}", p.name, name, did_you_mean(name, tasks)));
    return n;
  };
  std::vector<std::string> starts;
  for (auto s : p.starts) starts.push_back(p.nodes.at(s).target);
  auto check_start = [&](const std::string& event, const SourceRange& at) {
    if (std::find(starts.begin(), starts.end(), event) == starts.end()) {
      d.error(at, tr("process '{}' does not start on '{}' (it starts on: {})", p.name, event, fmt::join(starts, ", ")));
    }
  };
  // Every task has a deadline (`due` or `within`, the checker sees to it), so `before due` fits any.
  for (const auto& r : rules.durations) {
    if (!r.task.empty()) task_or_error(r.task, r.source.range);
  }
  for (const auto& r : rules.outputs) {
    const model::Node* n = task_or_error(r.task, r.source.range);
    if (n == nullptr) continue;
    std::vector<std::string> names;
    const model::Field* output = nullptr;
    for (const auto& o : n->outputs) {
      names.push_back(o.name);
      if (o.name == r.output) output = &o;
    }
    if (output == nullptr) {
      d.error(r.source.range, tr("task '{}' has no output '{}'{}", r.task, r.output, did_you_mean(r.output, names)));
    } else {
      check_choice(r.choice, output->type, fmt::format("output '{}.{}'", r.task, r.output), r.source.range, d);
    }
    for (const auto& c : r.when) check_condition(c, p, d);
  }
  for (const auto& s : rules.streams) check_start(s.event, s.source.range);
  std::vector<std::string> fields;
  for (const auto& f : p.fields) fields.push_back(f.name);
  for (const auto& r : rules.data) {
    auto f = std::find_if(p.fields.begin(), p.fields.end(), [&](const model::Field& f) { return f.name == r.field; });
    if (f == p.fields.end()) {
      d.error(r.source.range, tr("process '{}' has no case field '{}'{}", p.name, r.field, did_you_mean(r.field, fields)));
    } else {
      check_choice(r.choice, f->type, fmt::format("case field '{}'", r.field), r.source.range, d);
    }
  }
  for (const auto& r : rules.events) {
    if (std::find(p.events.begin(), p.events.end(), r.event) == p.events.end()) {
      d.error(r.source.range, tr("process '{}' has no event '{}'{}", p.name, r.event, did_you_mean(r.event, p.events)));
    }
  }
  for (const auto& s : rules.starts) check_start(s.event, rules.process_range);
  for (const auto& pool : rules.pools) {
    if (std::find(p.roles.begin(), p.roles.end(), pool.role) == p.roles.end()) {
      d.error(pool.source.range, tr("process '{}' has no role '{}'{}", p.name, pool.role, did_you_mean(pool.role, p.roles)));
    }
  }
  for (const auto& m : measures) {
    bool any = std::any_of(m.tasks.begin(), m.tasks.end(), [&](const std::string& t) { return find_task(t) != nullptr; });
    if (!any) {
      d.error(m.range, tr("process '{}' has none of the tasks of measure \"{}\" ({}){}", p.name, m.label,
                          fmt::join(m.tasks, ", "), did_you_mean(m.tasks.front(), tasks)));
    }
  }
}

}  // namespace

std::optional<Prepared> prepare(const std::string& name, const Rules& rules, const Spec& spec,
                                const std::vector<std::filesystem::path>& stdlib_dirs, const std::string& index,
                                DiagnosticList& d) {
  Prepared out{name, rules, nullptr, *rules.process, {}, {}};
  Compilation base = compile_paths({rules.file->string()}, stdlib_dirs);
  if (!base.unreadable.empty()) {
    d.error(rules.process_range, tr("cannot read '{}'", rules.file->string()));
    return std::nullopt;
  }
  if (base.diagnostics.has_errors()) {
    for (const auto& diagnostic : base.diagnostics.all()) d.add(diagnostic);
    return std::nullopt;
  }
  const model::Process* p = base.model->find(*rules.process);
  if (p == nullptr) {
    std::vector<std::string> names;
    for (const auto& q : base.model->processes) names.push_back(q->name);
    d.error(rules.process_range, tr("'{}' has no process '{}'{}", rules.file->filename().string(), *rules.process,
                                    did_you_mean(*rules.process, names)));
    return std::nullopt;
  }
  int before = d.error_count();
  check_rules(rules, *p, spec.measures, d);
  for (const auto& t : p->terms) out.terms_in_force[t.qualified()] = t.value;
  std::vector<std::string> overrides;
  for (const auto& t : rules.terms) {
    const model::LegalTerm* term = p->find_term(t.qualified);
    if (term == nullptr) {
      std::vector<std::string> used;
      for (const auto& u : p->terms) used.push_back(u.qualified());
      d.error(t.range, tr("process '{}' uses no term '{}'{}", p->name, t.qualified, did_you_mean(t.qualified, used)));
    } else if (term->value.kind != t.value.kind) {
      d.error(t.range, tr("'{}' is counted in {}, not in {}", t.qualified, kind_name(term->value.kind),
                          kind_name(t.value.kind)));
    }
    overrides.push_back(fmt::format("{} = {}", t.qualified, to_string(t.value)));
    out.terms_in_force[t.qualified] = t.value;
  }
  if (d.error_count() > before) return std::nullopt;
  out.terms = overrides;
  if (overrides.empty()) {
    out.model = base.model;
    return out;
  }
  // The overlay: a generated variant beside the process file, so `import` finds it as written.
  out.process = fmt::format("{}__scenario_{}", p->name, index);
  // The same version as the process it overlays: a case on it is the same case, under other terms.
  std::string text = fmt::format("import \"{}\"\nprocess {} version {} extends {} {{\n  terms {{\n",
                                 rules.file->filename().string(), out.process, p->version, p->name);
  for (const auto& o : overrides) text += "    " + o + "\n";
  text += "  }\n}\n";
  ProgramLoader loader(stdlib_dirs);
  DiagnosticList overlay;
  loader.add_text((rules.file->parent_path() / fmt::format("__{}.wth", out.process)).string(), text, overlay);
  LoadedProgram program = loader.finish();
  out.model = overlay.has_errors() ? nullptr : check_program(program, overlay);
  if (out.model == nullptr || overlay.has_errors()) {
    for (const auto& diagnostic : overlay.all()) d.add(diagnostic);
    return std::nullopt;
  }
  return out;
}

bool holds(const Condition& c, const Json& data, const std::map<std::string, Json>& outputs, double minutes,
           const std::map<std::string, Duration>& terms) {
  using K = Condition::Kind;
  if (c.kind == K::kElapsedBelow) return minutes < c.minutes;
  if (c.kind == K::kElapsedAtLeast) return minutes >= c.minutes;
  bool equal = false;
  if (c.term) {
    auto it = terms.find(c.name);
    equal = it != terms.end() && it->second == *c.term;
  } else if (auto it = outputs.find(c.name); it != outputs.end()) {
    equal = it->second == c.value;
  } else if (auto field = data.find(c.name); field != data.end()) {
    equal = *field == c.value;
  } else {
    return false;  // not given (yet): neither equal nor unequal
  }
  return c.kind == K::kEquals ? equal : !equal;
}

}  // namespace termijn::simulation::internal
