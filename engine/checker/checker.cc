#include "engine/checker/checker.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "engine/base/language.h"
#include "engine/checker/internal/declarations.h"
#include "engine/checker/internal/process_compiler.h"
#include "engine/checker/internal/variants.h"
#include "engine/checker/internal/warnings.h"

namespace termijn {
namespace {

// A range without an end holds nothing.
bool inside(const SourceRange& inner, const SourceRange& outer) {
  if (!inner.valid() || !outer.valid() || inner.file.get() != outer.file.get() || outer.end.line == 0) return false;
  return outer.begin <= inner.begin && inner.begin <= outer.end;
}

bool same(const Diagnostic& a, const Diagnostic& b) {
  return a.severity == b.severity && a.message == b.message && a.range.file == b.range.file &&
         a.range.begin == b.range.begin;
}

// Compiles every process once, a parent before its variants, each into a list of its own: what a
// process's compile says is its own, so a repeat of a complaint another process made first still
// keeps it out of the model (the program's list, which says each complaint once, cannot tell).
class ProgramChecker {
 public:
  ProgramChecker(const LoadedProgram& program, DiagnosticList& diagnostics)
      : declarations_(program, diagnostics), variants_(declarations_, diagnostics), diagnostics_(diagnostics) {}

  const checker::Declarations& declarations() const { return declarations_; }

  // The compiled process, or nullptr when it (or a process it extends) has errors.
  std::shared_ptr<model::Process> compile(const ast::ProcessDecl& decl) {
    auto [it, fresh] = compiled_.try_emplace(&decl);
    if (!fresh) return it->second.process;  // done, or under way (a cycle, reported by the resolver)
    const checker::ResolvedProcess& resolved = variants_.resolve(decl);
    const Compiled* parent = nullptr;
    if (resolved.parent != nullptr) {
      compile(*resolved.parent);
      parent = &compiled_.at(resolved.parent);
    }

    Compiled done;
    DiagnosticList own;
    checker::ProcessCompiler compiler(resolved, declarations_, variants_, own);
    done.process = compiler.compile();
    if (done.process) checker::warn(resolved, *done.process, own);
    // "A process with errors is left out, and so is a variant of it" (checker.h), whatever the
    // variant did to the step that has them.
    if (parent != nullptr && parent->process == nullptr) done.process = nullptr;
    for (const auto& d : own.all()) {
      Reported r{d, d};
      if (parent != nullptr && d.range.valid() && !inside(d.range, resolved.own->range)) {
        auto same_as = std::find_if(parent->said.begin(), parent->said.end(), [&](const auto& p) { return same(p.found, d); });
        if (same_as != parent->said.end()) {
          r.reported = same_as->reported;
        } else if (parent->process != nullptr) {
          r.reported = in_variant(d, resolved);
        } else {
          // The parent has errors of its own: what the variant's check adds about the parent's
          // steps follows from those (or waits behind them), and is not said twice.
          r.reported.reset();
        }
      }
      if (r.reported) diagnostics_.add(*r.reported);
      done.said.push_back(std::move(r));
    }
    // What a process's own list counted but did not keep is counted here too; a variant's may be
    // its parent's complaints again, or ones not said, so it is not (an undercount past the limit,
    // never a "not shown" for what does not exist).
    if (parent == nullptr) diagnostics_.count_not_kept(own);
    it->second = std::move(done);  // a map's entries stay where they are while others are added
    return it->second.process;
  }

 private:
  // A variant re-checks its parent's steps as it changed them. A complaint about a parent's step
  // that the parent's own check does not make is the variant's doing: it is reported at the
  // variant's `extends`, with the step as a note, so that the parent's file is not blamed for what
  // another file did to it (and an editor shows it in the file being written). One the parent
  // makes stays where it is, said once.
  static Diagnostic in_variant(const Diagnostic& d, const checker::ResolvedProcess& resolved) {
    Diagnostic out{d.severity, resolved.own->parent->range, d.message, {}, /*fixable=*/false};
    out.notes.push_back(note(d.range, tr("here, in what '{}' inherits from '{}'", resolved.own->name.name,
                                         resolved.parent->name.name)));
    for (const auto& n : d.notes) out.notes.push_back(n);
    return out;
  }

  checker::Declarations declarations_;
  checker::VariantResolver variants_;
  DiagnosticList& diagnostics_;
  struct Reported {
    Diagnostic found;                    // by a process's own compile, where it was found
    std::optional<Diagnostic> reported;  // as reported (a parent's complaint once, where the parent's
                                         // is), or not at all (one that follows from its parent's errors)
  };
  struct Compiled {
    std::shared_ptr<model::Process> process;
    std::vector<Reported> said;
  };
  std::map<const ast::ProcessDecl*, Compiled> compiled_;
};

}  // namespace

std::shared_ptr<const model::Model> check_program(const LoadedProgram& program, DiagnosticList& diagnostics) {
  ProgramChecker checker(program, diagnostics);
  auto result = std::make_shared<model::Model>();
  for (const auto& file : program.files) {
    for (const auto& decl : file.processes) {
      // A second declaration of the same name was reported; compile only the one the name means.
      const auto& table = checker.declarations().processes();
      auto it = table.find(decl.name.name);
      if (it == table.end() || it->second.decl != &decl) continue;
      if (auto process = checker.compile(decl)) result->processes.push_back(std::move(process));
    }
  }
  return result;
}

}  // namespace termijn
