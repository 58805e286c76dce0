// The front-end's entry point: .wth source text in, termijn's AST out. Syntax errors become
// diagnostics (the parser recovers and keeps reporting); no ANTLR type is visible here.
#pragma once

#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/frontend/ast.h"

namespace termijn {

ast::File parse_file(SourceFilePtr source, DiagnosticList& diagnostics);

// The language's keywords ("task", "within", ...), as the grammar defines them: what an editor
// offers beside the names a process declares.
std::vector<std::string> keywords();

}  // namespace termijn
