#include "engine/lsp/internal/features.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "engine/base/language.h"
#include "engine/format/format.h"
#include "engine/frontend/parser.h"
#include "engine/tooling/diagnostic_formats.h"
#include "engine/tooling/hover.h"
#include "engine/tooling/uri.h"

namespace termijn::lsp::internal {

namespace {

using tooling::Declaration;
using tooling::SymbolKind;

// LSP's CompletionItemKind and SymbolKind numbers for each kind of name.
int completion_kind(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::kProcess: return 7;      // Class
    case SymbolKind::kStep: return 3;         // Function
    case SymbolKind::kRole: return 8;         // Interface
    case SymbolKind::kField: return 5;        // Field
    case SymbolKind::kEvent: return 23;       // Event
    case SymbolKind::kOutput: return 10;      // Property
    case SymbolKind::kInstrument: return 22;  // Struct
    case SymbolKind::kTermGroup: return 9;    // Module
    case SymbolKind::kTerm: return 21;        // Constant
    case SymbolKind::kCalendar: return 12;    // Value
    case SymbolKind::kFile: return 17;        // File
  }
  return 1;
}

constexpr int kSymbolModule = 2, kSymbolClass = 5, kSymbolFunction = 12, kSymbolConstant = 14, kSymbolEvent = 24,
              kSymbolObject = 19;

bool same_declaration(const Declaration& a, const Declaration& b) {
  return a.kind == b.kind && a.name == b.name && a.scope == b.scope && a.container == b.container &&
         a.name_range.file && b.name_range.file && a.name_range.file->path() == b.name_range.file->path() &&
         a.name_range.begin == b.name_range.begin;
}

bool renameable(SymbolKind kind) {
  return kind == SymbolKind::kStep || kind == SymbolKind::kRole || kind == SymbolKind::kField ||
         kind == SymbolKind::kEvent || kind == SymbolKind::kOutput || kind == SymbolKind::kTerm ||
         kind == SymbolKind::kInstrument;
}

bool identifier(const std::string& name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// A document symbol for a step and the named steps inside it; unnamed steps lend their
// children to the level above.
void step_symbols(const ast::Step& step, Json& out, ColumnUnit unit);

void block_symbols(const ast::Block& block, Json& out, ColumnUnit unit) {
  for (const auto& s : block) step_symbols(s, out, unit);
}

Json symbol(const std::string& name, const std::string& detail, int kind, const SourceRange& range,
            const SourceRange& selection, ColumnUnit unit) {
  // The selection must lie inside the range; a name from elsewhere is not.
  const SourceRange& chosen = selection.valid() && selection.file == range.file ? selection : range;
  return {{"name", name.empty() ? "(unnamed)" : name}, {"detail", detail}, {"kind", kind},
          {"range", to_lsp(range, unit)}, {"selectionRange", to_lsp(chosen, unit)}, {"children", Json::array()}};
}

void step_symbols(const ast::Step& step, Json& out, ColumnUnit unit) {
  Json children = Json::array();
  for (const ast::Block* block : ast::child_blocks(step)) block_symbols(*block, children, unit);
  bool named = !step.name.name.empty() && step.kind != ast::Step::Kind::kHandler;
  if (!named && step.kind != ast::Step::Kind::kHandler) {
    for (auto& c : children) out.push_back(std::move(c));
    return;
  }
  std::string name = named ? step.name.name : "on " + std::get<ast::HandlerStep>(step.body).event.name;
  Json item = symbol(name, ast::kind_name(step.kind), step.kind == ast::Step::Kind::kHandler ? kSymbolEvent : kSymbolFunction,
                     step.range, named ? step.name.range : step.keyword, unit);
  item["children"] = std::move(children);
  out.push_back(std::move(item));
}

Json process_symbols(const ast::ProcessDecl& p, ColumnUnit unit) {
  Json item = symbol(p.name.name, p.parent ? "extends " + p.parent->name : "process", kSymbolClass, p.range, p.name.range, unit);
  Json& children = item["children"];
  for (const auto& start : p.starts) {
    if (!start.then) continue;
    Json route = symbol("start on " + start.event.name, "start", kSymbolEvent, start.range, start.event.range, unit);
    block_symbols(start.then->block, route["children"], unit);
    children.push_back(std::move(route));
  }
  block_symbols(p.steps, children, unit);
  for (const auto& o : p.overrides) {
    Json item_o = symbol(o.name.name, "override", kSymbolFunction, o.range, o.name.range, unit);
    for (const ast::Block* block : ast::child_blocks(o)) block_symbols(*block, item_o["children"], unit);
    children.push_back(std::move(item_o));
  }
  for (const auto& a : p.additions) {
    Json added = symbol(fmt::format("add {} {}", ast::to_string(a.where), a.anchor.name), "addition", kSymbolObject,
                        a.range, a.anchor.range, unit);
    block_symbols(a.steps, added["children"], unit);
    children.push_back(std::move(added));
  }
  return item;
}

}  // namespace

const Analysis& Features::analysis(const std::string& path) {
  if (workspace_.document(path) == nullptr) throw BadParams{"the document is not open (send didOpen first)"};
  return workspace_.analysis(path);
}

SourcePos Features::position(const Analysis& a, const Json& params) const {
  const Json& position = member(params, "position", Json::value_t::object);
  if (!a.check.source) throw BadParams{"the document could not be read"};
  return from_lsp(*a.check.source, position, unit_);
}

std::pair<const tooling::Use*, const Declaration*> Features::named_at(const Analysis& a, const Json& params) const {
  if (!a.index) return {nullptr, nullptr};
  SourcePos pos = position(a, params);  // refuses a document that could not be read
  const tooling::Use* use = a.index->use_at(a.check.source->path(), pos);
  return {use, use != nullptr ? a.index->resolve(*use) : nullptr};
}

Json Features::diagnostic(const Diagnostic& d, const Analysis& a) const {
  int severity = d.severity == Severity::kError ? 1 : d.severity == Severity::kWarning ? 2 : 3;
  Json out = {{"severity", severity}, {"source", "termijn"}, {"message", d.message}};
  const std::string& path = a.check.source ? a.check.source->path() : "";
  if (d.range.valid() && d.range.file->path() == path) {
    out["range"] = to_lsp(d.range, unit_);
  } else {
    // A mistake in a file this one imports or runs: shown where this file names that file, with
    // the place itself as related information.
    SourceRange anchor;
    if (a.program && !a.program->program.roots.empty() && a.check.format == tooling::Format::kProcess) {
      const auto& imports = a.program->program.files.at(a.program->program.roots.front()).imports;
      if (!imports.empty()) anchor = imports.front().range;
    } else if (!a.check.scenarios.empty()) {
      anchor = a.check.scenarios.front().process_range;
    }
    if (!anchor.valid() || anchor.file->path() != path) anchor = SourceRange{a.check.source, {1, 1}, {1, 1}};
    out["range"] = to_lsp(anchor, unit_);
    if (d.range.valid()) {
      out["message"] = fmt::format("{}: {}", d.range.location(), d.message);
      out["relatedInformation"] = Json::array({{{"location", location(d.range, unit_)}, {"message", d.message}}});
    }
  }
  for (const auto& n : d.notes) {
    if (!n.range.valid()) continue;
    if (!out.contains("relatedInformation")) out["relatedInformation"] = Json::array();
    out["relatedInformation"].push_back({{"location", location(n.range, unit_)}, {"message", n.message}});
  }
  return out;
}

std::vector<Json> Features::diagnostics_of(const Analysis& a) const {
  std::vector<Json> out;
  const std::string& path = a.check.source ? a.check.source->path() : "";
  int foreign = 0;
  for (const auto& d : a.check.diagnostics.sorted()) {
    bool here = d.range.valid() && d.range.file->path() == path;
    // Another file's warnings are its own business; its errors stop this one from working.
    if (!here && (d.severity != Severity::kError || ++foreign > 20)) continue;
    out.push_back(diagnostic(d, a));
  }
  return out;
}

Json Features::publish(const std::string& path) {
  const Document* document = workspace_.document(path);
  if (document == nullptr) return clear(path);
  const Analysis& a = workspace_.analysis(path);
  Json diagnostics = Json::array();
  for (auto& d : diagnostics_of(a)) diagnostics.push_back(std::move(d));
  if (!a.check.source) {
    diagnostics.push_back({{"range", {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 0}}}}},
                           {"severity", 1}, {"source", "termijn"}, {"message", "termijn reads .wth, .scenario and .sim files"}});
  }
  return {{"jsonrpc", "2.0"},
          {"method", "textDocument/publishDiagnostics"},
          {"params", {{"uri", document->uri}, {"version", document->version}, {"diagnostics", diagnostics}}}};
}

