// The compiled, immutable form of a checked process: a graph of nodes with every name resolved.
// The engine (runtime) executes this; the checker is the only code that builds it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/binary_op.h"
#include "engine/base/duration.h"
#include "engine/base/source.h"
#include "engine/model/instrument.h"
#include "engine/model/type.h"

namespace termijn::model {

using NodeId = int;
inline constexpr NodeId kNoNode = -1;

// A resolved expression. Names point at what they mean: a case field, a task's output, the
// moment a step was reached, a legal term (with its value for this process), a loop variable.
struct Expr {
  enum class Kind {
    kBool, kInt, kText, kDuration, kEnumValue, kNow,
    kField,     // case.<name>
    kOutput,    // <node>.<name>: an output of a completed task
    kReached,   // the instant <node> (milestone, task, timer due) was reached
    kTerm,      // a legal term: `name` is "Group.term", `duration` its value here
    kVariable,  // the element of a `for each`
    kCount,     // count(list)
    kReceived,  // the moment the event `text` arrived: inside its handler, this arrival
    kAttribute, // <person>.<text>: an attribute of a person (operands[0])
    kAge,       // age(<person or birth moment> [, <moment>]): whole years, at now unless a moment is given
    kNot, kBinary,
  };
  Kind kind = Kind::kBool;
  Type type;
  SourceRange range;
  bool bool_value = false;
  // kTerm: the term is declared `with termijnenwet`, so the Algemene termijnenwet may move its
  // end. Known when the process is compiled, so that a deadline need not look its term up.
  bool termijnenwet = false;
  std::int64_t int_value = 0;
  std::string text;  // kText value, kEnumValue member, kField/kOutput/kVariable/kTerm name
  Duration duration;
  NodeId node = kNoNode;  // kOutput, kReached
  BinaryOp op = BinaryOp::kAdd;
  std::vector<Expr> operands;
};

// Prints an expression back in the language's own syntax (used in graphs and hashes).
std::string to_source(const Expr& expr);

struct Field {
  std::string name;
  Type type;
  SourceRange range;
  // `name: type required`: a case cannot start without it, nor lose it by an update.
  bool required = false;
};

struct LegalTerm {
  std::string group;  // "Wth"
  std::string name;   // "eerste_termijn"
  Duration value;
  std::string cite;   // "art. 2 lid 1 Wth"
  SourceRange range;  // where this value was set
  bool overridden = false;  // set by this process rather than by the terms group
  // The Algemene termijnenwet applies: an end on a Saturday, Sunday or public holiday moves to
  // the next working day (art. 1 Atw). Off unless the term says so.
  bool termijnenwet = false;
  std::string qualified() const { return group + "." + name; }
};

struct Calendar {
  std::string name;
  std::string rules;  // "NL": Dutch public holidays
  std::string cite;
};

// One rung of an escalation ladder: fires once, at due + offset (offset may be negative).
struct EscalationRung {
  Duration offset;
  bool at_due = false;
  std::vector<std::string> notify;  // roles to notify
  std::optional<std::string> message;
  std::optional<std::string> reassign_to;
  std::optional<int> raise_level;
  SourceRange range;
};

enum class NodeKind {
  kStart,          // a start route's entry (one per `start on`)
  kTask,           // a human task with a role and a deadline
  kMilestone,      // records the instant it is reached
  kDecision,       // exclusive gateway: the first edge whose condition holds
  kTimer,          // starts (or restarts) a named timer and moves on
  kWaitUntil, kWaitFor,
  kParallelSplit, kParallelJoin,
  kForEachSplit, kForEachJoin,
  kCall,           // runs a sub-process to its end
  kGuard,          // `require`: refuses with a reason until its condition holds
  kNotify, kSignal, kSet,
  kScopeEnter, kScopeExit,  // a stage (or the process) begins / ends; handlers listen in between
  kEnd,
};
const char* to_string(NodeKind kind);

// How a node relates to the parent process of a variant.
enum class Origin { kOwn, kInherited, kOverridden, kAdded };
const char* to_string(Origin origin);

struct Edge {
  NodeId target = kNoNode;
  std::optional<Expr> condition;  // decisions only; none on `otherwise`
  std::string label;              // "otherwise", a branch name, "on overtreding", ...
  bool detached = false;          // a parallel branch that ends on its own: the join does not wait for it
};

struct Node {
  NodeId id = kNoNode;
  NodeKind kind = NodeKind::kEnd;
  std::string name;   // the step's name, or a generated one ("end#3") for unnamed steps
  std::string title;  // the human title, when given
  SourceRange range;
  Origin origin = Origin::kOwn;
  int scope = 0;      // the innermost scope (stage) the node runs in
  std::vector<Edge> next;

