#include "engine/checker/checker.h"

#include "engine/checker/internal/declarations.h"
#include "engine/checker/internal/process_compiler.h"
#include "engine/checker/internal/variants.h"
#include "engine/checker/internal/warnings.h"

namespace termijn {

std::shared_ptr<const model::Model> check_program(const LoadedProgram& program, DiagnosticList& diagnostics) {
  checker::Declarations declarations(program, diagnostics);
  checker::VariantResolver variants(declarations, diagnostics);
  auto result = std::make_shared<model::Model>();
  for (const auto& file : program.files) {
    for (const auto& decl : file.processes) {
      // A second declaration of the same name was reported; compile only the one the name means.
      const auto& table = declarations.processes();
      auto it = table.find(decl.name.name);
      if (it == table.end() || it->second.decl != &decl) continue;
      const checker::ResolvedProcess& resolved = variants.resolve(decl);
      checker::ProcessCompiler compiler(resolved, declarations, variants, diagnostics);
      if (auto process = compiler.compile()) {
        checker::warn(resolved, *process, diagnostics);
        result->processes.push_back(std::move(process));
      }
    }
  }
  return result;
}

}  // namespace termijn
