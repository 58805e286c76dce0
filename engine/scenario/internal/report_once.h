// What the scenario reader (scenario.cc) and the checking and running of scenarios
// (scenario_run.cc) share; not part of the public scenario.h.
#pragma once

#include "engine/base/diagnostic.h"

namespace termijn::scenario {

// Adds unless a diagnostic with the same text at the same place of the same path is there: an
// included file is read anew for every file that includes it (and by `termijn test` on its own),
// and a set-up's mistake is the same mistake for every scenario that uses it.
void add_once(DiagnosticList& into, const Diagnostic& diagnostic);

}  // namespace termijn::scenario