  // kTask
  std::string role;
  std::optional<Expr> due;     // an instant, or
  std::optional<Expr> within;  // a duration counted from when the task opens
  std::vector<Field> outputs;
  // The positions of `outputs` in the order of their names (a JSON object's order): a completion's
  // outputs are matched by walking both, not by a search per name. Made with the process
  // (index_outputs); not part of its canonical form.
  std::vector<std::size_t> outputs_by_name;
  std::vector<EscalationRung> escalation;
  std::string cite;
  std::string instrument;  // the checklist this task fills in (its items are among the outputs)

  // kForEachSplit: `where`, checked for each element with the loop variable bound to it.
  std::optional<Expr> filter;
  // kNotify: persons told besides the roles; each a person or a list of persons.
  std::vector<Expr> persons;

  // kTimer, kWaitUntil: the instant; kGuard: the condition; kSet: the value;
  // kForEachSplit: the list.
  std::optional<Expr> expr;
  // kTimer/kSet: the timer or field; kCall: the process; kWaitFor, kSignal: the event;
  // kForEachSplit: the loop variable; kStart: the event.
  std::string target;
  std::vector<std::pair<std::string, Expr>> arguments;  // kCall
  std::vector<std::string> roles;                       // kNotify
  std::string message;    // kNotify message, kGuard reason, kEnd reason
  std::string escalate_to;  // kGuard
  NodeId partner = kNoNode;  // split <-> join, scope enter <-> exit
};

struct Handler {
  std::string event;     // an external event or a timer's name
  bool interrupting = false;
  NodeId entry = kNoNode;  // where the handler's flow starts
  SourceRange range;
};

// `hand on task [to role]`: open work that outlives its stage's term.
struct HandOn {
  NodeId task = kNoNode;
  std::string to_role;  // empty: the role it had
};

// A stage (or the whole process, scope 0): handlers listen while a token is inside it; an
// interrupting handler cancels everything in it.
struct Scope {
  int id = 0;
  int parent = -1;
  std::string name;
  NodeId enter = kNoNode;
  NodeId exit = kNoNode;
  std::vector<Handler> handlers;
  // `stage x until timer`: the stage ends when the timer passes. Its handlers stop listening, its
  // open work is cancelled except what `hand on` keeps, and the flow goes on at `on_end` (the
  // `when timer passes` block) or after the stage. A body that finishes early waits for the term.
  std::string until;
  NodeId on_end = kNoNode;
  std::vector<HandOn> handed_on;
};

// Who is told of an incident when a process names no one: the role that administers.
inline constexpr const char* kDefaultIncidentRole = "beheer";

struct Process {
  std::string name;
  int version = 1;
  std::string title;
  std::string parent;  // the process this one extends, if any
  std::vector<std::string> roles;
  std::vector<Field> fields;
  // `persons { geboortedatum: datetime ... }`: the attributes every person of a case may carry,
  // besides its `id`. A person is {"id": "...", attribute: value, ...}, or just its id as text.
  std::vector<Field> person_attributes;
  std::vector<Instrument> instruments;
  std::vector<std::string> events;
  // Who may send an event (art. 3 Wth: only the mayor revokes); an event not here may come from anyone.
  std::map<std::string, std::vector<std::string>> event_senders;
  // `events x with (a, b)`: the case fields each event may carry; an event not here carries none.
  std::map<std::string, std::vector<std::string>> event_fields;
  std::vector<LegalTerm> terms;  // every term the process uses, with this process's value
  std::optional<Calendar> calendar;
  // Who is told at once when a timer of a case cannot fire (an incident): the role that
  // administers, unless the process names another.
  std::string incident_role = kDefaultIncidentRole;
  std::vector<Node> nodes;
  std::vector<Scope> scopes;
  std::vector<NodeId> starts;            // kStart nodes
  std::vector<std::string> removed;      // steps of the parent this variant removed
  SourceRange range;
  std::string hash;  // SHA-256 of the canonical form: the definition's version identity

  const Node* find_node(const std::string& name) const;
  const LegalTerm* find_term(const std::string& qualified) const;
  const Instrument* find_instrument(const std::string& instrument_name) const;
};

struct Model {
  std::vector<std::shared_ptr<const Process>> processes;
  const Process* find(const std::string& name) const;
};

// The canonical text a process's hash is computed over (stable across whitespace and comments).
std::string canonical_form(const Process& process);

// Sets every node's outputs_by_name: the last step of compiling a process, once variants have
// added their outputs.
void index_outputs(Process& process);

}  // namespace termijn::model
