// Checking one document of any of the three formats a coordinator edits: a process file (.wth),
// a scenario file (.scenario) or a simulation file (.sim), without running anything. What
// `termijn check` prints and what the language server shows as the coordinator types.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/driver/compilation.h"
#include "engine/scenario/scenario.h"

namespace termijn::tooling {

enum class Format { kProcess, kScenario, kSimulation, kOther };

// By the file's extension.
Format format_of(const std::filesystem::path& path);

struct DocumentCheck {
  Format format = Format::kOther;
  // The document as read (nothing when it could not be read).
  SourceFilePtr source;
  // Every diagnostic found, also those in files the document imports or runs.
  DiagnosticList diagnostics;
  // A process file: its program (the document and its imports) and model.
  std::optional<Compilation> compilation;
  // A scenario file: its scenarios (with their set-ups' lines in them).
  std::vector<scenario::Scenario> scenarios;
};

// Checks `path`, reading it (and what it imports or names) from `unsaved` where an editor holds a
// text for it, from disk otherwise. `unsaved` keys are normalised absolute paths.
DocumentCheck check_document(const std::filesystem::path& path, const std::vector<std::filesystem::path>& stdlib_dirs,
                             const std::map<std::string, std::string>& unsaved = {});

}  // namespace termijn::tooling
