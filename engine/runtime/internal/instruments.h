// Completing a task that fills in an instrument: every item answered, the outcome computed by
// the instrument's rules, and a motivation whenever the chosen outcome is another.
#pragma once

#include "engine/base/status.h"
#include "engine/model/instrument.h"
#include "engine/runtime/instance.h"

namespace termijn::runtime {

// `outputs` holds the converted answers as given; on success it also holds the computed outcome,
// the chosen one (the computed one unless given) and the motivation (empty when not needed), and
// `scored` (when given) says which rule gave the computed outcome, for the audit.
Status fill_in(const model::Instrument& instrument, const std::string& task, Json& outputs, Json* scored);

}  // namespace termijn::runtime
