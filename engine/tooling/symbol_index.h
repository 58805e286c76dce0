// Every name in a program, where it is declared and where it is used: what go-to-definition,
// hover, completion and rename in the language server stand on. Built from the parsed files
// (ast::File), so it works while a file still has checker errors; resolution follows the
// language's own scoping: a process sees its own names and, through `extends`, its parent's; a
// file sees the declarations of the files it imports.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/frontend/loader.h"
#include "engine/scenario/scenario.h"

namespace termijn::tooling {

enum class SymbolKind { kProcess, kStep, kRole, kField, kEvent, kOutput, kInstrument, kTermGroup, kTerm, kCalendar, kFile };
const char* to_string(SymbolKind kind);

struct Declaration {
  SymbolKind kind = SymbolKind::kStep;
  std::string name;
  // The process it belongs to (steps, roles, fields, events, outputs, instruments); "" otherwise.
  std::string scope;
  // kOutput: its task; kTerm: its group; kProcess: the process it extends ("" for none).
  std::string container;
  int file = -1;
  SourceRange name_range;  // the name as written (a file: its first character)
  SourceRange range;       // the whole declaration
};

// A name as used (or declared: a declaration's own name is a use of it too, so that a rename
// finds it), and what it may mean.
struct Use {
  std::vector<SymbolKind> kinds;  // what the name may be, tried in this order
  std::string name;
  std::string scope;      // the process it is written in ("" outside one)
  std::string container;  // the name before the dot (`Wth.eerste_termijn`, `rihg.opgelegd`)
  bool from_parent = false;  // `override x`, `remove x`: x is the parent's step
  int file = -1;
  SourceRange range;
};

class SymbolIndex {
 public:
  explicit SymbolIndex(const LoadedProgram& program);

  // The names `scenarios` use, each scenario's resolved in its process as the process's file sees it.
  void add_scenarios(const std::vector<scenario::Scenario>& scenarios);

  // The use or declaration whose name covers `pos` in the file at `path`.
  const Use* use_at(const std::string& path, SourcePos pos) const;
  // What `use` names; nothing when it names nothing declared (a built-in role, a typo).
  const Declaration* resolve(const Use& use) const;
  // Every use of `declaration` in the indexed files, its own name included.
  std::vector<const Use*> uses_of(const Declaration& declaration) const;

  // The process whose declaration holds `pos` ("" outside every process).
  std::string scope_at(const std::string& path, SourcePos pos) const;
  // What a name written in `scope` (a process) in the file at `path` may refer to: the scope's own
  // and inherited steps, roles, fields, events and instruments (the nearest declaration of each
  // name), and the processes, term groups and calendars the file sees.
  std::vector<const Declaration*> visible_in(const std::string& path, const std::string& scope) const;
  // The members after `object.` there: a term group's terms or a task's outputs.
  std::vector<const Declaration*> members_in(const std::string& path, const std::string& scope,
                                             const std::string& object) const;

  // The processes where a name declared in `declaration`'s process is seen: that process, those it
  // extends and those that extend it, however far.
  std::vector<std::string> lineage(const Declaration& declaration) const;

  const std::vector<Declaration>& declarations() const { return declarations_; }
  int file_of(const std::string& path) const;

 private:
  friend class IndexBuilder;
  bool visible(int declaration_file, int from_file) const;
  const Declaration* find(SymbolKind kind, const std::string& scope, const std::string& container,
                          const std::string& name, int from_file) const;
  // `scope` and the processes it extends, nearest first (bounded: a cycle is the checker's error).
  std::vector<std::string> chain(const std::string& scope, int from_file) const;

  std::vector<Declaration> declarations_;
  std::vector<Use> uses_;
  std::vector<std::string> paths_;            // by file index
  std::vector<std::vector<int>> visible_;     // by file index: the files it sees
  std::map<std::string, int> file_by_path_;
  std::multimap<std::string, int> by_name_;   // declaration indices by name
  // What each use resolves to, worked out once on the first uses_of (references and rename ask
  // for every use of a name).
  mutable std::vector<const Declaration*> resolved_;
};

}  // namespace termijn::tooling
