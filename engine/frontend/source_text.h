// The gate every source file passes before a reader sees it (.wth, .scenario, .sim, .simrules):
// at most limits::kSourceBytes, and well-formed UTF-8. A file that fails gets one located error
// and is not read further, so no later stage meets bytes it cannot handle.
#pragma once

#include "engine/base/diagnostic.h"
#include "engine/base/source.h"

namespace termijn {

// True when the readers may go on with `source`; otherwise an error was added.
bool admit_source(const SourceFilePtr& source, DiagnosticList& diagnostics);

}  // namespace termijn
