// When things happen in one process, as far as the compiled model says: each task's deadline,
// each escalation rung and each named timer, counted from an anchor the model cannot place
// itself (the case's start, a milestone, an event's arrival, a moment in the case data).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/diff/diff.h"
#include "engine/model/model.h"

namespace termijn::diff::internal {

// A sum of durations of each kind: they do not convert into one another (docs/language.md).
struct Offset {
  std::int64_t months = 0, days = 0, working_days = 0, minutes = 0;
  friend bool operator==(const Offset&, const Offset&) = default;
};

// An anchor plus an offset. When the model cannot place a moment (a task that opens after other
// work), `base` says what it counts from instead ("rihg opens") and `condition` why.
struct Moment {
  bool known = false;
  std::string anchor, anchor_label;  // known
  std::string base, condition;       // unknown
  Offset offset;
  // Same place in time as the model computes it (the reason an unknown moment is unknown may differ).
  bool same_as(const Moment& other) const {
    return known == other.known && anchor == other.anchor && base == other.base && offset == other.offset;
  }
};

// One thing that happens at a moment: a deadline, a rung, a timer going off.
struct TimedItem {
  std::string key;    // unique within a process: "rihg due", "rihg rung 2", "einde timer"
  std::string step;
  std::string label;  // "rihg due", "einde", "zorgadvies escalates"
  std::string action;  // a rung: what it does ("notify teamleider"); else empty
  Moment moment;
};

std::vector<TimedItem> timed_items(const model::Process& process);

// What a rung does, as the language writes it: "notify teamleider and raise level 1"; with its
// message after the roles it notifies when `with_message` ("notify teamleider \"te laat\"").
std::string rung_action(const model::EscalationRung& rung, bool with_message);

// The moment as a coordinator reads it: "day 10", "day 0 +4 h", "4 hours after rihg opens".
When describe(const Moment& moment);
std::string describe(const Offset& offset);

}  // namespace termijn::diff::internal
