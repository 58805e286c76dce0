// Regional variants: `process rotterdam extends landelijk { ... }` is resolved into one merged
// process declaration (the parent's steps, with this variant's removals, overrides and additions),
// each step marked with where it comes from. The rest of the checker sees only merged processes.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/checker/internal/declarations.h"

namespace termijn::checker {

struct ResolvedProcess {
  ast::ProcessDecl decl;                // merged
  const ast::ProcessDecl* own = nullptr;  // as written
  int file = -1;
  const ast::ProcessDecl* parent = nullptr;
  bool parent_has_errors = false;       // a broken or cyclic `extends`, or a parent with errors
  bool has_errors = false;              // its own `override`/`remove`/`add` (or its parent's) failed
  // The top-level steps it and its ancestors removed (what the model and the graph list), in order.
  std::vector<std::string> removed;
  // Every step gone, nested ones and those an overriding stage no longer has too -> who removed it.
  std::map<std::string, std::string> removed_by;
  std::size_t depth = 1;                // in its chain of `extends`: 1 for a process that extends none
};

class VariantResolver {
 public:
  VariantResolver(const Declarations& declarations, DiagnosticList& diagnostics)
      : declarations_(declarations), diagnostics_(diagnostics) {}

  const ResolvedProcess& resolve(const ast::ProcessDecl& decl);

 private:
  void merge(ResolvedProcess& out, const ResolvedProcess& parent);
  void apply_removal(ResolvedProcess& out, const ast::Removal& removal);
  void extend_instrument(std::vector<ast::InstrumentDecl>& into, const ast::InstrumentDecl& own, const std::string& parent);
  void apply_override(ResolvedProcess& out, const ast::Step& replacement);
  void warn_dropped(const ast::Step& parent, const ast::Step& replacement);
  void apply_addition(ResolvedProcess& out, const ast::Addition& addition);

  const Declarations& declarations_;
  DiagnosticList& diagnostics_;
  std::map<const ast::ProcessDecl*, std::unique_ptr<ResolvedProcess>> resolved_;
  std::vector<const ast::ProcessDecl*> in_progress_;
};

// Where a named step sits in a process: its block and index there.
struct StepLocation {
  ast::Block* block = nullptr;
  std::size_t index = 0;
  ast::Step* step() const { return &(*block)[index]; }
};
std::optional<StepLocation> find_step(ast::ProcessDecl& decl, const std::string& name);
std::vector<std::string> step_names(const ast::ProcessDecl& decl);

}  // namespace termijn::checker
