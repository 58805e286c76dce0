// The checker: names, types, durations, flow and variants. It turns a loaded program into the
// immutable model and reports every mistake it finds as a diagnostic (it does not stop at the first).
#pragma once

#include <memory>

#include "engine/base/diagnostic.h"
#include "engine/frontend/loader.h"
#include "engine/model/model.h"

namespace termijn {

// Every process that checked without errors is in the model; a process with errors is left out,
// and so is a variant of it.
std::shared_ptr<const model::Model> check_program(const LoadedProgram& program,
                                                  DiagnosticList& diagnostics);

}  // namespace termijn