Json Features::clear(const std::string& path) {
  return {{"jsonrpc", "2.0"},
          {"method", "textDocument/publishDiagnostics"},
          {"params", {{"uri", tooling::file_uri(path)}, {"diagnostics", Json::array()}}}};
}

std::vector<Json> Features::publish_with_readers(const std::string& path, const std::vector<std::string>& readers) {
  std::vector<Json> out = {publish(path)};
  for (const auto& reader : readers) out.push_back(publish(reader));
  return out;
}

Json Features::hover(const std::string& path, const Json& params) {
  const Analysis& a = analysis(path);
  auto [use, declaration] = named_at(a, params);
  if (declaration == nullptr) return nullptr;
  return {{"contents", {{"kind", "markdown"}, {"value", tooling::describe(*declaration, use->scope, a.model())}}},
          {"range", to_lsp(use->range, unit_)}};
}

Json Features::definition(const std::string& path, const Json& params) {
  const Declaration* declaration = named_at(analysis(path), params).second;
  if (declaration == nullptr) return nullptr;
  return location(declaration->name_range, unit_);
}

Json Features::references(const std::string& path, const Json& params) {
  Json out = Json::array();
  const Declaration* declaration = named_at(analysis(path), params).second;
  if (declaration == nullptr) return out;
  bool with_declaration = true;
  if (auto context = params.find("context"); context != params.end() && context->is_object()) {
    if (auto include = context->find("includeDeclaration"); include != context->end()) {
      if (!include->is_boolean()) throw BadParams{"'includeDeclaration' is not true or false"};
      with_declaration = include->get<bool>();
    }
  }
  const WorkspaceIndex& whole = workspace_.whole(path);
  for (const auto& candidate : whole.index->declarations()) {
    if (!same_declaration(candidate, *declaration)) continue;
    for (const tooling::Use* u : whole.index->uses_of(candidate)) {
      bool is_declaration = u->range.file == candidate.name_range.file && u->range.begin == candidate.name_range.begin;
      if (with_declaration || !is_declaration) out.push_back(location(u->range, unit_));
    }
    break;
  }
  return out;
}

