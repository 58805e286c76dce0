// Everything one engine step changes, to be committed in one store transaction: the new state of
// the cases it touched, task and timer rows, audit entries and notifications for the outbox.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/runtime/instance.h"

namespace termijn::runtime {

// What a simulation reads of an audit entry, recorded beside its JSON detail so that it can do
// without it (Runtime::Recording::kFacts).
struct AuditFact {
  const model::Node* node = nullptr;  // the milestone, task, stage entered, or timer or set step
  std::int64_t number = 0;  // task opened: the task; escalated: the rung; sub-process started: its case
  bool flag = false;        // task completed: late
};

struct AuditEntry {
  CaseId case_id = 0;
  Instant at;
  std::string kind;  // "case started", "task opened", "escalated", "refused", ...
  Json detail = Json::object();  // null when recording facts only
  AuditFact fact{};
};

struct Notification {
  CaseId case_id = 0;
  Instant at;
  std::vector<std::string> roles;
  std::string message;
  std::string source;  // the step or escalation rung that sent it
  std::vector<std::string> persons;  // the ids of persons told (`notify achterblijvers "..."`)
};

// In place (Runtime::set_in_place), what a command needs to undo its changes to one case when
// it is refused, and what apply() re-indexes: the case's small parts as they were, and each task,
// timer, moment, output and the data as they were before the command first changed them.
struct CaseUndo {
  bool created = false;  // the command started the case: undone, it goes
  Instance small;        // without tasks, timers, data, moments and outputs
  std::optional<Json> data;
  std::map<TaskId, std::optional<Task>> tasks;  // nullopt: none before (a new task)
  std::map<TimerId, std::optional<Timer>> timers;
  std::map<model::NodeId, std::optional<Instant>> reached;
  std::map<model::NodeId, std::optional<std::shared_ptr<const Json>>> outputs;
};

struct Changes {
  std::map<CaseId, Instance> cases;   // new state of every case touched
  std::map<TaskId, Task> tasks;       // rows to write (open, completed, cancelled)
  std::map<TimerId, Timer> timers;    // rows to write (pending, fired, cancelled)
  std::vector<AuditEntry> audit;
  std::vector<Notification> outbox;
  std::map<CaseId, CaseUndo> undo;  // in place only: the cases touched, in place of `cases`
};

}  // namespace termijn::runtime
