#include "engine/tooling/document_check.h"

#include "engine/frontend/source_text.h"
#include "engine/simulation/simulation.h"
#include "engine/simulation/spec.h"

namespace termijn::tooling {

namespace fs = std::filesystem;

Format format_of(const fs::path& path) {
  auto extension = path.extension();
  if (extension == ".wth") return Format::kProcess;
  if (extension == ".scenario") return Format::kScenario;
  if (extension == ".sim") return Format::kSimulation;
  return Format::kOther;
}

DocumentCheck check_document(const fs::path& path, const std::vector<fs::path>& stdlib_dirs,
                             const std::map<std::string, std::string>& unsaved) {
  DocumentCheck check;
  check.format = format_of(path);
  std::string key = path.lexically_normal().string();
  if (check.format == Format::kProcess) {
    check.compilation = compile_paths({key}, stdlib_dirs, unsaved);
    const Compilation& c = *check.compilation;
    check.diagnostics = c.diagnostics;
    if (!c.program.roots.empty()) check.source = c.program.files.at(c.program.roots.front()).source;
    return check;
  }
  std::optional<std::string> text;
  if (auto open = unsaved.find(key); open != unsaved.end()) {
    text = open->second;
  } else {
    text = read_text_file(path);
  }
  if (!text) return check;
  check.source = std::make_shared<SourceFile>(key, std::move(*text));
  if (check.format == Format::kScenario) {
    check.scenarios = scenario::parse(check.source, check.diagnostics);
    scenario::check_all(check.scenarios, stdlib_dirs, check.diagnostics, unsaved);
  } else if (check.format == Format::kSimulation) {
    simulation::Spec spec = simulation::parse_spec(check.source, check.diagnostics);
    // A file that does not read is not checked against its processes: those errors would be
    // the reader's guesses.
    if (!check.diagnostics.has_errors()) simulation::check(spec, stdlib_dirs, check.diagnostics);
  }
  return check;
}

}  // namespace termijn::tooling
