// The gate every source file passes before a reader sees it (.wth, .scenario, .sim, .simrules):
// at most limits::kSourceBytes, and well-formed UTF-8. A file that fails gets one located error
// and is not read further, so no later stage meets bytes it cannot handle.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "engine/base/diagnostic.h"
#include "engine/base/source.h"

namespace termijn {

// Reads a source file from disk: a regular file only (not a folder, a device or a pipe, which
// could be read for ever), and at most limits::kSourceBytes + 1 bytes, so that admit_source can
// say the file is too large without holding more of it. Nothing when it cannot be read.
std::optional<std::string> read_text_file(const std::filesystem::path& path);

// True when the readers may go on with `source`; otherwise an error was added.
bool admit_source(const SourceFilePtr& source, DiagnosticList& diagnostics);

}  // namespace termijn
