// The parsed form of a .wth file: termijn's own types, each node with its source range.
// The ANTLR parse tree never leaves parser.cc; this is what the rest of the engine sees.
// Nodes are plain values so that a regional variant can copy its parent's steps and patch them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/base/binary_op.h"
#include "engine/base/duration.h"
#include "engine/base/source.h"

namespace termijn::ast {

struct Ident {
  std::string name;
  SourceRange range;
};

// ---- expressions -------------------------------------------------------------------------
struct Expr {
  enum class Kind { kInt, kString, kBool, kDuration, kNow, kName, kMember, kCall, kNot, kBinary };
  using Op = BinaryOp;

  Kind kind = Kind::kInt;
  SourceRange range;
  // Unique within one checked process; the checker's side tables are keyed by it.
  int id = 0;
  std::int64_t int_value = 0;
  bool bool_value = false;
  Duration duration;
  // kString: the value; kName: the name; kMember: the member name; kCall: the function name.
  std::string text;
  SourceRange text_range;  // kMember: the member name's range
  Op op = Op::kAdd;
  // kMember: [object]; kNot: [operand]; kBinary: [lhs, rhs]; kCall: arguments.
  std::vector<Expr> operands;
};

// ---- declarations shared by processes ----------------------------------------------------
struct TypeRef {
  SourceRange range;
  Ident name;                         // "bool", "person", "list", ...
  std::vector<TypeRef> args;          // list<person>
  bool is_enum = false;               // one of (a, b, c)
  std::vector<Ident> enum_members;
};

struct FieldDecl {
  Ident name;
  TypeRef type;
  SourceRange range;
  bool required = false;
};

struct TermDef {
  Ident name;
  Duration value;
  SourceRange value_range;
  std::optional<std::string> cite;
  std::optional<Ident> rule;  // `with termijnenwet`
  SourceRange range;
};

struct TermOverride {
  Ident group;
  Ident name;
  Duration value;
  SourceRange value_range;
  std::optional<std::string> cite;
  SourceRange range;
};

// ---- steps -------------------------------------------------------------------------------
struct Step;
using Block = std::vector<Step>;

// Where a step of a resolved process comes from, relative to the process being compiled.
enum class Origin { kOwn, kInherited, kOverridden, kAdded };

// `-> target` or `{ steps }`.
struct Continuation {
  std::optional<Ident> jump;
  Block block;
};

struct RungAction {
  enum class Kind { kNotify, kReassign, kRaise };
  Kind kind = Kind::kNotify;
  std::vector<Ident> roles;  // notify: one or more; reassign: exactly one
  std::optional<std::string> message;
  int level = 0;
  SourceRange range;
};

struct Rung {
  enum class When { kAtDue, kBeforeDue, kAfterDue };
  When when = When::kAtDue;
  std::optional<Expr> offset;  // a duration; absent for `at due`
  std::vector<RungAction> actions;
  SourceRange range;
};

struct TaskStep {
  std::optional<std::string> title;
  std::optional<Ident> instrument;  // `instrument rihg`: the task is filling in that checklist
  std::optional<Ident> role;
  std::optional<Expr> within;  // relative to when the task opens
  std::optional<Expr> due;     // an instant
  std::vector<FieldDecl> outputs;
  bool has_escalation = false;  // an override without `escalate` keeps the parent's ladder
  std::vector<Rung> escalation;
  std::optional<std::string> cite;
};

struct MilestoneStep {
  std::optional<std::string> title;
};

struct WhenBranch {
  Expr condition;
  Continuation then;
  SourceRange range;
};

struct DecideStep {
  std::optional<std::string> title;
  std::vector<WhenBranch> whens;
  std::optional<Continuation> otherwise;
  SourceRange otherwise_range;
};

struct TimerStep {
  Expr at;
};

struct WaitUntilStep {
  Expr at;
};

struct WaitForStep {
  Ident event;
};

struct ParallelBranch {
  Ident name;
  Block body;
  SourceRange range;
  bool detached = false;  // `add beside`: runs alongside, and nothing after the parallel waits for it
};

struct ParallelStep {
  std::vector<ParallelBranch> branches;
};

struct ForEachStep {
  Ident variable;
  Expr list;
  Block body;
  std::optional<Expr> where;  // `for each k in kinderen where age(k) >= 12`: only the elements it holds for
};

struct CallArgument {
  Ident field;
  Expr value;
};

struct CallStep {
  Ident process;
  std::vector<CallArgument> arguments;
};

struct RequireStep {
  Expr condition;
  std::string reason;
  std::optional<Ident> escalate_to;
};

struct NotifyStep {
  std::vector<Ident> roles;  // roles, or persons: a case field or element that holds one or a list
  std::string message;
};

// `signal event`: the case tells itself something happened, as if it came from outside.
struct SignalStep {
  Ident event;
};

struct SetStep {
  Ident target;
  Expr value;
};

struct GotoStep {
  Ident target;
};

struct EndStep {
  std::optional<std::string> reason;
};

// `stage name "title" [until timer] { ... }`: with `until`, the stage is bound to a term and ends
// when the timer passes, whatever is still open in it.
struct StageStep {
  std::optional<std::string> title;
  std::optional<Ident> until;
  Block body;
};

// `on event [interrupting] -> target | { ... }`: listens while its enclosing block runs.
// `when timer passes { ... }` (term_passes): what happens when a bound stage's term passes.
struct HandlerStep {
  Ident event;
  bool interrupting = false;
  bool term_passes = false;
  Continuation then;
};

// `hand on task [to role]`, inside `when timer passes`: the task stays open after its stage ended.
struct HandOnStep {
  Ident task;
  std::optional<Ident> to;
};

struct Step {
  enum class Kind {
    kTask, kMilestone, kDecide, kTimer, kWaitUntil, kWaitFor, kParallel, kForEach, kCall,
    kRequire, kNotify, kSignal, kSet, kGoto, kEnd, kStage, kHandler, kHandOn
  };
  Kind kind = Kind::kTask;
  // The step's own name (task, milestone, decide, timer, stage) or its label (`name: step`).
  // Empty for unnamed steps; handlers are known by their event.
  Ident name;
  SourceRange range;     // the whole step
  SourceRange keyword;   // the leading keyword, where diagnostics about the step point
  Origin origin = Origin::kOwn;
  std::variant<TaskStep, MilestoneStep, DecideStep, TimerStep, WaitUntilStep, WaitForStep,
               ParallelStep, ForEachStep, CallStep, RequireStep, NotifyStep, SignalStep, SetStep, GotoStep,
               EndStep, StageStep, HandlerStep, HandOnStep>
      body;

