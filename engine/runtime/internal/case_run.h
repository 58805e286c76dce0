// One case's tokens, moved forward within one command: the runtime's working part, private to
// engine/runtime. Its members live by construct family (what each does is said at its definition):
//   case_run.cc  the token machine, the step switch (one member per kind), sub-process calls
//   tasks.cc     opening a task with its deadline and ladder, cancelling it, firing a rung
//   terms.cc     named timers, moving them, refusing to move a passed one, stages bound to a term
//   events.cc    delivering events, handlers and interrupts, cancelling tokens, ending the case
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/json_text.h"
#include "engine/runtime/evaluator.h"
#include "engine/runtime/runtime.h"

namespace termijn::runtime {

using model::kNoNode;
using model::Node;
using model::NodeId;
using model::NodeKind;

class CaseRun {
 public:
  // `process`: the case's definition, when the caller has found it already.
  CaseRun(Runtime& rt, Changes& changes, CaseId id, Instant now, const model::Process* process = nullptr)
      : rt_(rt), changes_(changes), id_(id), now_(now), process_(process) {}

  // ---- the machine (case_run.cc) ----
  // Found once: neither the case's place nor its definition changes within a command.
  Instance& c() {
    if (case_ == nullptr) case_ = &rt_.current(id_, changes_);
    return *case_;
  }
  const model::Process& process() {
    if (process_ == nullptr) process_ = rt_.definition(c().hash);
    return *process_;
  }
  void run();
  void step(int id);
  int spawn(NodeId node, std::vector<Frame> frames, std::vector<int> scopes,
            std::map<std::string, Instant> received = {});
  Token* token(int id);
  void remove_token(int id);
  void move(int id, NodeId target);
  void next(int id);
  EvalContext context(const Token* t);
  // Whether the command records in full (Runtime::Recording): text and JSON only people read.
  bool full() const { return rt_.recording_ == Runtime::Recording::kFull; }
  // An entry with its facts; `detail` writes its fields (void(JsonObjectText&)), called only when
  // recording in full. Fields in the order nlohmann::json sorts keys (see JsonObjectText).
  // Recording facts, only of the kinds the caller reads.
  template <typename Detail>
  void audit(AuditKind kind, AuditFact fact, Detail&& detail) {
    if (!full() && !rt_.facts_.has(kind)) return;
    std::string text;
    if (full()) {
      JsonObjectText fields;
      detail(fields);
      text = fields.take();
    }
    changes_.audit.push_back(AuditEntry{id_, now_, kind, std::move(text), fact});
  }
  // Nothing when recording facts only: callers that format a message check full() first, and
  // what the others pass is copied only when it is kept.
  void notify(const std::vector<std::string>& roles, std::string_view message, std::string_view source,
              std::vector<std::string> persons = {});
  // `for each x in list where condition`: the elements the condition holds for, audited.
  Json select(const Node& node, Json list, const Token& token);
  // Rows for the store; none when recording facts only.
  void write(const Task& t) {
    if (full()) changes_.tasks[t.id] = t;
  }
  void write(Task&& t) {
    if (full()) changes_.tasks[t.id] = std::move(t);
  }
  void write(const Timer& t) {
    if (full()) changes_.timers[t.id] = t;
  }
  // In place, before this case's part first changes (Runtime::keep_task, ...).
  void keep_task(TaskId task) { rt_.keep_task(id_, task, changes_); }
  void keep_timer(TimerId timer) { rt_.keep_timer(id_, timer, changes_); }
  void keep_reached(NodeId node) { rt_.keep_reached(id_, node, changes_); }
  TimerId schedule(Timer timer);
  // An incident's timer (kFailed) that is cancelled closes the incident, audited as `kind` with
  // `reason`: by default because the case moved past it (the task was done, the case ended).
  void cancel_timer(TimerId id, AuditKind kind = AuditKind::kIncidentClosed,
                    std::string_view reason = "the case moved past it");
  void call(int id, const Node& node);

  // ---- tasks (tasks.cc) ----
  void open_task(int id, const Node& node);
  Deadline compute_due(const Node& node, const EvalContext& ctx);
  void plan_rungs(const Task& task, const Node& node, std::size_t from);
  void cancel_rungs(TaskId task);
  void cancel_task(TaskId id, const std::string& why);
  void escalate(const Timer& timer, std::int64_t late_ms);

  // ---- timers and terms (terms.cc) ----
  const Timer* pending_named_timer(const std::string& name);
  void refuse_if_passed(const Node& set);
  // `step` (a timer or set step) sets or moves the timer its target names.
  void set_named_timer(const Node& step, Deadline at);
  void replan(const std::string& because);
  void fired(Timer& timer);
  void end_bound_stages(const Timer& timer);
  void end_stage(int scope_instance, const Timer& timer);
  const Task* task_of(const Token& t);

  // ---- events and the end of a case (events.cc) ----
  std::vector<int> scope_stack(int scope_instance);
  bool deliver(const std::string& event);
  void interrupt(int scope_instance, const std::string& why);
  void close_scopes(int scope_instance);
  void cancel_token(int id, const std::string& why);
  void finish(CaseStatus status, const std::string& reason, bool notify_parent = true);
  void retry_guards();

 private:
  Runtime& rt_;
  Changes& changes_;
  CaseId id_;
  Instant now_;
  Instance* case_ = nullptr;
  const model::Process* process_ = nullptr;
  const HolidayCalendar* calendar_ = nullptr;  // the process's, found once (context())
};

}  // namespace termijn::runtime
