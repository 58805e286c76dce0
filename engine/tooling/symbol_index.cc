#include "engine/tooling/symbol_index.h"

#include <algorithm>
#include <set>

namespace termijn::tooling {

namespace fs = std::filesystem;

const char* to_string(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::kProcess: return "process";
    case SymbolKind::kStep: return "step";
    case SymbolKind::kRole: return "role";
    case SymbolKind::kField: return "case field";
    case SymbolKind::kEvent: return "event";
    case SymbolKind::kOutput: return "output";
    case SymbolKind::kInstrument: return "instrument";
    case SymbolKind::kTermGroup: return "terms";
    case SymbolKind::kTerm: return "legal term";
    case SymbolKind::kCalendar: return "calendar";
    case SymbolKind::kFile: return "file";
  }
  return "name";
}

namespace {

// Process-scoped names are looked up along `extends`; the others in every file a file sees.
bool scoped(SymbolKind kind) {
  return kind == SymbolKind::kStep || kind == SymbolKind::kRole || kind == SymbolKind::kField ||
         kind == SymbolKind::kEvent || kind == SymbolKind::kOutput || kind == SymbolKind::kInstrument;
}

bool contains(const SourceRange& range, SourcePos pos) {
  // The end counts too: the cursor just after a name is on it.
  return range.valid() && range.begin <= pos && pos <= range.end;
}

}  // namespace

// Walks the parsed files once, recording every declaration and every use.
class IndexBuilder {
 public:
  explicit IndexBuilder(SymbolIndex& index) : index_(index) {}

  void file(const ast::File& file, int id, const LoadedProgram& program) {
    file_ = id;
    scope_.clear();
    SourceRange whole{file.source, {1, 1}, {1, 1}};
    declare(SymbolKind::kFile, file.source->path(), "", whole, whole);
    for (const auto& import : file.imports) {
      // The file the import loaded: a path beside the importer, or the module it was loaded as.
      for (int target : program.visible[id]) {
        const auto& path = program.files[target].source->path();
        bool match = import.is_path ? (fs::path(file.source->path()).parent_path() / import.target).lexically_normal() == fs::path(path)
                                    : program.modules[target] == import.target;
        if (match && target != id) use({SymbolKind::kFile}, path, "", import.range);
      }
    }
    for (const auto& terms : file.terms) {
      declare(SymbolKind::kTermGroup, terms.name.name, "", terms.name.range, terms.range);
      for (const auto& term : terms.terms) declare(SymbolKind::kTerm, term.name.name, terms.name.name, term.name.range, term.range);
    }
    for (const auto& calendar : file.calendars) {
      declare(SymbolKind::kCalendar, calendar.name.name, "", calendar.name.range, calendar.range);
    }
    for (const auto& process : file.processes) this->process(process);
  }

  void scenario(const scenario::Scenario& s, int id) {
    file_ = id;
    scope_ = s.process;
    for (const auto& f : s.start_fields) use({SymbolKind::kField}, f);
    for (const auto& step : s.steps) {
      std::string task = step.step_word ? step.step_word->text : "";
      if (step.step_word) use({SymbolKind::kStep}, *step.step_word);
      if (step.role_word) use({SymbolKind::kRole}, *step.role_word);
      if (step.event_word) use({SymbolKind::kEvent, SymbolKind::kStep}, *step.event_word);
      for (const auto& f : step.field_words) {
        if (step.kind == scenario::Step::Kind::kComplete) {
          use({SymbolKind::kOutput}, f.text, task, f.range);
        } else {
          use({SymbolKind::kField}, f);
        }
      }
    }
  }

 private:
  void declare(SymbolKind kind, const std::string& name, const std::string& container, const SourceRange& name_range,
               const SourceRange& range) {
    if (name.empty()) return;
    Declaration d{kind, name, scoped(kind) ? scope_ : "", container, file_, name_range, range};
    index_.by_name_.emplace(name, static_cast<int>(index_.declarations_.size()));
    index_.declarations_.push_back(std::move(d));
    // A file is named by the imports of others, not by itself.
    if (kind != SymbolKind::kFile) use({kind}, name, container, name_range);
  }
  void use(std::vector<SymbolKind> kinds, const std::string& name, const std::string& container, const SourceRange& range,
           bool from_parent = false) {
    if (name.empty() || !range.valid()) return;
    index_.uses_.push_back(Use{std::move(kinds), name, scope_, container, from_parent, file_, range});
  }
  void use(std::vector<SymbolKind> kinds, const ast::Ident& id, bool from_parent = false) {
    use(std::move(kinds), id.name, "", id.range, from_parent);
  }
  void use(std::vector<SymbolKind> kinds, const scenario::Named& named) { use(std::move(kinds), named.text, "", named.range); }

