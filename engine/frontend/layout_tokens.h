// Every token of a .wth file, comments included, with what the parser learnt about its place:
// what `termijn fmt` (engine/format/) lays out. No ANTLR type is visible here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/frontend/ast.h"

namespace termijn {

struct LayoutToken {
  enum class Kind { kName, kWord, kNumber, kString, kPunct, kLineComment, kBlockComment };
  Kind kind = Kind::kPunct;
  std::string text;  // exactly as written (a block comment with its line breaks)
  int line = 0;      // 1-based line of its first character
  int end_line = 0;  // line of its last character: differs from `line` only in a block comment
  // It begins an element of a list: an import or declaration, a member, step, field, term, task
  // item, rung, branch, instrument part, item or rule. Each such element starts a line.
  bool item_start = false;
  // The `<` and `>` of a type (`list<person>`), written without spaces; elsewhere they compare.
  bool in_type = false;
  // The `=` and `cite` of a term definition: columns the formatter aligns within a terms block.
  bool term_column = false;

  bool is_comment() const { return kind == Kind::kLineComment || kind == Kind::kBlockComment; }
};

struct LayoutFile {
  ast::File file;
  std::vector<LayoutToken> tokens;
};

// Parses `source` and returns its tokens with its AST; nothing when it has a syntax error or
// breaks a limit (diagnostics then say where).
std::optional<LayoutFile> parse_layout(const SourceFilePtr& source, DiagnosticList& diagnostics);

}  // namespace termijn
