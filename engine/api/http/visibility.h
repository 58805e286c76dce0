// Need to know (art. 9 AVG): what a caller may see of a case, by one rule that every route uses
// (the case list, a case, its timeline and deadlines, its tasks), so no two routes can disagree
// about a case the caller may not see.
#pragma once

#include <string>

#include "engine/api/engine.h"

namespace termijn::http {

// Nothing (not even that the case exists), its course, or also its personal data.
enum class Sight { kNone, kCourse, kFull };

class Visibility {
 public:
  explicit Visibility(Engine& engine) : engine_(engine) {}

  // kFull: `role` has or had a task in the case. kCourse: it was notified in the case, may send
  // one of its events by the definition the case runs (or ran) on (the mayor follows every ban
  // they may revoke), or it administers. kNone otherwise, and when there is no such case.
  Sight of(const std::string& role, CaseId id);

  // A case's audit entries as a caller with `sight` may read them: with course sight only what
  // happened when (entry kinds, steps, tasks, timers, roles, deadlines), never which way a
  // decision went, outputs, event data, messages or who acted.
  static Json timeline(Sight sight, Json entries);

 private:
  Engine& engine_;
};

}  // namespace termijn::http
