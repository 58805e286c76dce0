// `termijn diff`: what one checked process changes against another (a regional variant against
// its parent, or a version against the previous one), in steps, in terms and in time. It reads
// only the compiled model, so it sees what the engine would run, not how the file is written.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "engine/model/model.h"

namespace termijn::diff {

// One property that differs: "deadline", "role", "escalation", "outputs", "title", "cite", ...
// `before` or `after` is empty when the property exists on one side only.
struct Change {
  std::string what;
  std::string before;
  std::string after;
};

enum class StepStatus { kAdded, kRemoved, kChanged };
const char* to_string(StepStatus status);

struct StepDiff {
  StepStatus status = StepStatus::kChanged;
  std::string name;
  std::string kind;   // "task", "milestone", ...
  std::string title;  // the newer side's title, else the older's
  std::string summary;  // added or removed: its role and deadline in a few words
  std::vector<Change> changes;  // kChanged only
};

// A legal term whose value or citation differs, or that only one side uses.
struct TermDiff {
  std::string term;  // "Wth.eerste_termijn"
  std::string before, after;  // "10 days"; empty when that side does not use it
  std::string cite_before, cite_after;
};

// A moment in the timeline: counted from an anchor (the case's start, a milestone, an event's
// arrival, a moment in the case data), or not computable from the model alone.
struct When {
  bool known = false;
  std::string anchor;        // known: "start", a milestone, "event X", "field X"
  std::string anchor_label;  // known: "the start of the case", "'Huisverbod opgelegd' (opgelegd)"
  std::string at;            // known: "day 10", "day 0 +4 h"; else "4 hours after rihg opens"
  std::string condition;     // unknown: why ("it opens after screening_bpz")
  double order = 0;          // approximate minutes from the anchor, to sort by
};

struct TimelineEntry {
  When when;
  std::string step;  // the step it concerns
  std::string text;  // "rihg due after 4 hours instead of 8 hours"
};

struct ProcessDiff {
  std::string before_name, after_name;
  int before_version = 0, after_version = 0;
  std::vector<Change> process;  // title, version, roles, events, starts
  std::vector<StepDiff> steps;
  std::vector<TermDiff> terms;
  std::vector<TimelineEntry> timeline;  // known moments first, by anchor and time; then the rest
  bool empty() const { return process.empty() && steps.empty() && terms.empty() && timeline.empty(); }
};

// Compares `after` against `before` (its parent, or its previous version).
ProcessDiff compare(const model::Process& before, const model::Process& after);

// Readable text for a coordinator: steps, terms, timeline.
std::string render_text(const ProcessDiff& diff);
nlohmann::json to_json(const ProcessDiff& diff);

}  // namespace termijn::diff