  void process(const ast::ProcessDecl& p) {
    scope_.clear();
    declare(SymbolKind::kProcess, p.name.name, p.parent ? p.parent->name : "", p.name.range, p.range);
    if (p.parent) use({SymbolKind::kProcess}, *p.parent);
    scope_ = p.name.name;
    for (const auto& role : p.roles) declare(SymbolKind::kRole, role.name, "", role.range, role.range);
    if (p.calendar) use({SymbolKind::kCalendar}, *p.calendar);
    if (p.incident_role) use({SymbolKind::kRole}, *p.incident_role);
    for (const auto& f : p.fields) declare(SymbolKind::kField, f.name.name, "", f.name.range, f.range);
    for (const auto& instrument : p.instruments) {
      declare(SymbolKind::kInstrument, instrument.name.name, "", instrument.name.range, instrument.range);
    }
    for (const auto& event : p.events) declare(SymbolKind::kEvent, event.name, "", event.range, event.range);
    for (const auto& senders : p.event_senders) {
      use({SymbolKind::kEvent}, senders.event);
      for (const auto& role : senders.roles) use({SymbolKind::kRole}, role);
    }
    for (const auto& carried : p.event_fields) {
      use({SymbolKind::kEvent}, carried.event);
      for (const auto& f : carried.fields) use({SymbolKind::kField}, f);
    }
    for (const auto& t : p.term_overrides) {
      use({SymbolKind::kTermGroup}, t.group);
      use({SymbolKind::kTerm}, t.name.name, t.group.name, t.name.range);
    }
    for (const auto& start : p.starts) {
      use({SymbolKind::kEvent}, start.event);
      if (start.then) continuation(*start.then);
    }
    block(p.steps);
    for (const auto& o : p.overrides) {
      use({SymbolKind::kStep}, o.name, /*from_parent=*/true);
      step(o, /*declares=*/false);
    }
    for (const auto& r : p.removals) use({SymbolKind::kStep}, r.name, /*from_parent=*/true);
    for (const auto& a : p.additions) {
      use({SymbolKind::kStep}, a.anchor);
      block(a.steps);
    }
  }

  void block(const ast::Block& steps) {
    for (const auto& s : steps) step(s, true);
  }

  void continuation(const ast::Continuation& c) {
    if (c.jump) use({SymbolKind::kStep}, *c.jump);
    block(c.block);
  }

  void expr(const ast::Expr& e) {
    using K = ast::Expr::Kind;
    if (e.kind == K::kName) {
      use({SymbolKind::kField, SymbolKind::kStep}, e.text, "", e.range);
    } else if (e.kind == K::kMember && !e.operands.empty() && e.operands[0].kind == K::kName) {
      const auto& object = e.operands[0];
      use({SymbolKind::kTermGroup, SymbolKind::kStep, SymbolKind::kField}, object.text, "", object.range);
      use({SymbolKind::kTerm, SymbolKind::kOutput}, e.text, object.text, e.text_range);
      return;
    }
    for (const auto& operand : e.operands) expr(operand);
  }

