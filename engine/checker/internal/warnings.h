// Warnings: what checks clean but is probably not what the writer meant. None changes the model;
// `termijn check --werror` makes them errors, which is how the shipped processes are held.
#pragma once

#include "engine/base/diagnostic.h"
#include "engine/checker/internal/variants.h"
#include "engine/model/model.h"

namespace termijn::checker {

// Roles and events the process declares but never uses; terms it sets without a citation; an
// escalation rung that would fire after the term its stage runs until has ended the task.
void warn(const ResolvedProcess& resolved, const model::Process& process, DiagnosticList& diagnostics);

}  // namespace termijn::checker
