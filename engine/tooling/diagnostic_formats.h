// Diagnostics for machines: `termijn check --format json` (termijn's own shape, documented in
// docs/coordinators.md) and `--format sarif` (SARIF 2.1.0, the OASIS format code-scanning tools
// read: GitHub code scanning, GitLab, VS Code's SARIF viewer).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"

namespace termijn::tooling {

using Json = nlohmann::json;

// {"diagnostics": [{"file", "severity", "message", "range": {"start": {"line", "column"}, "end"},
// "notes": [...]}], "errors": N, "warnings": N, "unreadable": [paths]}. Lines and columns are
// 1-based, columns in characters.
Json diagnostics_json(const std::vector<Diagnostic>& diagnostics, const std::vector<std::string>& unreadable);

// One SARIF 2.1.0 log with one run. Relative paths are given against %SRCROOT% (the folder the
// check ran in), absolute ones as file: URIs; columns count characters (columnKind
// "unicodeCodePoints"). A did-you-mean suggestion becomes a fix.
Json sarif_log(const std::vector<Diagnostic>& diagnostics, const std::vector<std::string>& unreadable,
               const std::string& tool_version);

// The name a did-you-mean diagnostic suggests (" (did you mean 'x'?)" in its message), when its
// range covers exactly one name that the suggestion can replace; "" otherwise. Quick fixes in the
// editor and fixes in SARIF come from this.
std::string suggested_replacement(const Diagnostic& diagnostic);

}  // namespace termijn::tooling
