// A process whose timer cannot fire, for the incident tests (API and web page).
#pragma once

namespace termijn::testing {

// Two days after the report the municipality must check the case within a day of a reference
// date, which the police did not give: on day 2 the deadline cannot be computed.
inline constexpr const char* kStoring = R"(process storing version 1 {
  title "Storing"
  roles politie, gemeente
  case {
    peildatum: datetime
  }
  events melding by politie
  start on melding

  milestone gemeld "Gemeld"
  wait until gemeld + 2 days
  task toets "Toetsen" by gemeente due peildatum + 1 day
}
)";

}  // namespace termijn::testing
