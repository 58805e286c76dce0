// A readable dump of the AST with the source range of every node: what the parser tests
// compare against golden files, and what `termijn ast FILE` prints.
#pragma once

#include <string>

#include "engine/frontend/ast.h"

namespace termijn::ast {

std::string dump(const File& file);
std::string dump(const Expr& expr);

}  // namespace termijn::ast
