// `termijn fmt`: the one canonical layout of a .wth file (docs/language.md, "Layout"), and of
// the timelines of .scenario files (docs/coordinators.md).
//
// The layout is made from the file's tokens, comments included, so no token is lost; the
// parser says where each list element (a step, a member, a field, ...) begins. Before it
// answers, the formatter parses its own output and refuses unless that holds the same tokens
// and the same AST, and lays out again to the same text.
#pragma once

#include <optional>
#include <string>

#include "engine/base/diagnostic.h"
#include "engine/base/source.h"

namespace termijn::format {

// The canonical text of `source`; nothing when the file does not parse (the syntax error is in
// `diagnostics`, located) or, by a fault of the formatter, the layout would change it (an error
// saying so).
std::optional<std::string> format_wth(const SourceFilePtr& source, DiagnosticList& diagnostics);

// The canonical text of a .scenario file: lines trimmed, at most one blank line in a row, and
// the steps of consecutive timeline lines in one column, two spaces after the widest
// `day N HH:MM` (`at DATE HH:MM`); comment lines may stand between them. Only the space between
// words changes, and the formatter checks that every line keeps its words. Nothing when a line
// cannot be read (an unclosed quote: the error says where).
std::optional<std::string> format_scenario(const SourceFilePtr& source, DiagnosticList& diagnostics);

// format_scenario for a path ending in .scenario, format_wth for any other.
std::optional<std::string> format_source(const SourceFilePtr& source, DiagnosticList& diagnostics);

// The changes from `before` to `after` as a unified diff (`diff -u`, three lines of context),
// both texts named `path`; empty when they are equal.
std::string unified_diff(const std::string& path, const std::string& before, const std::string& after);

}  // namespace termijn::format
