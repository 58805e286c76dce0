// Everything one engine step changes, to be committed in one store transaction: the new state of
// the cases it touched, task and timer rows, audit entries and notifications for the outbox.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "engine/runtime/audit_kind.h"
#include "engine/runtime/instance.h"

namespace termijn::runtime {

// What a simulation reads of an audit entry, recorded beside its detail so that it can do
// without it (Runtime::Recording::kFacts).
struct AuditFact {
  const model::Node* node = nullptr;  // the milestone, task, stage entered, or timer or set step
  std::int64_t number = 0;  // task opened: the task; escalated: the rung; sub-process started: its case
  bool flag = false;        // task completed: late
};

struct AuditEntry {
  CaseId case_id = 0;
  Instant at;
  AuditKind kind;
  // The detail as JSON text of an object, as stored (made once, where the entry is made: see
  // JsonObjectText); empty when recording facts only.
  std::string detail = "{}";
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

// In place, the entries of one part of a case (its tasks, its timers, ...) as they were before a
// command first changed each: nullopt for one that was not there. A command changes a handful,
// kept in a vector searched in order rather than a tree node each; past kFew, a set of the keys
// finds them, so that a command changing thousands (a case with a long `for each` ending) does
// not search in quadratic time.
template <typename Key, typename Value>
class FirstValues {
 public:
  using Entry = std::pair<Key, std::optional<Value>>;
  // Keeps `live`'s entry of `key` unless it was kept already: what `project` makes of it (by
  // default, a copy).
  template <typename Map, typename Project>
  void keep(const Map& live, const Key& key, Project project) {
    if (entries_.empty()) entries_.reserve(kFirst);
    if (!first_time(key)) return;
    try {
      std::optional<Value>& was = entries_.emplace_back(key, std::nullopt).second;
      if (auto it = live.find(key); it != live.end()) was.emplace(project(it->second));  // made in place, once
    } catch (...) {
      // Not kept after all (the copy ran out of memory): a key noted without its entry, or an
      // entry saying it was not there, would have undo() leave the entry as the command left it,
      // or erase it.
      if (!entries_.empty() && entries_.back().first == key) entries_.pop_back();
      if (!many_.empty()) many_.erase(key);
      throw;
    }
  }
  template <typename Map>
  void keep(const Map& live, const Key& key) {
    keep(live, key, [](const Value& v) -> const Value& { return v; });
  }
  // Empty again, keeping the room (a log used again by the next command).
  void clear() {
    entries_.clear();
    if (!many_.empty()) many_.clear();  // clearing walks the buckets, even of an empty set
  }
  auto begin() { return entries_.begin(); }
  auto end() { return entries_.end(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

 private:
  static constexpr std::size_t kFirst = 4;  // room for what most commands change, without moving
  static constexpr std::size_t kFew = 16;
  bool first_time(const Key& key) {
    if (entries_.size() < kFew) {
      return std::none_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.first == key; });
    }
    if (many_.empty()) {
      try {
        for (const Entry& e : entries_) many_.insert(e.first);
      } catch (...) {
        many_.clear();  // all the keys or none: a set missing some would keep those twice
        throw;
      }
    }
    return many_.insert(key).second;
  }
  std::vector<Entry> entries_;
  std::unordered_set<Key> many_;  // every key kept, once there are kFew
};

// Where a timer stood before a command changed it: all apply() needs to re-index it.
struct TimerPlace {
  TimerStatus status;
  Instant due;
};

// In place (Runtime::set_in_place), what a command needs to undo its changes to one case when
// it is refused, and what apply() re-indexes: the case's small parts as they were, and each task,
// timer, moment, output and the data as they were before the command first changed them.
struct CaseUndo {
  bool created = false;  // the command started the case: undone, it goes
  // The case's parts as they were are kept (Runtime::set_undo_log): without them, only where the
  // tasks and timers the command changed stood is, for apply() to re-index.
  bool complete = true;
  // Always: which of the tasks the command changed were open (engaged: it was), and where each
  // timer it changed stood. Copying the whole of each, for a log nothing will put back, cost a
  // simulation a tenth of its time.
  FirstValues<TaskId, std::monostate> tasks_open;
  FirstValues<TimerId, TimerPlace> timer_places;
  // Complete only: the parts as they were.
  Instance small;  // without tasks, timers, data, moments and outputs
  std::optional<Json> data;
  FirstValues<TaskId, Task> tasks;
  FirstValues<TimerId, Timer> timers;
  FirstValues<model::NodeId, Instant> reached;
  FirstValues<model::NodeId, std::shared_ptr<const GivenOutputs>> outputs;

  // Empty again for another command's case, keeping the room of its lists; `small` is left as it
  // is, for the next case's small parts to be assigned into.
  void clear() {
    created = false;
    complete = true;
    data.reset();
    tasks_open.clear();
    timer_places.clear();
    tasks.clear();
    timers.clear();
    reached.clear();
    outputs.clear();
  }
};

struct Changes {
  std::map<CaseId, Instance> cases;   // new state of every case touched
  std::map<TaskId, Task> tasks;       // rows to write (open, completed, cancelled)
  std::map<TimerId, Timer> timers;    // rows to write (pending, fired, cancelled)
  std::vector<AuditEntry> audit;
  std::vector<Notification> outbox;
  std::map<CaseId, CaseUndo> undo;  // in place only: the cases touched, in place of `cases`

  // As a new one, keeping the room of its lists: for a caller that runs command after command
  // (a simulation), one Changes used again.
  void clear() {
    cases.clear();
    tasks.clear();
    timers.clear();
    audit.clear();
    outbox.clear();
    undo.clear();
  }
};

}  // namespace termijn::runtime