Json Features::completion(const std::string& path, const Json& params) {
  const Analysis& a = analysis(path);
  Json items = Json::array();
  if (!a.index || !a.check.source) return items;
  SourcePos pos = position(a, params);
  std::string_view line = a.check.source->line(pos.line);
  std::size_t end = std::min(static_cast<std::size_t>(pos.column - 1), line.size());
  std::size_t start = end;
  while (start > 0 && name_char(line[start - 1])) --start;
  // The process the name is written in: the one around the cursor, or a scenario's.
  std::string scope = a.index->scope_at(path, pos);
  for (const auto& s : a.check.scenarios) {
    if (s.range.valid() && s.range.file->path() == path && s.range.begin.line <= pos.line) scope = s.process;
  }
  std::vector<const Declaration*> found;
  if (start > 0 && line[start - 1] == '.') {
    std::size_t object_start = start - 1;
    while (object_start > 0 && name_char(line[object_start - 1])) --object_start;
    std::string object(line.substr(object_start, start - 1 - object_start));
    found = a.index->members_in(path, scope, object);
  } else {
    found = a.index->visible_in(path, scope);
    if (a.check.format == tooling::Format::kProcess) {
      for (const auto& keyword : keywords()) items.push_back({{"label", keyword}, {"kind", 14}});
    }
  }
  for (const Declaration* d : found) {
    std::string detail = d->scope.empty() || d->scope == scope ? to_string(d->kind)
                                                               : fmt::format("{} (from {})", to_string(d->kind), d->scope);
    items.push_back({{"label", d->name}, {"kind", completion_kind(d->kind)}, {"detail", detail}});
  }
  return items;
}

Json Features::symbols(const std::string& path) {
  const Analysis& a = analysis(path);
  Json out = Json::array();
  if (a.check.format == tooling::Format::kProcess && a.program && !a.program->program.roots.empty()) {
    const ast::File& file = a.program->program.files.at(a.program->program.roots.front());
    for (const auto& terms : file.terms) {
      Json group = symbol(terms.name.name, "terms", kSymbolModule, terms.range, terms.name.range, unit_);
      for (const auto& t : terms.terms) {
        group["children"].push_back(symbol(t.name.name, to_string(t.value), kSymbolConstant, t.range, t.name.range, unit_));
      }
      out.push_back(std::move(group));
    }
    for (const auto& c : file.calendars) out.push_back(symbol(c.name.name, "calendar", kSymbolObject, c.range, c.name.range, unit_));
    for (const auto& p : file.processes) out.push_back(process_symbols(p, unit_));
  }
  for (const auto& s : a.check.scenarios) {
    if (!s.range.valid() || s.range.file->path() != path) continue;
    out.push_back(symbol(s.name, "scenario of " + s.process, kSymbolFunction, s.range, s.range, unit_));
  }
  return out;
}

Json Features::formatting(const std::string& path, std::string& refusal) {
  const Analysis& a = analysis(path);
  Json out = Json::array();
  if (!a.check.source || a.check.format == tooling::Format::kSimulation || a.check.format == tooling::Format::kOther) {
    return out;  // no layout is defined for these
  }
  DiagnosticList diagnostics;
  std::optional<std::string> formatted = format::format_source(a.check.source, diagnostics);
  if (!formatted) {
    const auto& all = diagnostics.sorted();
    refusal = all.empty() ? "the file cannot be laid out" : fmt::format("{}: {}", all.front().range.location(), all.front().message);
    return nullptr;
  }
  if (*formatted == a.check.source->text()) return out;
  // One edit for the whole text: the layout touches most lines anyway, and the editor keeps the
  // cursor by diffing.
  const SourceFile& file = *a.check.source;
  SourceRange whole{a.check.source, {1, 1}, file.position(file.text().size())};
  out.push_back({{"range", to_lsp(whole, unit_)}, {"newText", *formatted}});
  return out;
}

