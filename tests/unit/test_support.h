// Compiles .wth text held in a test, without files on disk (imports of the stdlib still work).
#pragma once

#include <string>

#include "engine/checker/checker.h"
#include "engine/frontend/loader.h"
#include "engine/frontend/parser.h"

namespace termijn::testing {

struct Compiled {
  LoadedProgram program;
  std::shared_ptr<const model::Model> model;
  DiagnosticList diagnostics;

  const model::Process& process(const std::string& name) const {
    const model::Process* p = model->find(name);
    if (p == nullptr) throw std::runtime_error("no compiled process " + name + ":\n" + render(diagnostics));
    return *p;
  }
  std::string errors() const { return render(diagnostics); }
};

// The diagnostics of parsing `text` as t.wth, rendered ("" when it parses cleanly).
inline std::string parse_errors(const std::string& text) {
  DiagnosticList d;
  parse_file(std::make_shared<SourceFile>("t.wth", text), d);
  return render(d);
}

inline Compiled compile_text(const std::string& text, const std::string& path = "test.wth") {
  Compiled c;
  ProgramLoader loader({TERMIJN_STDLIB_DIR});
  loader.add_text(path, text, c.diagnostics);
  c.program = loader.finish();
  c.model = check_program(c.program, c.diagnostics);
  return c;
}

}  // namespace termijn::testing
