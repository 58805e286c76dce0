// A process whose task, once completed, changes the case and then loops until the step limit
// refuses the command: for the tests of undoing a command refused half-way (runtime and engine).
#pragma once

namespace termijn::testing {

// Completing `eerst` reaches a milestone, sets a timer and changes the data, and then the
// process loops without waiting until the step limit refuses the command.
inline constexpr const char* kLooping = R"(
process lus {
  roles medewerker
  events aanvraag
  case { teller: int }
  start on aanvraag
  task eerst by medewerker within 1 days
  milestone klaar
  timer einde = klaar + 10 days
  opnieuw: set teller = teller + 1
  goto opnieuw
}
)";

}  // namespace termijn::testing
