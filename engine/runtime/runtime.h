// The runtime: executes compiled processes. It holds the live cases in memory; every command
// (start, complete, signal, update, cancel, a timer firing) describes its effect as Changes,
// which apply() makes the live state. By default a command works on copies of the cases it
// touches; the engine and a simulation run commands in place (set_in_place): no copies, a
// refusal undone from an undo log. The engine applies a command's changes at once, so the next
// command sees them, and commits them with the others of its group; when a commit fails it
// forgets the live cases and restores them from the store.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "engine/base/id_index.h"
#include "engine/base/status.h"
#include "engine/model/model.h"
#include "engine/runtime/changes.h"
#include "engine/runtime/due_queue.h"
#include "engine/time/legal_time.h"

namespace termijn::runtime {

class Runtime {
 public:
  explicit Runtime(const LegalTime& legal) : legal_(legal) {}

  // Definitions are immutable and kept for as long as a case may run on them.
  void add_definition(std::shared_ptr<const model::Process> process);
  const model::Process* definition(const std::string& hash) const;
  const model::Process* latest(const std::string& name) const;
  std::vector<std::shared_ptr<const model::Process>> definitions() const;

  // `role` is who sends the start or event: checked against the process's `events x by ...`.
  // Empty means the embedding host itself, which speaks with full authority.
  Result<CaseId> start(const std::string& process, const std::string& event, const Json& data, Instant now,
                       Changes& changes, const std::string& role = "");
  Status complete(TaskId task, const std::string& role, const Json& outputs, Instant now, Changes& changes);
  Status signal(CaseId id, const std::string& event, const Json& data, Instant now, Changes& changes,
                const std::string& role = "");
  Status update(CaseId id, const Json& data, Instant now, Changes& changes);
  Status cancel(CaseId id, const std::string& reason, Instant now, Changes& changes);
  // Fires one pending timer; NotFound when it is not pending (any more).
  Status fire(TimerId timer, Instant now, Changes& changes);
  // A timer whose consequence cannot be computed is not dropped: fire() makes it an incident
  // (held, audited, its process's incident role told). A person then either retries it, which
  // fires it now, exactly once, or is refused with the reason and nothing changes; or dismisses
  // it with a reason, which cancels it. Both are audited.
  Status retry(TimerId timer, Instant now, Changes& changes);
  Status dismiss(TimerId timer, const std::string& reason, Instant now, Changes& changes);
  // The open incidents: each failed timer and its case.
  const std::map<TimerId, CaseId>& incidents() const { return incidents_; }
  // The case of open incident `timer`; NotFound when there is none.
  Result<CaseId> incident_case(TimerId timer) const;

  // Pending timers due at or before `now` (when each fell due, and its id), earliest first, at
  // most `limit`.
  std::vector<std::pair<Instant, TimerId>> due_timers(Instant now, std::size_t limit) const;
  // How many pending timers are due at or before `now`.
  std::size_t count_due(Instant now) const;

  // Makes changes the live state. Moves the running cases' new state out of `changes` (the store
  // writes them from the live state); ended cases, tasks, timers, audit and outbox stay.
  void apply(Changes& changes);
  // Puts back what a command that succeeded changed, when it is not to be applied after all (its
  // host failed it on the way, or cannot store it): in place, from its undo log; on copies there
  // is nothing to put back.
  void discard(Changes& changes) {
    if (in_place_) undo(changes);
  }
  void restore(Instance instance);
  // Forgets every case (and the ids handed out), keeping the definitions: before restoring the
  // cases from the store after a commit failed.
  void forget_cases();
  void reserve_ids(CaseId next_case, TaskId next_task, TimerId next_timer);

  // The earliest pending timer (due, id), if any.
  std::optional<std::pair<Instant, TimerId>> next_due() const;
  // The running cases, in no order.
  const std::unordered_map<CaseId, Instance>& cases() const { return cases_; }
  const Instance* find_case(CaseId id) const;
  const Task* find_task(TaskId id) const;
  const LegalTime& legal() const { return legal_; }

  // A simulation reads the moments, not why they are what they are: off, deadlines and timers
  // carry no `why` (the same moments, without formatting dates into text). On by default.
  void set_explain_deadlines(bool explain) { explain_ = explain; }
  // What a command records besides the live state. kFull (the default): audit entries with their
  // JSON detail, task and timer rows, notifications, as the engine stores and delivers them.
  // kFacts: audit entries with their kind and facts only (AuditEntry::fact), no rows, no
  // notifications: what a simulation reads, without building text and JSON nobody reads; and of
  // those entries only the kinds in `facts`. The steps run the same either way.
  enum class Recording { kFull, kFacts };
  void set_recording(Recording recording, AuditKinds facts = AuditKinds::all()) {
    recording_ = recording;
    facts_ = facts;
  }
  // In place (before any case starts or is restored; the engine, a simulation): a command changes
  // the live case itself and keeps an undo log (Changes::undo) instead of working on a copy. A
  // refused command, or one that throws, is undone before it returns, so it still changes
  // nothing; apply() or discard() must follow every command that succeeds, and apply() re-indexes
  // only the tasks and timers in the log. Changes::cases then holds only the cases that ended.
  void set_in_place(bool in_place) { in_place_ = in_place; }
  // In place, every command keeps its undo log unless told otherwise. A caller that can start
  // over from the beginning (a simulation's replication: the same draws give the same run) may
  // have the commands it expects to succeed keep none (set_undo_log(false)): nothing of a case is
  // copied before the command changes it, only which tasks and timers it changed, for apply().
  // Such a command refused after it began to change a case cannot be put back: the runtime is
  // then spoiled() for good, its cases no longer what any series of commands made them, and the
  // caller throws it away and starts again with the log.
  void set_undo_log(bool keep) { undo_log_ = keep; }
  bool spoiled() const { return spoiled_; }