  void step(const ast::Step& s, bool declares) {
    using Kind = ast::Step::Kind;
    if (declares && s.kind != Kind::kHandler) declare(SymbolKind::kStep, s.name.name, "", s.name.range, s.range);
    switch (s.kind) {
      case Kind::kTask: {
        const auto& t = s.as<ast::TaskStep>();
        if (t.instrument) use({SymbolKind::kInstrument}, *t.instrument);
        if (t.role) use({SymbolKind::kRole}, *t.role);
        if (t.within) expr(*t.within);
        if (t.due) expr(*t.due);
        for (const auto& o : t.outputs) declare(SymbolKind::kOutput, o.name.name, s.name.name, o.name.range, o.range);
        for (const auto& rung : t.escalation) {
          if (rung.offset) expr(*rung.offset);
          for (const auto& action : rung.actions) {
            for (const auto& role : action.roles) use({SymbolKind::kRole}, role);
          }
        }
        break;
      }
      case Kind::kDecide: {
        const auto& d = s.as<ast::DecideStep>();
        for (const auto& w : d.whens) {
          expr(w.condition);
          continuation(w.then);
        }
        if (d.otherwise) continuation(*d.otherwise);
        break;
      }
      case Kind::kTimer: expr(s.as<ast::TimerStep>().at); break;
      case Kind::kWaitUntil: expr(s.as<ast::WaitUntilStep>().at); break;
      case Kind::kWaitFor: use({SymbolKind::kEvent}, s.as<ast::WaitForStep>().event); break;
      case Kind::kParallel:
        for (const auto& b : s.as<ast::ParallelStep>().branches) block(b.body);
        break;
      case Kind::kForEach: {
        const auto& f = s.as<ast::ForEachStep>();
        expr(f.list);
        if (f.where) expr(*f.where);
        block(f.body);
        break;
      }
      case Kind::kCall: {
        const auto& c = s.as<ast::CallStep>();
        use({SymbolKind::kProcess}, c.process);
        for (const auto& a : c.arguments) {
          // The argument names a field of the called process, not of this one.
          std::string caller = scope_;
          scope_ = c.process.name;
          use({SymbolKind::kField}, a.field);
          scope_ = caller;
          expr(a.value);
        }
        break;
      }
      case Kind::kRequire: {
        const auto& r = s.as<ast::RequireStep>();
        expr(r.condition);
        if (r.escalate_to) use({SymbolKind::kRole}, *r.escalate_to);
        break;
      }
      case Kind::kNotify:
        for (const auto& role : s.as<ast::NotifyStep>().roles) use({SymbolKind::kRole, SymbolKind::kField}, role);
        break;
      case Kind::kSignal: use({SymbolKind::kEvent}, s.as<ast::SignalStep>().event); break;
      case Kind::kSet: {
        const auto& set = s.as<ast::SetStep>();
        use({SymbolKind::kField}, set.target);
        expr(set.value);
        break;
      }
      case Kind::kGoto: use({SymbolKind::kStep}, s.as<ast::GotoStep>().target); break;
      case Kind::kStage: {
        const auto& stage = s.as<ast::StageStep>();
        if (stage.until) use({SymbolKind::kStep}, *stage.until);
        block(stage.body);
        break;
      }
      case Kind::kHandler: {
        const auto& h = s.as<ast::HandlerStep>();
        // A handler listens for an event or, `on`/`when` a timer, for that timer step.
        if (h.term_passes) {
          use({SymbolKind::kStep}, h.event);
        } else {
          use({SymbolKind::kEvent, SymbolKind::kStep}, h.event);
        }
        continuation(h.then);
        break;
      }
      case Kind::kHandOn: {
        const auto& hand = s.as<ast::HandOnStep>();
        use({SymbolKind::kStep}, hand.task);
        if (hand.to) use({SymbolKind::kRole}, *hand.to);
        break;
      }
      case Kind::kMilestone:
      case Kind::kEnd: break;
    }
  }

  SymbolIndex& index_;
  int file_ = -1;
  std::string scope_;
};

SymbolIndex::SymbolIndex(const LoadedProgram& program) {
  visible_ = program.visible;
  for (const auto& f : program.files) {
    file_by_path_.emplace(f.source->path(), static_cast<int>(paths_.size()));
    paths_.push_back(f.source->path());
  }
  IndexBuilder builder(*this);
  for (std::size_t i = 0; i < program.files.size(); ++i) builder.file(program.files[i], static_cast<int>(i), program);
}

void SymbolIndex::add_scenarios(const std::vector<scenario::Scenario>& scenarios) {
  IndexBuilder builder(*this);
  for (const auto& s : scenarios) {
    auto process_file = file_by_path_.find(s.file.lexically_normal().string());
    if (process_file == file_by_path_.end() || !s.range.valid()) continue;
    // The scenario's file sees what the process's file sees; each scenario file is one entry.
    const std::string& path = s.range.file->path();
    auto [entry, added] = file_by_path_.emplace(path, static_cast<int>(paths_.size()));
    if (added) {
      paths_.push_back(path);
      visible_.push_back(visible_[process_file->second]);
    } else {
      auto& seen = visible_[entry->second];
      for (int f : visible_[process_file->second]) {
        if (std::find(seen.begin(), seen.end(), f) == seen.end()) seen.push_back(f);
      }
    }
    builder.scenario(s, entry->second);
  }
}

int SymbolIndex::file_of(const std::string& path) const {
  auto it = file_by_path_.find(path);
  return it == file_by_path_.end() ? -1 : it->second;
}

bool SymbolIndex::visible(int declaration_file, int from_file) const {
  if (from_file < 0 || static_cast<std::size_t>(from_file) >= visible_.size()) return false;
  const auto& seen = visible_[from_file];
  return std::find(seen.begin(), seen.end(), declaration_file) != seen.end();
}

const Declaration* SymbolIndex::find(SymbolKind kind, const std::string& scope, const std::string& container,
                                     const std::string& name, int from_file) const {
  auto [first, last] = by_name_.equal_range(name);
  for (auto it = first; it != last; ++it) {
    const Declaration& d = declarations_[it->second];
    if (d.kind != kind || !visible(d.file, from_file)) continue;
    if (scoped(kind) && d.scope != scope) continue;
    if ((kind == SymbolKind::kTerm || kind == SymbolKind::kOutput) && d.container != container) continue;
    return &d;
  }
  return nullptr;
}