Json Features::code_actions(const std::string& path, const Json& params) {
  const Analysis& a = analysis(path);
  Json out = Json::array();
  const Json& wanted = member(params, "range", Json::value_t::object);
  if (!a.check.source) return out;
  SourcePos from = from_lsp(*a.check.source, member(wanted, "start", Json::value_t::object), unit_);
  SourcePos to = from_lsp(*a.check.source, member(wanted, "end", Json::value_t::object), unit_);
  for (const auto& d : a.check.diagnostics.sorted()) {
    if (!d.range.valid() || d.range.file->path() != path) continue;
    if (to < d.range.begin || d.range.end < from) continue;  // not in the asked range
    std::string fix = tooling::suggested_replacement(d);
    if (fix.empty()) continue;
    Json edit = {{"range", to_lsp(d.range, unit_)}, {"newText", fix}};
    out.push_back({{"title", tr("Change '{}' to '{}'", d.range.text(), fix)},
                   {"kind", "quickfix"},
                   {"isPreferred", true},
                   {"diagnostics", Json::array({diagnostic(d, a)})},
                   {"edit", {{"changes", {{workspace_.document(path)->uri, Json::array({edit})}}}}}});
  }
  return out;
}

Json Features::prepare_rename(const std::string& path, const Json& params) {
  auto [use, declaration] = named_at(analysis(path), params);
  if (declaration == nullptr || !renameable(declaration->kind)) return nullptr;
  return {{"range", to_lsp(use->range, unit_)}, {"placeholder", use->name}};
}

Json Features::rename(const std::string& path, const Json& params, std::string& refusal) {
  const Analysis& a = analysis(path);
  std::string new_name = text_member(params, "newName");
  const Declaration* declaration = named_at(a, params).second;
  if (declaration == nullptr || !renameable(declaration->kind)) {
    refusal = "there is no step, role, field, event, output, term or instrument to rename here";
    return nullptr;
  }
  auto words = keywords();
  if (!identifier(new_name) || std::find(words.begin(), words.end(), new_name) != words.end()) {
    refusal = fmt::format("'{}' is not a name: a letter or _, then letters, digits or _, and not a keyword", new_name.substr(0, 100));
    return nullptr;
  }
  const WorkspaceIndex& whole = workspace_.whole(path);
  const Declaration* target = nullptr;
  for (const auto& d : whole.index->declarations()) {
    if (same_declaration(d, *declaration)) target = &d;
  }
  if (target == nullptr) {
    refusal = "the declaration is not among the workspace's files";
    return nullptr;
  }
  // The new name must not be taken anywhere the old one is seen (the process, its parents and
  // its variants), nor by what an expression would find first: a name in an expression is a
  // case field or a step.
  std::vector<SymbolKind> clashing = {target->kind};
  if (target->kind == SymbolKind::kStep) clashing.push_back(SymbolKind::kField);
  if (target->kind == SymbolKind::kField) clashing.push_back(SymbolKind::kStep);
  std::vector<std::string> lineage = whole.index->lineage(*target);
  for (const auto& d : whole.index->declarations()) {
    bool same_place = d.scope.empty() ? d.scope == target->scope : std::find(lineage.begin(), lineage.end(), d.scope) != lineage.end();
    if (d.name != new_name || !same_place || d.container != target->container ||
        std::find(clashing.begin(), clashing.end(), d.kind) == clashing.end()) {
      continue;
    }
    refusal = fmt::format("{} already has a {} named '{}' ({})", d.scope.empty() ? d.container : d.scope, to_string(d.kind),
                          new_name, d.name_range.location());
    return nullptr;
  }
  Json changes = Json::object();
  std::set<std::pair<std::string, std::pair<int, int>>> edited;  // one edit per place
  for (const tooling::Use* u : whole.index->uses_of(*target)) {
    if (u->range.text() != target->name) continue;  // only where the name is written as itself
    const std::string& file = u->range.file->path();
    if (!edited.insert({file, {u->range.begin.line, u->range.begin.column}}).second) continue;
    const Document* open = workspace_.document(file);
    std::string uri = open != nullptr ? open->uri : tooling::file_uri(file);
    changes[uri].push_back({{"range", to_lsp(u->range, unit_)}, {"newText", new_name}});
  }
  return {{"changes", changes}};
}

}  // namespace termijn::lsp::internal
