// The program-wide tables of top-level declarations (processes, term groups, calendars), with
// the file each comes from so that a use can be checked against what its file imports.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/frontend/loader.h"

namespace termijn::checker {

template <typename Decl>
struct Declared {
  const Decl* decl = nullptr;
  int file = -1;
};

class Declarations {
 public:
  // Collects every declaration; reports duplicates.
  Declarations(const LoadedProgram& program, DiagnosticList& diagnostics);

  // Looks `name` up for a use in file `from`. Reports an unknown name (with a suggestion) or a
  // declaration that exists but is not imported by `from`; returns nullptr then.
  const ast::ProcessDecl* process(const ast::Ident& name, int from, DiagnosticList& diagnostics) const;
  const ast::TermsDecl* terms(const ast::Ident& name, int from, DiagnosticList& diagnostics) const;
  const ast::CalendarDecl* calendar(const ast::Ident& name, int from, DiagnosticList& diagnostics) const;

  // Without diagnostics: is `name` a term group visible from `from`?
  const ast::TermsDecl* find_terms(const std::string& name, int from) const;
  std::vector<std::string> term_group_names() const;

  const std::map<std::string, Declared<ast::ProcessDecl>>& processes() const { return processes_; }
  int file_of(const ast::ProcessDecl* decl) const;

 private:
  template <typename Decl>
  const Decl* lookup(const std::map<std::string, Declared<Decl>>& table, const char* what,
                     const ast::Ident& name, int from, DiagnosticList& diagnostics) const;
  bool visible(int from, int file) const;
  // The line that makes file `file`'s declarations visible in file `from`.
  std::string import_line(int file, int from) const;

  const LoadedProgram& program_;
  std::map<std::string, Declared<ast::ProcessDecl>> processes_;
  std::map<std::string, Declared<ast::TermsDecl>> terms_;
  std::map<std::string, Declared<ast::CalendarDecl>> calendars_;
};

}  // namespace termijn::checker