 private:
  friend class CaseRun;
  Instance& working(CaseId id, Changes& changes);
  // A case the command starts, and the case a command works on (after working() or create()).
  Instance& create(Instance instance, Changes& changes);
  Instance& current(CaseId id, Changes& changes) { return in_place_ ? cases_.at(id) : changes.cases.at(id); }
  // In place, before the command first changes each part: what undo() puts back.
  void keep_task(CaseId id, TaskId task, Changes& changes);
  void keep_timer(CaseId id, TimerId timer, Changes& changes);
  void keep_reached(CaseId id, model::NodeId node, Changes& changes);
  void keep_output(CaseId id, model::NodeId node, Changes& changes);
  void keep_data(CaseId id, Changes& changes);
  CaseUndo* undo_log(CaseId id, Changes& changes);  // nullptr: nothing to keep
  // The same, when the command keeps what undo() needs only (set_undo_log(false): nothing).
  CaseUndo* full_undo_log(CaseId id, Changes& changes);
  // In place: a refused command's changes undone; the live cases as they were.
  template <typename Command>
  auto undone_if_refused(Changes& changes, Command&& command) -> decltype(command()) {
    try {
      auto result = command();
      if (!result.is_ok()) undo(changes);
      return result;
    } catch (const Json::type_error&) {
      // An audit entry's text from a role or a reason that is not UTF-8 (JsonObjectText): only
      // from a host calling the runtime itself, as the engine refuses such text when given.
      undo(changes);
      return Status(StatusCode::kInvalidArgument, "the command holds text that is not UTF-8");
    } catch (...) {
      undo(changes);  // out of memory half way: the live cases as they were
      throw;
    }
  }
  void undo(Changes& changes);
  void apply_in_place(Changes& changes);
  Result<GivenOutputs> check_outputs(const model::Process& p, const model::Node& node, const Task& open,
                                     const Json& outputs, const model::Instrument* instrument, Json& scored) const;
  // Recording facts only (a simulation, which gives a step the same few outputs thousands of
  // times): the outputs given to `node` exactly as one of the last few times, as they were checked
  // then. The check depends on the step and the values alone (check_outputs), and outputs once
  // given are shared, never changed.
  std::shared_ptr<const GivenOutputs> given_before(const model::Node& node, const Json& outputs) const;
  void remember_given(const model::Node& node, const Json& outputs, std::shared_ptr<const GivenOutputs> checked);
  Status validate_data(const model::Process& process, const Json& data, Json& out) const;

  const LegalTime& legal_;
  bool explain_ = true;
  Recording recording_ = Recording::kFull;
  AuditKinds facts_ = AuditKinds::all();
  bool in_place_ = false;
  bool undo_log_ = true;
  bool spoiled_ = false;
  std::map<std::string, std::shared_ptr<const model::Process>> by_hash_;
  std::map<std::string, std::shared_ptr<const model::Process>> latest_;
  // Looked up by id at every step, several times: hashed, not a tree of thousands of levels' worth
  // of pointers to follow.
  std::unordered_map<CaseId, Instance> cases_;
  // The case of every open task and pending timer: looked up by id only, at every command, and
  // changed at most steps (engine/base/id_index.h).
  IdIndex task_index_;
  IdIndex timer_index_;
  // In place: undo logs that applied commands used, kept for their room (the next command's log
  // is one of them, its case's small parts assigned into the old), a few: a command touches one
  // case or two.
  static constexpr std::size_t kSpares = 4;
  std::vector<std::map<CaseId, CaseUndo>::node_type> spare_;
  std::map<TimerId, CaseId> incidents_;
  // By step (given_before): forgotten when a definition is added, which may free the old steps.
  struct RecentOutputs {
    Json given;
    std::shared_ptr<const GivenOutputs> outputs;
  };
  static constexpr std::size_t kRecentOutputs = 4;
  std::unordered_map<const model::Node*, std::vector<RecentOutputs>> recent_outputs_;
  DueQueue due_queue_;
  std::map<CaseId, std::vector<std::tuple<Instant, TimerId>>> queued_by_case_;
  CaseId next_case_ = 1;
  TaskId next_task_ = 1;
  TimerId next_timer_ = 1;
};

}  // namespace termijn::runtime
