// Everything one engine step changes, to be committed in one store transaction: the new state of
// the cases it touched, task and timer rows, audit entries and notifications for the outbox.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/runtime/instance.h"

namespace termijn::runtime {

struct AuditEntry {
  CaseId case_id = 0;
  Instant at;
  std::string kind;  // "case started", "task opened", "escalated", "refused", ...
  Json detail = Json::object();
};

struct Notification {
  CaseId case_id = 0;
  Instant at;
  std::vector<std::string> roles;
  std::string message;
  std::string source;  // the step or escalation rung that sent it
  std::vector<std::string> persons;  // the ids of persons told (`notify achterblijvers "..."`)
};

struct Changes {
  std::map<CaseId, Instance> cases;   // new state of every case touched
  std::map<TaskId, Task> tasks;       // rows to write (open, completed, cancelled)
  std::map<TimerId, Timer> timers;    // rows to write (pending, fired, cancelled)
  std::vector<AuditEntry> audit;
  std::vector<Notification> outbox;
};

}  // namespace termijn::runtime