  template <typename T> T& as() { return std::get<T>(body); }
  template <typename T> const T& as() const { return std::get<T>(body); }
};

const char* kind_name(Step::Kind kind);

// The blocks nested directly inside a step (branches, bodies, handler blocks), in source order.
std::vector<Block*> child_blocks(Step& step);
std::vector<const Block*> child_blocks(const Step& step);

// ---- processes and files -------------------------------------------------------------------
struct StartRoute {
  Ident event;
  std::optional<Continuation> then;  // absent: the main flow from its first step
  SourceRange range;
};

struct Removal {
  Ident name;
  SourceRange range;
};

// `add before|after|beside STEP { ... }`, or `add branch NAME beside BRANCH { ... }`: new work in a
// variant, in sequence with an inherited step, in parallel with it, or as one more branch of the
// inherited `parallel` that has branch BRANCH.
struct Addition {
  enum class Where { kBefore, kAfter, kBeside, kBranch };
  Where where = Where::kAfter;
  Ident anchor;
  Ident branch;  // kBranch: the new branch's name
  Block steps;
  SourceRange range;
};
const char* to_string(Addition::Where where);

// `events x by a or b`: who may send an event.
struct EventSenders {
  Ident event;
  std::vector<Ident> roles;
};

// `events x with (a, b)`: the case fields an event may carry.
struct EventFields {
  Ident event;
  std::vector<Ident> fields;
  SourceRange range;
};

// ---- instruments -------------------------------------------------------------------------
struct InstrumentItem {
  Ident name;
  std::optional<std::string> text;
  SourceRange range;
};

struct InstrumentSection {  // `part a "Incident" { item ... }`
  Ident name;
  std::optional<std::string> title;
  std::vector<InstrumentItem> items;
  SourceRange range;
};

// `when 2 rood in one part -> opleggen`: at least `count` items answered `value`, counted over
// the whole instrument, in one part (any), or in the part named; `otherwise` when none is given.
struct OutcomeRule {
  enum class Over { kWhole, kAnyPart, kPart, kOtherwise } over = Over::kWhole;
  std::int64_t count = 0;
  std::optional<Ident> value;
  std::optional<Ident> part;
  Ident outcome;
  SourceRange range;
};

struct InstrumentDecl {
  Ident name;
  std::optional<std::string> title;
  std::vector<Ident> scale;
  std::vector<Ident> outcomes;
  std::vector<InstrumentSection> parts;
  bool has_rules = false;  // a variant without `rules` keeps the parent's
  std::vector<OutcomeRule> rules;
  std::optional<std::string> cite;
  SourceRange range;
};

struct ProcessDecl {
  Ident name;
  std::optional<int> version;
  std::optional<Ident> parent;
  std::optional<std::string> title;
  std::vector<Ident> roles;
  std::optional<Ident> calendar;
  // `incidents to ROLE`: who is told when a timer of a case cannot fire (default: beheer).
  std::optional<Ident> incident_role;
  std::vector<FieldDecl> fields;
  std::vector<FieldDecl> person_attributes;  // `persons { ... }`
  std::vector<InstrumentDecl> instruments;
  std::vector<Ident> events;
  std::vector<EventSenders> event_senders;
  std::vector<EventFields> event_fields;
  std::vector<TermOverride> term_overrides;
  std::vector<StartRoute> starts;
  Block steps;                  // the main flow, in order, with its handlers
  std::vector<Step> overrides;  // `override <step>`
  std::vector<Removal> removals;
  std::vector<Addition> additions;
  SourceRange range;
};

struct TermsDecl {
  Ident name;
  std::vector<TermDef> terms;
  SourceRange range;
};

struct CalendarDecl {
  Ident name;
  std::string rules;  // the holiday rule set, e.g. "NL"
  SourceRange rules_range;
  std::optional<std::string> cite;
  SourceRange range;
};

struct Import {
  std::string target;
  bool is_path = false;  // "file.wth" (relative to the importer) or a stdlib name
  SourceRange range;
};

struct File {
  SourceFilePtr source;
  std::vector<Import> imports;
  std::vector<TermsDecl> terms;
  std::vector<CalendarDecl> calendars;
  std::vector<ProcessDecl> processes;
};

}  // namespace termijn::ast
