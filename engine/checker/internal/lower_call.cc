// Lowering a call: the sub-process and the case fields it is given.
#include "engine/checker/internal/process_compiler.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/base/language.h"

namespace termijn::checker {

void ProcessCompiler::lower_call(const StepSite& site) {
  const auto& [step, ctx, nodes, next] = site;
  std::vector<Reference> refs;
  const auto& c = step.as<ast::CallStep>();
  node(nodes).target = c.process.name;
  const ast::ProcessDecl* callee = declarations_.process(c.process, resolved_.file, diagnostics_);
  if (callee != nullptr && callee->name.name == decl_.name.name) {
    diagnostics_.error(c.process.range, tr("process '{}' calls itself", c.process.name));
    callee = nullptr;
  }
  std::vector<model::Field> callee_fields;
  if (callee != nullptr) {
    // Field types are re-read from the callee's declarations; mistakes there are reported
    // where they are written, once.
    DiagnosticList ignored;
    const ResolvedProcess& resolved = variants_.resolve(*callee);
    ProcessCompiler reader(resolved, declarations_, variants_, ignored);
    for (const auto& field : resolved.decl.fields) {
      callee_fields.push_back(model::Field{field.name.name, reader.resolve_type(field.type), field.range, field.required});
    }
    check_person_attributes(c.process, resolved.decl.person_attributes, reader);
  }
  for (const auto& field : callee_fields) {
    bool given = std::any_of(c.arguments.begin(), c.arguments.end(),
                             [&](const ast::CallArgument& a) { return a.field.name == field.name; });
    if (field.required && !given) {
      diagnostics_.error(c.process.range, tr("process '{}' requires case field '{}'; pass it: call {} with ({} "
                                             "= ...)", c.process.name, field.name, c.process.name, field.name),
                         {note(field.range, tr("it is declared required here"))});
    }
  }
  for (const auto& arg : c.arguments) {
    auto field = std::find_if(callee_fields.begin(), callee_fields.end(),
                              [&](const model::Field& f) { return f.name == arg.field.name; });
    model::Expr value;
    if (callee != nullptr && field == callee_fields.end()) {
      std::vector<std::string> names;
      for (const auto& f : callee_fields) names.push_back(f.name);
      diagnostics_.error(arg.field.range, tr("process '{}' has no case field '{}'{}", c.process.name,
                                             arg.field.name, did_you_mean(arg.field.name, names)));
      value = expressions_.check(arg.value, loop_, refs);
    } else if (callee != nullptr && !field->type.is_error()) {
      value = expressions_.expect(arg.value, field->type, fmt::format("'{}'", arg.field.name), loop_, refs);
    } else {
      value = expressions_.check(arg.value, loop_, refs);
    }
    node(nodes).arguments.emplace_back(arg.field.name, std::move(value));
  }
  record(nodes.entry, refs, false);
  link(nodes.entry, next);
}

// The callee receives the persons it is given with only the attributes it declares (need to
// know); an attribute both declare must mean the same in both.
void ProcessCompiler::check_person_attributes(const ast::Ident& callee, const std::vector<ast::FieldDecl>& attributes,
                                              ProcessCompiler& reader) {
  for (const auto& attribute : attributes) {
    auto mine = std::find_if(symbols_.person_attributes.begin(), symbols_.person_attributes.end(),
                             [&](const model::Field& f) { return f.name == attribute.name.name; });
    if (mine == symbols_.person_attributes.end()) continue;
    model::Type theirs = reader.resolve_type(attribute.type);
    if (!theirs.is_error() && !mine->type.is_error() && !(theirs == mine->type)) {
      diagnostics_.error(callee.range, tr("persons carry '{}' as {} here, but process '{}' reads it as {}",
                                          mine->name, model::to_string(mine->type), callee.name,
                                          model::to_string(theirs)),
                         {note(attribute.range, tr("its declaration is here"))});
    }
  }
}

}  // namespace termijn::checker
