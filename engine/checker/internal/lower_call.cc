// Lowering a call: the sub-process and the case fields it is given.
#include "engine/checker/internal/process_compiler.h"

#include <fmt/format.h>

#include <algorithm>

namespace termijn::checker {

void ProcessCompiler::lower_call(const StepSite& site) {
  const auto& [step, ctx, nodes, next] = site;
  std::vector<Reference> refs;
  const auto& c = step.as<ast::CallStep>();
  node(nodes).target = c.process.name;
  const ast::ProcessDecl* callee = declarations_.process(c.process, resolved_.file, diagnostics_);
  if (callee != nullptr && callee->name.name == decl_.name.name) {
    diagnostics_.error(c.process.range, fmt::format("process '{}' calls itself", c.process.name));
    callee = nullptr;
  }
  std::vector<model::Field> callee_fields;
  if (callee != nullptr) {
    // Field types are re-read from the callee's declarations; mistakes there are reported
    // where they are written, once.
    DiagnosticList ignored;
    ProcessCompiler reader(variants_.resolve(*callee), declarations_, variants_, ignored);
    for (const auto& field : variants_.resolve(*callee).decl.fields) {
      callee_fields.push_back(model::Field{field.name.name, reader.resolve_type(field.type), field.range});
    }
  }
  for (const auto& arg : c.arguments) {
    auto field = std::find_if(callee_fields.begin(), callee_fields.end(),
                              [&](const model::Field& f) { return f.name == arg.field.name; });
    model::Expr value;
    if (callee != nullptr && field == callee_fields.end()) {
      std::vector<std::string> names;
      for (const auto& f : callee_fields) names.push_back(f.name);
      diagnostics_.error(arg.field.range, fmt::format("process '{}' has no case field '{}'{}", c.process.name,
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

}  // namespace termijn::checker