std::vector<std::string> SymbolIndex::chain(const std::string& scope, int from_file) const {
  std::vector<std::string> out;
  std::string at = scope;
  // The checker refuses a cycle of `extends`; the bound keeps one from looping here.
  for (int depth = 0; depth < 32 && !at.empty(); ++depth) {
    if (std::find(out.begin(), out.end(), at) != out.end()) break;
    out.push_back(at);
    const Declaration* process = find(SymbolKind::kProcess, "", "", at, from_file);
    at = process != nullptr ? process->container : "";
  }
  return out;
}

const Declaration* SymbolIndex::resolve(const Use& use) const {
  for (SymbolKind kind : use.kinds) {
    if (!scoped(kind)) {
      if (const Declaration* d = find(kind, "", use.container, use.name, use.file)) return d;
      continue;
    }
    std::vector<std::string> scopes = chain(use.scope, use.file);
    if (use.from_parent && !scopes.empty()) scopes.erase(scopes.begin());
    for (const auto& scope : scopes) {
      if (const Declaration* d = find(kind, scope, use.container, use.name, use.file)) return d;
    }
  }
  return nullptr;
}

const Use* SymbolIndex::use_at(const std::string& path, SourcePos pos) const {
  int file = file_of(path);
  const Use* best = nullptr;
  for (const auto& u : uses_) {
    if (u.file != file || !contains(u.range, pos)) continue;
    // The innermost (shortest) range wins: a name inside a larger declaration.
    if (best == nullptr || u.range.text().size() < best->range.text().size()) best = &u;
  }
  return best;
}

std::vector<const Use*> SymbolIndex::uses_of(const Declaration& declaration) const {
  if (resolved_.size() != uses_.size()) {
    resolved_.clear();
    for (const auto& u : uses_) resolved_.push_back(resolve(u));
  }
  std::vector<const Use*> out;
  for (std::size_t i = 0; i < uses_.size(); ++i) {
    if (resolved_[i] == &declaration) out.push_back(&uses_[i]);
  }
  return out;
}

std::vector<std::string> SymbolIndex::lineage(const Declaration& declaration) const {
  std::vector<std::string> out = chain(declaration.scope, declaration.file);
  for (const auto& d : declarations_) {
    if (d.kind != SymbolKind::kProcess || std::find(out.begin(), out.end(), d.name) != out.end()) continue;
    auto ancestors = chain(d.name, d.file);
    if (std::find(ancestors.begin(), ancestors.end(), declaration.scope) != ancestors.end()) out.push_back(d.name);
  }
  return out;
}

std::string SymbolIndex::scope_at(const std::string& path, SourcePos pos) const {
  int file = file_of(path);
  for (const auto& d : declarations_) {
    if (d.kind == SymbolKind::kProcess && d.file == file && contains(d.range, pos)) return d.name;
  }
  return "";
}

std::vector<const Declaration*> SymbolIndex::visible_in(const std::string& path, const std::string& scope) const {
  int file = file_of(path);
  std::vector<std::string> scopes = chain(scope, file);
  std::vector<const Declaration*> out;
  std::set<std::pair<SymbolKind, std::string>> seen;
  for (const auto& in : scopes) {
    for (const auto& d : declarations_) {
      if (!scoped(d.kind) || d.kind == SymbolKind::kOutput || d.scope != in || !visible(d.file, file)) continue;
      if (seen.insert({d.kind, d.name}).second) out.push_back(&d);
    }
  }
  for (const auto& d : declarations_) {
    bool global = d.kind == SymbolKind::kProcess || d.kind == SymbolKind::kTermGroup || d.kind == SymbolKind::kCalendar;
    if (global && visible(d.file, file) && seen.insert({d.kind, d.name}).second) out.push_back(&d);
  }
  return out;
}

std::vector<const Declaration*> SymbolIndex::members_in(const std::string& path, const std::string& scope,
                                                        const std::string& object) const {
  int file = file_of(path);
  std::vector<const Declaration*> out;
  std::set<std::string> seen;
  for (const auto& d : declarations_) {
    if (d.kind == SymbolKind::kTerm && d.container == object && visible(d.file, file) && seen.insert(d.name).second) {
      out.push_back(&d);
    }
  }
  for (const auto& in : chain(scope, file)) {
    for (const auto& d : declarations_) {
      if (d.kind == SymbolKind::kOutput && d.scope == in && d.container == object && visible(d.file, file) &&
          seen.insert(d.name).second) {
        out.push_back(&d);
      }
    }
  }
  return out;
}

}  // namespace termijn::tooling
