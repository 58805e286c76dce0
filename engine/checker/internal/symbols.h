// What names mean inside one process being compiled: case fields, steps, roles, events, timers,
// legal terms and loop variables. Filled by the process compiler before any expression is checked.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/frontend/ast.h"
#include "engine/model/model.h"

namespace termijn::checker {

struct StepSymbol {
  ast::Step::Kind kind = ast::Step::Kind::kTask;
  model::NodeId node = model::kNoNode;
  std::vector<model::Field> outputs;  // tasks
  SourceRange range;
};

// A name bound by the block around an expression: a `for each` element, or (received) the
// moment the event a handler runs for arrived.
struct LoopVariable {
  std::string name;
  model::Type type;
  bool received = false;
};

struct ProcessSymbols {
  std::string process;
  std::map<std::string, model::Field> fields;
  std::vector<model::Field> person_attributes;  // `persons { ... }`
  std::map<std::string, StepSymbol> steps;
  std::vector<std::string> roles;
  std::vector<std::string> events;
  std::vector<std::string> timers;
  std::map<std::string, model::LegalTerm> terms;  // by "Group.name": every term this process can use
  std::set<std::string> term_groups;
  std::set<std::string> used_terms;
  std::map<std::string, std::string> removed;  // steps removed from a parent -> the variant that removed each
  bool has_calendar = false;
};

// A use of a step's time or output inside an expression: it must have happened by then.
struct Reference {
  model::NodeId node = model::kNoNode;
  std::string name;
  SourceRange range;
};

}  // namespace termijn::checker
