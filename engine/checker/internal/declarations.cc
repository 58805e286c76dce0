#include "engine/checker/internal/declarations.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "engine/base/language.h"
#include "engine/time/termijnenwet.h"

namespace termijn::checker {

namespace {

template <typename Decl>
void declare(std::map<std::string, Declared<Decl>>& table, const char* what, const Decl& decl,
             int file, DiagnosticList& diagnostics) {
  auto [it, inserted] = table.emplace(decl.name.name, Declared<Decl>{&decl, file});
  if (!inserted) {
    diagnostics.error(decl.name.range, tr("{} '{}' is declared twice", what, decl.name.name),
                      {note(it->second.decl->name.range, tr("the first declaration is here"))});
  }
}

template <typename Decl>
std::vector<std::string> names_of(const std::map<std::string, Declared<Decl>>& table) {
  std::vector<std::string> out;
  for (const auto& [name, _] : table) out.push_back(name);
  return out;
}

}  // namespace

Declarations::Declarations(const LoadedProgram& program, DiagnosticList& diagnostics)
    : program_(program) {
  for (std::size_t f = 0; f < program.files.size(); ++f) {
    const ast::File& file = program.files[f];
    int id = static_cast<int>(f);
    for (const auto& p : file.processes) declare(processes_, "process", p, id, diagnostics);
    for (const auto& t : file.terms) declare(terms_, "term group", t, id, diagnostics);
    for (const auto& c : file.calendars) declare(calendars_, "calendar", c, id, diagnostics);
    for (const auto& group : file.terms) {
      std::map<std::string, const ast::TermDef*> seen;
      for (const auto& term : group.terms) {
        if (term.rule && term.rule->name != "termijnenwet") {
          diagnostics.error(term.rule->range, tr("unknown rule '{}'{}: a term can be counted 'with "
                                                 "termijnenwet' (the Algemene termijnenwet)",
                                                 term.rule->name, did_you_mean(term.rule->name, {"termijnenwet"})));
        } else if (term.rule) {
          if (auto excluded = termijnenwet_excluded(term.value)) {
            diagnostics.error(term.rule->range, tr("the Algemene termijnenwet cannot apply to a term of {}: {}",
                                                   to_string(term.value), *excluded));
          }
        }
        if (!term.cite) {
          diagnostics.warning(term.name.range, tr("term '{}.{}' cites no source: add cite \"...\" so every "
                                                  "deadline counted from it says where it comes from",
                                                  group.name.name, term.name.name));
        }
        auto [it, inserted] = seen.emplace(term.name.name, &term);
        if (!inserted) {
          diagnostics.error(term.name.range, tr("term '{}.{}' is declared twice", group.name.name,
                                                term.name.name),
                            {note(it->second->name.range, tr("the first declaration is here"))});
        }
      }
    }
    for (const auto& calendar : file.calendars) {
      // Holiday rules are built into the engine; "NL" is the Dutch public holidays.
      if (calendar.rules != "NL") {
        diagnostics.error(calendar.rules_range, tr("unknown holiday rules \"{}\" (known: \"NL\", the "
                                                   "Dutch public holidays)", calendar.rules));
      }
    }
  }
}

std::string Declarations::import_line(int file, int from) const {
  const std::string& module = program_.modules.at(static_cast<std::size_t>(file));
  if (!module.empty()) return "import " + module;
  std::filesystem::path target(program_.files.at(static_cast<std::size_t>(file)).source->path());
  std::filesystem::path importer(program_.files.at(static_cast<std::size_t>(from)).source->path());
  std::filesystem::path relative = target.lexically_relative(importer.parent_path());
  return fmt::format("import \"{}\"", (relative.empty() ? target : relative).generic_string());
}

bool Declarations::visible(int from, int file) const {
  const auto& v = program_.visible.at(from);
  return std::find(v.begin(), v.end(), file) != v.end();
}

template <typename Decl>
const Decl* Declarations::lookup(const std::map<std::string, Declared<Decl>>& table, const char* what,
                                 const ast::Ident& name, int from, DiagnosticList& diagnostics) const {
  auto it = table.find(name.name);
  if (it == table.end()) {
    std::string suggestion = did_you_mean(name.name, names_of(table));
    // By custom a process lives in a file of its own name: say which line would bring it in.
    if (suggestion.empty() && std::string_view(what) == "process") {
      suggestion = tr(" (if another file declares it, add `import \"{}.wth\"` at the top of this file)",
                               name.name);
    }
    diagnostics.error(name.range, tr("unknown {} '{}'{}", what, name.name, suggestion));
    return nullptr;
  }
  if (!visible(from, it->second.file)) {
    const std::string& path = program_.files[it->second.file].source->path();
    diagnostics.error(name.range, tr("{} '{}' is declared in '{}', which this file does not import: add "
                                     "`{}` at the top of this file", what, name.name, path,
                                     import_line(it->second.file, from)),
                      {note(it->second.decl->name.range, tr("declared here"))});
    return nullptr;
  }
  return it->second.decl;
}

const ast::ProcessDecl* Declarations::process(const ast::Ident& name, int from,
                                              DiagnosticList& diagnostics) const {
  return lookup(processes_, "process", name, from, diagnostics);
}

const ast::TermsDecl* Declarations::terms(const ast::Ident& name, int from,
                                          DiagnosticList& diagnostics) const {
  return lookup(terms_, "term group", name, from, diagnostics);
}

const ast::CalendarDecl* Declarations::calendar(const ast::Ident& name, int from,
                                                DiagnosticList& diagnostics) const {
  return lookup(calendars_, "calendar", name, from, diagnostics);
}

const ast::TermsDecl* Declarations::find_terms(const std::string& name, int from) const {
  auto it = terms_.find(name);
  if (it == terms_.end() || !visible(from, it->second.file)) return nullptr;
  return it->second.decl;
}

std::vector<std::string> Declarations::term_group_names() const { return names_of(terms_); }

int Declarations::file_of(const ast::ProcessDecl* decl) const {
  auto it = processes_.find(decl->name.name);
  return it != processes_.end() && it->second.decl == decl ? it->second.file : -1;
}

}  // namespace termijn::checker
