// The state of one running case: its data, tokens, tasks and timers. Plain values: a command
// works on a copy, which replaces the original when the command succeeds, or in place with an
// undo log of what it changed (runtime.h).
#pragma once

#include <boost/container/flat_map.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/model.h"
#include "engine/time/instant.h"

namespace termijn::runtime {

using Json = nlohmann::json;
using CaseId = std::int64_t;
using TaskId = std::int64_t;
using TimerId = std::int64_t;

// A computed moment and why it is what it is: the base, the term and its article, and every
// calendar adjustment, in order.
struct Deadline {
  Instant at;
  std::vector<std::string> why;
};

enum class TaskStatus { kOpen, kCompleted, kCancelled };
const char* to_string(TaskStatus status);

// A completed task's outputs, and their JSON text when the runtime records in full (the task's
// row and its audit entry hold it). Empty text: not made (a simulation stores nothing).
struct GivenOutputs {
  Json value;
  std::string text;
  // The completed task whose row holds them, where a restart reads them back: the case's stored
  // state names that task instead of repeating them ("output_tasks"). 0: a state keeps them
  // itself (a simulation's, or a state written before schema 7).
  TaskId task = 0;
};

struct Task {
  TaskId id = 0;
  CaseId case_id = 0;
  model::NodeId node = model::kNoNode;
  int token = 0;
  std::string name;
  std::string title;
  std::string role;  // who must do it now (changes when an escalation reassigns it)
  TaskStatus status = TaskStatus::kOpen;
  Instant opened;
  Deadline due;
  std::optional<Instant> closed;
  std::string closed_by;  // the acting role, or why it was cancelled
  // Once completed, recording in full: what was given, shared with the case (its text is the
  // task row's). None: nothing given yet ({}).
  std::shared_ptr<const GivenOutputs> outputs;
  int escalation_level = 0;  // rungs fired so far
};

enum class TimerKind { kNamed, kRung, kWait };
// kFailed: its consequence could not be computed (a value the process needs is missing). It is an
// incident: held, neither pending nor fired, until a person retries it or dismisses it.
enum class TimerStatus { kPending, kFired, kCancelled, kFailed };
const char* to_string(TimerKind kind);
const char* to_string(TimerStatus status);

struct Timer {
  TimerId id = 0;
  CaseId case_id = 0;
  TimerKind kind = TimerKind::kNamed;
  std::string name;  // kNamed: the timer's name; kRung: "<task>#<rung>"; kWait: the wait step
  TaskId task = 0;   // kRung
  int rung = 0;      // kRung: index in the task's ladder
  int token = 0;     // kWait
  Deadline due;
  TimerStatus status = TimerStatus::kPending;
  std::optional<Instant> fired_at;
  std::optional<Instant> failed_at;  // kFailed: when it fell due and could not fire
  std::string failure;               // kFailed: why
};

// Where a token is inside parallel branches and `for each` bodies: one frame per fork.
struct Frame {
  int fork = 0;
  Json vars = Json::object();  // the `for each` element
};

enum class TokenState { kReady, kTask, kWaitTimer, kWaitEvent, kGuard, kCall };
const char* to_string(TokenState state);

struct Token {
  int id = 0;
  model::NodeId node = model::kNoNode;
  TokenState state = TokenState::kReady;
  std::vector<Frame> frames;
  std::vector<int> scopes{0};  // open scope instances, outermost (the process) first
  TaskId task = 0;
  TimerId timer = 0;
  std::string waiting_for;  // kWaitEvent: the event; kGuard: the reason it was refused
  CaseId child = 0;         // kCall
  // The events whose handler this token runs in, and when each arrived: a deadline may count
  // from the arrival (art. 6 Wth: the hearing follows the request, not the ban).
  std::map<std::string, Instant> received;
};

struct Fork {
  int expected = 0;
  int arrived = 0;
};

struct ScopeInstance {
  int scope = 0;  // model scope id
  int parent = -1;
  // Where the token that entered was (its forks and `for each` element): where the flow goes
  // on when a bound stage's term ends it.
  std::vector<Frame> frames;
  std::map<std::string, Instant> received;
};

// A bound stage that ended because its term passed: later events are refused with the reason.
struct StageEnd {
  std::string stage;
  std::string term;
  Instant at;
};

// What a case keeps by step (model::NodeId): a dozen entries or so, added one at a time as the
// case goes and looked up by step, in one sorted array rather than a tree node each. Adding one
// moves the entries after it: no reference into one is kept across a change.
template <typename T>
using ByStep = boost::container::flat_map<model::NodeId, T>;

enum class CaseStatus { kRunning, kCompleted, kTerminated };
const char* to_string(CaseStatus status);

struct Instance {
  CaseId id = 0;
  std::string process;
  std::string hash;  // the definition version this case runs on
  CaseStatus status = CaseStatus::kRunning;
  int level = 0;     // the case's escalation level
  Instant started;
  std::optional<Instant> ended;
  std::string end_reason;
  CaseId parent_case = 0;  // a sub-process: the case that called it, and the token waiting
  int parent_token = 0;

  Json data = Json::object();
  ByStep<Instant> reached;  // milestones and completed tasks
  // Completed tasks' outputs. Shared, not copied: a command may work on a copy of the case, and
  // outputs once given are replaced whole, never changed.
  ByStep<std::shared_ptr<const GivenOutputs>> outputs;
  std::map<std::string, TimerId> named_timers;

  std::vector<Token> tokens;
  std::map<int, Fork> forks;
  std::map<int, ScopeInstance> scopes{{0, ScopeInstance{0, -1, {}, {}}}};
  std::map<TaskId, Task> tasks;
  std::map<TimerId, Timer> timers;
  std::vector<StageEnd> stage_ends;
  int next_token = 1;
  int next_fork = 1;
  int next_scope = 1;
};

// The case's state: everything but its open tasks and live timers, which the store keeps as rows
// of their own (written only when a step changes them) and adds back when it reads the case.
Json to_json(const Instance& instance);
// The state as the store keeps it: to_json(instance).dump(), but for the outputs the completed
// tasks' rows hold (GivenOutputs::task): it names those tasks ("output_tasks") instead, and the
// store adds the outputs back from their rows.
// Written straight to text: the store writes it at every step of a case, and the case data
// would otherwise be copied first.
std::string state_text(const Instance& instance);
Instance instance_from_json(const Json& j);
Json to_json(const Task& task);
Json to_json(const Timer& timer);
// The case whole: its state, open tasks and live timers, for comparing the live state with what
// the store gives back.
Json whole_json(const Instance& instance);

// The names to_string gives, read back (a row's status or kind); std::invalid_argument for any
// other text, which only a damaged row holds.
TaskStatus task_status_from(std::string_view name);
TimerKind timer_kind_from(std::string_view name);
TimerStatus timer_status_from(std::string_view name);

}  // namespace termijn::runtime
