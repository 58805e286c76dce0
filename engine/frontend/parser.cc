// The only translation unit that includes ANTLR-generated code. It walks the parse tree once
// and builds the AST; after that the tree is discarded.
#include "engine/frontend/parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "engine/base/language.h"
#include "engine/base/limits.h"
#include "engine/frontend/layout_tokens.h"
#include "engine/frontend/source_text.h"
#include "engine/frontend/syntax_message.h"

#include "WthLexer.h"
#include "WthParser.h"
#include "antlr4-runtime.h"

namespace termijn {
namespace {

using P = WthParser;

// Thrown out of the ANTLR parser or the AST builder to stop them: a limit was reached, and the
// error is reported.
struct ParseCancelled {};

// Where the character `characters` code points into line `line` (1-based) starts: ANTLR counts a
// column in characters (its input stream holds code points), termijn's ranges count bytes
// (base/source.h), so that a caret is right on a line with "één" before the name.
SourcePos position(const SourceFilePtr& source, std::size_t line, std::size_t characters) {
  int at = line <= static_cast<std::size_t>(std::numeric_limits<int>::max()) ? static_cast<int>(line) : 0;
  // A line is at most limits::kSourceBytes long (admit_source), so its columns fit an int.
  return SourcePos{at, static_cast<int>(source->bytes_after(at, characters, ColumnUnit::kCodePoints)) + 1};
}

// Where ANTLR's token starts in the file.
SourcePos position(const SourceFilePtr& source, antlr4::Token* token) {
  return position(source, token->getLine(), token->getCharPositionInLine());
}

// Reports that the file nests deeper than limits::kParseDepth at `at`, and stops the parse.
[[noreturn]] void too_deep(const SourceFilePtr& source, DiagnosticList& diagnostics, antlr4::Token* at) {
  SourcePos pos = at != nullptr ? position(source, at) : SourcePos{1, 1};
  diagnostics.error(SourceRange{source, pos, SourcePos{pos.line, pos.column + 1}},
                    tr("this nests too deeply: more than {} levels of steps, blocks and expression parts "
                       "(limit: parse depth); split it up",
                       limits::kParseDepth));
  throw ParseCancelled{};
}

class SyntaxErrorCollector : public antlr4::BaseErrorListener {
 public:
  SyntaxErrorCollector(SourceFilePtr source, DiagnosticList& diagnostics)
      : source_(std::move(source)), diagnostics_(diagnostics) {}

  void syntaxError(antlr4::Recognizer*, antlr4::Token* offending, size_t line,
                   size_t column, const std::string& message, std::exception_ptr) override {
    // After the first mistake the parser's recovery guesses; its later complaints mostly
    // describe the guess. One clear error per file, then fix and run again. Recovery itself is
    // bounded too (limits::kSyntaxRecoveries), so garbage cannot keep the parser busy.
    if (reported_++ > 0) {
      if (reported_ > limits::kSyntaxRecoveries) throw ParseCancelled{};
      return;
    }
    SourcePos begin = position(source_, line, column);
    SourceRange range{source_, begin, {begin.line, begin.column + 1}};
    if (offending != nullptr && offending->getType() != antlr4::Token::EOF) {
      range.end.column = range.begin.column + static_cast<int>(offending->getText().size());
    }
    std::string text = tidy_syntax_message(message);
    // A keyword where a name belongs: say so, rather than list what the parser expected.
    std::string word = offending != nullptr ? offending->getText() : std::string();
    bool is_keyword = offending != nullptr && offending->getType() != WthLexer::ID && !word.empty() &&
                      std::all_of(word.begin(), word.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
    if (is_keyword && message.find("expecting ID") != std::string::npos) {
      text = tr("'{}' is a word of the language and cannot be used as a name here; choose another, "
                         "such as '{}_'", word, word);
    }
    diagnostics_.error(range, std::move(text));
  }

 private:
  SourceFilePtr source_;
  DiagnosticList& diagnostics_;
  int reported_ = 0;
};

class AstBuilder {
 public:
  AstBuilder(SourceFilePtr source, DiagnosticList& diagnostics)
      : source_(std::move(source)), diagnostics_(diagnostics) {}

  // One level of the AST being built: no AST is deeper than limits::kParseDepth, so the checker
  // and the evaluator, which recurse over it, are bounded too.
  class Nest {
   public:
    Nest(AstBuilder& builder, antlr4::ParserRuleContext* ctx) : builder_(builder) {
      if (++builder_.depth_ > limits::kParseDepth) too_deep(builder_.source_, builder_.diagnostics_, ctx->getStart());
    }
    ~Nest() { --builder_.depth_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

   private:
    AstBuilder& builder_;
  };

  ast::File file(P::File_Context* ctx) {
    ast::File out;
    out.source = source_;
    for (auto* import : ctx->importDecl()) {
      ast::Import i;
      i.range = range(import);
      if (import->STRING() != nullptr) {
        i.target = unquote(import->STRING());
        i.is_path = true;
      } else if (import->ID() != nullptr) {
        i.target = import->ID()->getText();
      }
      out.imports.push_back(std::move(i));
    }
    for (auto* decl : ctx->topDecl()) {
      if (auto* t = decl->termsDecl()) out.terms.push_back(terms(t));
      if (auto* c = decl->calendarDecl()) out.calendars.push_back(calendar(c));
      if (auto* p = decl->processDecl()) out.processes.push_back(process(p));
    }
    return out;
  }

 private:
  // ---- helpers ----
  SourceRange range(antlr4::ParserRuleContext* ctx) const {
    SourceRange r{source_, pos(ctx->getStart()), pos(ctx->getStart())};
    antlr4::Token* stop = ctx->getStop();
    if (stop == nullptr || stop->getTokenIndex() < ctx->getStart()->getTokenIndex()) stop = ctx->getStart();
    r.end = end_pos(stop);
    return r;
  }
  SourceRange range(antlr4::tree::TerminalNode* node) const {
    return SourceRange{source_, pos(node->getSymbol()), end_pos(node->getSymbol())};
  }
  SourcePos pos(antlr4::Token* token) const { return position(source_, token); }
  SourcePos end_pos(antlr4::Token* token) const {
    SourcePos p = pos(token);
    if (token->getType() != antlr4::Token::EOF) p.column += static_cast<int>(token->getText().size());
    return p;
  }
  ast::Ident ident(antlr4::tree::TerminalNode* node) const {
    if (node == nullptr) return {};
    return ast::Ident{node->getText(), range(node)};
  }
  // A token the parser expected but did not find may be missing from the tree: every read of an
  // optional or recovered token goes through here or `ident`, which answer "" for it.
  static std::string unquote(antlr4::tree::TerminalNode* node) {
    if (node == nullptr) return {};
    std::string text = node->getText();
    std::string out;
    for (std::size_t i = 1; i + 1 < text.size(); ++i) {
      if (text[i] == '\\' && i + 2 < text.size()) {
        ++i;
        out += text[i] == 'n' ? '\n' : text[i];
      } else {
        out += text[i];
      }
    }
    return out;
  }
  std::optional<std::string> opt_string(antlr4::tree::TerminalNode* node) const {
    if (node == nullptr) return std::nullopt;
    return unquote(node);
  }
  static std::string text(antlr4::tree::TerminalNode* node) { return node == nullptr ? std::string() : node->getText(); }
  std::int64_t integer(antlr4::tree::TerminalNode* node) {
    if (node == nullptr) return 0;
    std::string text = node->getText();
    std::int64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      diagnostics_.error(range(node), tr("number '{}' is too large", text));
    }
    return value;
  }
  // A version or an escalation level: an int. A larger number is refused, not cut to 32 bits
  // (`version 4294967297` read as version 1); the clamped value keeps the checker from adding
  // a second error about the same number.
  int small_integer(antlr4::tree::TerminalNode* node) {
    std::int64_t value = integer(node);
    if (value <= std::numeric_limits<int>::max()) return static_cast<int>(value);
    diagnostics_.error(range(node), tr("number '{}' is too large: at most {}", value, std::numeric_limits<int>::max()));
    return std::numeric_limits<int>::max();
  }
  std::optional<std::string> citation(P::CitationContext* ctx) const {
    if (ctx == nullptr) return std::nullopt;
    return unquote(ctx->STRING());
  }

  Duration duration(P::DurationContext* ctx) {
    if (ctx == nullptr || ctx->INT() == nullptr || ctx->ID() == nullptr) return {};
    std::int64_t amount = integer(ctx->INT());
    std::string unit = text(ctx->ID());
    bool working = ctx->WORKING() != nullptr;
    if (auto d = make_duration(amount, unit, working)) {
      if (within_limits(*d)) return *d;
      diagnostics_.error(range(ctx), tr("{} {} is longer than a term can be: at most {} days (limit: duration)",
                                        amount, unit, limits::kDurationDays));
      return {};
    }
    diagnostics_.error(range(ctx->ID()), unknown_unit_message(amount, unit, working));
    return {};
  }

  // ---- declarations ----
  ast::TermsDecl terms(P::TermsDeclContext* ctx) {
    ast::TermsDecl out{ident(ctx->ID()), {}, range(ctx)};
    for (auto* def : ctx->termDef()) {
      auto ids = def->ID();
      std::optional<ast::Ident> rule;
      if (ids.size() > 1) rule = ident(ids[1]);
      out.terms.push_back(ast::TermDef{ids.empty() ? ast::Ident{} : ident(ids[0]), duration(def->duration()),
                                       def->duration() ? range(def->duration()) : range(def),
                                       citation(def->citation()), rule, range(def)});
    }
    return out;
  }

  ast::CalendarDecl calendar(P::CalendarDeclContext* ctx) {
    ast::CalendarDecl out;
    out.name = ident(ctx->ID());
    out.range = range(ctx);
    if (ctx->STRING() != nullptr) {
      out.rules = unquote(ctx->STRING());
      out.rules_range = range(ctx->STRING());
    }
    out.cite = citation(ctx->citation());
    return out;
  }

  ast::InstrumentDecl instrument(P::InstrumentDeclContext* ctx) {
    ast::InstrumentDecl out{ident(ctx->ID()), opt_string(ctx->STRING()), {}, {}, {}, false, {}, std::nullopt, range(ctx)};
    for (auto* part : ctx->instrumentPart()) {
      if (auto* s = dynamic_cast<P::ScalePartContext*>(part)) {
        for (auto* id : s->ID()) out.scale.push_back(ident(id));
      } else if (auto* o = dynamic_cast<P::OutcomesPartContext*>(part)) {
        for (auto* id : o->ID()) out.outcomes.push_back(ident(id));
      } else if (auto* p = dynamic_cast<P::PartPartContext*>(part)) {
        ast::InstrumentSection section{ident(p->ID()), opt_string(p->STRING()), {}, range(p)};
        for (auto* item : p->itemDecl()) {
          section.items.push_back(ast::InstrumentItem{ident(item->ID()), opt_string(item->STRING()), range(item)});
        }
        out.parts.push_back(std::move(section));
      } else if (auto* r = dynamic_cast<P::RulesPartContext*>(part)) {
        out.has_rules = true;
        for (auto* rule : r->outcomeRule()) out.rules.push_back(outcome_rule(rule));
      } else if (auto* c = dynamic_cast<P::CitePartContext*>(part)) {
        out.cite = opt_string(c->STRING());
      }
    }
    return out;
  }

  ast::OutcomeRule outcome_rule(P::OutcomeRuleContext* ctx) {
    using Over = ast::OutcomeRule::Over;
    ast::OutcomeRule out;
    out.range = range(ctx);
    if (auto* o = dynamic_cast<P::OtherwiseRuleContext*>(ctx)) {
      out.over = Over::kOtherwise;
      out.outcome = ident(o->ID());
      return out;
    }
    auto* c = dynamic_cast<P::CountRuleContext*>(ctx);
    if (c == nullptr) return out;  // a rule the parser could not read (reported)
    auto ids = c->ID();
    out.count = integer(c->INT());
    if (!ids.empty()) out.value = ident(ids.front());
    if (!ids.empty()) out.outcome = ident(ids.back());
    if (c->PART() != nullptr) {
      out.over = Over::kAnyPart;
    } else if (ids.size() == 3) {
      out.over = Over::kPart;
      out.part = ident(ids[1]);
    }
    return out;
  }

  ast::FieldDecl field(P::FieldDeclContext* ctx) {
    return ast::FieldDecl{ident(ctx->ID()), type(ctx->typeRef()), range(ctx), ctx->REQUIRED() != nullptr};
  }

  ast::TypeRef type(P::TypeRefContext* ctx) {
    ast::TypeRef out;
    if (ctx == nullptr) return out;
    out.range = range(ctx);
    if (auto* e = dynamic_cast<P::EnumTypeContext*>(ctx)) {
      out.is_enum = true;
      out.name = ast::Ident{"one of", range(ctx)};
      for (auto* id : e->ID()) out.enum_members.push_back(ident(id));
    } else if (auto* n = dynamic_cast<P::NamedTypeContext*>(ctx)) {
      out.name = ident(n->ID());
      if (n->typeRef() != nullptr) out.args.push_back(type(n->typeRef()));
    }
    return out;
  }

  ast::ProcessDecl process(P::ProcessDeclContext* ctx) {
    ast::ProcessDecl out;
    out.range = range(ctx);
    auto ids = ctx->ID();
    if (!ids.empty()) out.name = ident(ids[0]);
    if (ctx->INT() != nullptr) out.version = small_integer(ctx->INT());
    if (ctx->EXTENDS() != nullptr && ids.size() > 1) out.parent = ident(ids[1]);
    for (auto* m : ctx->member()) member(m, out);
    return out;
  }

  void member(P::MemberContext* ctx, ast::ProcessDecl& out) {
    if (auto* m = dynamic_cast<P::TitleMemberContext*>(ctx)) {
      if (m->STRING()) out.title = unquote(m->STRING());
    } else if (auto* m = dynamic_cast<P::RolesMemberContext*>(ctx)) {
      for (auto* id : m->ID()) out.roles.push_back(ident(id));
    } else if (auto* m = dynamic_cast<P::CalendarMemberContext*>(ctx)) {
      out.calendar = ident(m->ID());
    } else if (auto* m = dynamic_cast<P::IncidentsMemberContext*>(ctx)) {
      out.incident_role = ident(m->ID());
    } else if (auto* m = dynamic_cast<P::CaseMemberContext*>(ctx)) {
      for (auto* f : m->fieldDecl()) out.fields.push_back(field(f));
    } else if (auto* m = dynamic_cast<P::InstrumentMemberContext*>(ctx)) {
      if (m->instrumentDecl() != nullptr) out.instruments.push_back(instrument(m->instrumentDecl()));
    } else if (auto* m = dynamic_cast<P::PersonsMemberContext*>(ctx)) {
      for (auto* f : m->fieldDecl()) out.person_attributes.push_back(field(f));
    } else if (auto* m = dynamic_cast<P::EventsMemberContext*>(ctx)) {
      for (auto* e : m->eventDecl()) {
        if (e->ID() == nullptr) continue;
        ast::Ident event = ident(e->ID());
        out.events.push_back(event);
        if (auto* by = e->eventSenders()) {
          ast::EventSenders senders{event, {}};
          for (auto* role : by->ID()) senders.roles.push_back(ident(role));
          out.event_senders.push_back(std::move(senders));
        }
        if (auto* with = e->eventFields()) {
          ast::EventFields fields{event, {}, range(with)};
          for (auto* field : with->ID()) fields.fields.push_back(ident(field));
          out.event_fields.push_back(std::move(fields));
        }
      }
    } else if (auto* m = dynamic_cast<P::TermsMemberContext*>(ctx)) {
      for (auto* t : m->termOverride()) {
        auto parts = t->ID();
        ast::TermOverride o;
        if (parts.size() > 0) o.group = ident(parts[0]);
        if (parts.size() > 1) o.name = ident(parts[1]);
        o.value = duration(t->duration());
        o.value_range = t->duration() ? range(t->duration()) : range(t);
        o.cite = citation(t->citation());
        o.range = range(t);
        out.term_overrides.push_back(std::move(o));
      }
    } else if (auto* m = dynamic_cast<P::StartMemberContext*>(ctx)) {
      ast::StartRoute s;
      auto parts = m->ID();
      if (!parts.empty()) s.event = ident(parts[0]);
      if (m->ARROW() != nullptr && parts.size() > 1) {
        s.then = ast::Continuation{ident(parts[1]), {}};
      } else if (m->block() != nullptr) {
        s.then = ast::Continuation{std::nullopt, block(m->block())};
      }
      s.range = range(m);
      out.starts.push_back(std::move(s));
    } else if (auto* m = dynamic_cast<P::OverrideMemberContext*>(ctx)) {
      if (m->step() != nullptr) out.overrides.push_back(step(m->step()));
    } else if (auto* m = dynamic_cast<P::RemoveMemberContext*>(ctx)) {
      out.removals.push_back(ast::Removal{ident(m->ID()), range(m)});
    } else if (auto* m = dynamic_cast<P::AddMemberContext*>(ctx)) {
      ast::Addition a;
      a.where = m->BEFORE() != nullptr   ? ast::Addition::Where::kBefore
                : m->BESIDE() != nullptr ? ast::Addition::Where::kBeside
                                         : ast::Addition::Where::kAfter;
      a.anchor = ident(m->ID());
      if (m->block() != nullptr) a.steps = block(m->block());
      a.range = range(m);
      out.additions.push_back(std::move(a));
    } else if (auto* m = dynamic_cast<P::AddBranchMemberContext*>(ctx)) {
      ast::Addition a;
      a.where = ast::Addition::Where::kBranch;
      auto ids = m->ID();
      if (!ids.empty()) a.branch = ident(ids[0]);
      if (ids.size() > 1) a.anchor = ident(ids[1]);
      if (m->block() != nullptr) a.steps = block(m->block());
      a.range = range(m);
      out.additions.push_back(std::move(a));
    } else if (auto* m = dynamic_cast<P::StepMemberContext*>(ctx)) {
      if (m->step() != nullptr) out.steps.push_back(step(m->step()));
    }
  }

  // ---- steps ----
  ast::Block block(P::BlockContext* ctx) {
    ast::Block out;
    if (ctx == nullptr) return out;
    Nest nest(*this, ctx);
    for (auto* s : ctx->step()) out.push_back(step(s));
    return out;
  }

  ast::Continuation continuation(antlr4::tree::TerminalNode* target, P::BlockContext* body) {
    if (target != nullptr) return ast::Continuation{ident(target), {}};
    return ast::Continuation{std::nullopt, block(body)};
  }

  ast::Step step(P::StepContext* ctx) {
    ast::Step out;
    out.range = range(ctx);
    auto* body = ctx->stepBody();
    if (body == nullptr) return out;
    out.keyword = SourceRange{source_, pos(body->getStart()), end_pos(body->getStart())};
    using K = ast::Step::Kind;
    if (auto* s = dynamic_cast<P::TaskStepContext*>(body)) {
      out.kind = K::kTask;
      out.name = ident(s->ID());
      ast::TaskStep task;
      task.title = opt_string(s->STRING());
      for (auto* clause : s->taskClause()) {
        if (auto* c = dynamic_cast<P::ByClauseContext*>(clause)) {
          task.role = ident(c->ID());
        } else if (auto* c = dynamic_cast<P::WithinClauseContext*>(clause)) {
          task.within = expr(c->expr());
        } else if (auto* c = dynamic_cast<P::DueClauseContext*>(clause)) {
          task.due = expr(c->expr());
        }
      }
      if (auto* tb = s->taskBody()) {
        for (auto* item : tb->taskItem()) {
          if (auto* o = dynamic_cast<P::OutputItemContext*>(item)) {
            if (o->fieldDecl()) task.outputs.push_back(field(o->fieldDecl()));
          } else if (auto* c = dynamic_cast<P::CiteItemContext*>(item)) {
            task.cite = opt_string(c->STRING());
          } else if (auto* e = dynamic_cast<P::EscalateItemContext*>(item)) {
            task.has_escalation = true;
            for (auto* r : e->rung()) task.escalation.push_back(rung(r));
          } else if (auto* i = dynamic_cast<P::InstrumentItemContext*>(item)) {
            if (i->ID() != nullptr) task.instrument = ident(i->ID());
          }
        }
      }
      out.body = std::move(task);
    } else if (auto* s = dynamic_cast<P::MilestoneStepContext*>(body)) {
      out.kind = K::kMilestone;
      out.name = ident(s->ID());
      out.body = ast::MilestoneStep{opt_string(s->STRING())};
    } else if (auto* s = dynamic_cast<P::DecideStepContext*>(body)) {
      out.kind = K::kDecide;
      out.name = ident(s->ID());
      ast::DecideStep decide;
      decide.title = opt_string(s->STRING());
      for (auto* w : s->whenBranch()) {
        decide.whens.push_back(
            ast::WhenBranch{expr(w->expr()), continuation(w->ID(), w->block()), range(w)});
      }
      if (auto* o = s->otherwiseBranch()) {
        decide.otherwise = continuation(o->ID(), o->block());
        decide.otherwise_range = range(o);
      }
      out.body = std::move(decide);
    } else if (auto* s = dynamic_cast<P::TimerStepContext*>(body)) {
      out.kind = K::kTimer;
      out.name = ident(s->ID());
      out.body = ast::TimerStep{expr(s->expr())};
    } else if (auto* s = dynamic_cast<P::WaitUntilStepContext*>(body)) {
      out.kind = K::kWaitUntil;
      out.body = ast::WaitUntilStep{expr(s->expr())};
    } else if (auto* s = dynamic_cast<P::WaitForStepContext*>(body)) {
      out.kind = K::kWaitFor;
      out.body = ast::WaitForStep{ident(s->ID())};
    } else if (auto* s = dynamic_cast<P::ParallelStepContext*>(body)) {
      out.kind = K::kParallel;
      ast::ParallelStep parallel;
      for (auto* b : s->branch()) {
        parallel.branches.push_back(ast::ParallelBranch{ident(b->ID()), block(b->block()), range(b)});
      }
      out.body = std::move(parallel);
    } else if (auto* s = dynamic_cast<P::BesideStepContext*>(body)) {
      // `beside NAME { ... }` starts its steps and goes on at once: a parallel of the steps, which
      // nothing waits for, and an empty branch that carries the flow on (as `add beside` builds).
      out.kind = K::kParallel;
      out.name = ident(s->ID());
      ast::ParallelStep parallel;
      parallel.branches.push_back(ast::ParallelBranch{ident(s->ID()), block(s->block()), range(s), /*detached=*/true});
      parallel.branches.push_back(ast::ParallelBranch{ast::Ident{"", out.keyword}, ast::Block{}, range(s)});
      out.body = std::move(parallel);
    } else if (auto* s = dynamic_cast<P::ForEachStepContext*>(body)) {
      out.kind = K::kForEach;
      auto exprs = s->expr();
      ast::ForEachStep each{ident(s->ID()), expr(exprs.empty() ? nullptr : exprs[0]), block(s->block()), std::nullopt};
      if (exprs.size() > 1) each.where = expr(exprs[1]);
      out.body = std::move(each);
    } else if (auto* s = dynamic_cast<P::CallStepContext*>(body)) {
      out.kind = K::kCall;
      ast::CallStep call;
      call.process = ident(s->ID());
      for (auto* a : s->argument()) call.arguments.push_back(ast::CallArgument{ident(a->ID()), expr(a->expr())});
      out.body = std::move(call);
    } else if (auto* s = dynamic_cast<P::RequireStepContext*>(body)) {
      out.kind = K::kRequire;
      ast::RequireStep require{expr(s->expr()), s->STRING() ? unquote(s->STRING()) : "", std::nullopt};
      if (s->ID() != nullptr) require.escalate_to = ident(s->ID());
      out.body = std::move(require);
    } else if (auto* s = dynamic_cast<P::NotifyStepContext*>(body)) {
      out.kind = K::kNotify;
      ast::NotifyStep notify;
      for (auto* id : s->ID()) notify.roles.push_back(ident(id));
      if (s->STRING()) notify.message = unquote(s->STRING());
      out.body = std::move(notify);
    } else if (auto* s = dynamic_cast<P::SignalStepContext*>(body)) {
      out.kind = K::kSignal;
      out.body = ast::SignalStep{ident(s->ID())};
    } else if (auto* s = dynamic_cast<P::SetStepContext*>(body)) {
      out.kind = K::kSet;
      out.body = ast::SetStep{ident(s->ID()), expr(s->expr())};
    } else if (auto* s = dynamic_cast<P::GotoStepContext*>(body)) {
      out.kind = K::kGoto;
      out.body = ast::GotoStep{ident(s->ID())};
    } else if (auto* s = dynamic_cast<P::EndStepContext*>(body)) {
      out.kind = K::kEnd;
      out.body = ast::EndStep{opt_string(s->STRING())};
    } else if (auto* s = dynamic_cast<P::StageStepContext*>(body)) {
      out.kind = K::kStage;
      auto ids = s->ID();
      std::optional<ast::Ident> until;
      if (ids.size() > 1) until = ident(ids[1]);
      out.name = ident(ids.empty() ? nullptr : ids[0]);
      out.body = ast::StageStep{opt_string(s->STRING()), std::move(until), block(s->block())};
    } else if (auto* s = dynamic_cast<P::HandlerStepContext*>(body)) {
      out.kind = K::kHandler;
      auto ids = s->ID();
      ast::HandlerStep handler;
      if (!ids.empty()) handler.event = ident(ids[0]);
      handler.interrupting = s->INTERRUPTING() != nullptr;
      handler.then = continuation(ids.size() > 1 ? ids[1] : nullptr, s->block());
      out.body = std::move(handler);
    } else if (auto* s = dynamic_cast<P::TermPassesStepContext*>(body)) {
      out.kind = K::kHandler;
      ast::HandlerStep handler;
      handler.event = ident(s->ID());
      handler.term_passes = true;
      handler.then = continuation(nullptr, s->block());
      out.body = std::move(handler);
    } else if (auto* s = dynamic_cast<P::HandOnStepContext*>(body)) {
      out.kind = K::kHandOn;
      auto ids = s->ID();
      ast::HandOnStep hand_on;
      if (!ids.empty()) hand_on.task = ident(ids[0]);
      if (ids.size() > 1) hand_on.to = ident(ids[1]);
      out.body = std::move(hand_on);
    }
    if (ctx->ID() != nullptr) {
      if (!out.name.name.empty()) {
        diagnostics_.error(range(ctx->ID()),
                           tr("{} '{}' already has a name; remove the label '{}:'",
                              ast::kind_name(out.kind), out.name.name, text(ctx->ID())));
      } else {
        out.name = ident(ctx->ID());
      }
    }
    return out;
  }

  ast::Rung rung(P::RungContext* ctx) {
    ast::Rung out;
    out.range = range(ctx);
    auto* when = ctx->rungWhen();
    if (auto* w = dynamic_cast<P::BeforeDueContext*>(when)) {
      out.when = ast::Rung::When::kBeforeDue;
      out.offset = expr(w->expr());
    } else if (auto* w = dynamic_cast<P::AfterDueContext*>(when)) {
      out.when = ast::Rung::When::kAfterDue;
      out.offset = expr(w->expr());
    }
    for (auto* a : ctx->rungAction()) {
      ast::RungAction action;
      action.range = range(a);
      if (auto* n = dynamic_cast<P::NotifyActionContext*>(a)) {
        action.kind = ast::RungAction::Kind::kNotify;
        for (auto* id : n->ID()) action.roles.push_back(ident(id));
        action.message = opt_string(n->STRING());
      } else if (auto* r = dynamic_cast<P::ReassignActionContext*>(a)) {
        action.kind = ast::RungAction::Kind::kReassign;
        if (r->ID()) action.roles.push_back(ident(r->ID()));
      } else if (auto* r = dynamic_cast<P::RaiseActionContext*>(a)) {
        action.kind = ast::RungAction::Kind::kRaise;
        if (r->INT()) action.level = small_integer(r->INT());
      }
      out.actions.push_back(std::move(action));
    }
    return out;
  }

  // ---- expressions ----
  ast::Expr binary(antlr4::ParserRuleContext* ctx, ast::Expr::Op op, P::ExprContext* lhs,
                   P::ExprContext* rhs) {
    ast::Expr e = make(ctx, ast::Expr::Kind::kBinary);
    e.op = op;
    e.operands.push_back(expr(lhs));
    e.operands.push_back(expr(rhs));
    return e;
  }
  ast::Expr make(antlr4::ParserRuleContext* ctx, ast::Expr::Kind kind) {
    ast::Expr e;
    e.kind = kind;
    e.range = range(ctx);
    return e;
  }

  ast::Expr expr(P::ExprContext* ctx) {
    using K = ast::Expr::Kind;
    using Op = ast::Expr::Op;
    if (ctx == nullptr) return ast::Expr{};
    Nest nest(*this, ctx);
    if (auto* e = dynamic_cast<P::ParenExprContext*>(ctx)) {
      ast::Expr inner = expr(e->expr());
      inner.range = range(ctx);
      return inner;
    }
    if (auto* e = dynamic_cast<P::MemberExprContext*>(ctx)) {
      ast::Expr out = make(ctx, K::kMember);
      out.operands.push_back(expr(e->expr()));
      if (e->ID()) {
        out.text = e->ID()->getText();
        out.text_range = range(e->ID());
      }
      return out;
    }
    if (auto* e = dynamic_cast<P::CallExprContext*>(ctx)) {
      ast::Expr out = make(ctx, K::kCall);
      out.text = text(e->ID());
      if (e->ID() != nullptr) out.text_range = range(e->ID());
      for (auto* arg : e->expr()) out.operands.push_back(expr(arg));
      return out;
    }
    if (auto* e = dynamic_cast<P::NotExprContext*>(ctx)) {
      ast::Expr out = make(ctx, K::kNot);
      out.operands.push_back(expr(e->expr()));
      return out;
    }
    if (auto* e = dynamic_cast<P::MulExprContext*>(ctx)) return binary(ctx, Op::kMul, e->expr(0), e->expr(1));
    if (auto* e = dynamic_cast<P::AddExprContext*>(ctx)) {
      return binary(ctx, e->op != nullptr && e->op->getType() == P::MINUS ? Op::kSub : Op::kAdd, e->expr(0), e->expr(1));
    }
    if (auto* e = dynamic_cast<P::CompareExprContext*>(ctx)) {
      Op op = Op::kLt;
      switch (e->op != nullptr ? e->op->getType() : static_cast<std::size_t>(P::LT)) {
        case P::LE: op = Op::kLe; break;
        case P::GT: op = Op::kGt; break;
        case P::GE: op = Op::kGe; break;
        default: break;
      }
      return binary(ctx, op, e->expr(0), e->expr(1));
    }
    if (auto* e = dynamic_cast<P::EqualExprContext*>(ctx)) {
      return binary(ctx, e->op != nullptr && e->op->getType() == P::NE ? Op::kNe : Op::kEq, e->expr(0), e->expr(1));
    }
    if (auto* e = dynamic_cast<P::AndExprContext*>(ctx)) return binary(ctx, Op::kAnd, e->expr(0), e->expr(1));
    if (auto* e = dynamic_cast<P::OrExprContext*>(ctx)) return binary(ctx, Op::kOr, e->expr(0), e->expr(1));
    if (auto* e = dynamic_cast<P::DurationExprContext*>(ctx)) {
      ast::Expr out = make(ctx, K::kDuration);
      out.duration = duration(e->duration());
      return out;
    }
    if (auto* e = dynamic_cast<P::IntExprContext*>(ctx)) {
      ast::Expr out = make(ctx, K::kInt);
      out.int_value = integer(e->INT());
      return out;
    }
    if (auto* e = dynamic_cast<P::StringExprContext*>(ctx)) {
      ast::Expr out = make(ctx, K::kString);
      out.text = unquote(e->STRING());
      return out;
    }
    if (auto* e = dynamic_cast<P::BoolExprContext*>(ctx)) {
      ast::Expr out = make(ctx, K::kBool);
      out.bool_value = e->TRUE() != nullptr;
      return out;
    }
    if (dynamic_cast<P::NowExprContext*>(ctx) != nullptr) return make(ctx, K::kNow);
    if (auto* e = dynamic_cast<P::NameExprContext*>(ctx)) {
      ast::Expr out = make(ctx, K::kName);
      out.text = text(e->ID());
      return out;
    }
    return make(ctx, K::kInt);
  }

  SourceFilePtr source_;
  DiagnosticList& diagnostics_;
  int depth_ = 0;
};

// Counts how deep the parser recurses while it parses (as cel-cpp's ExprRecursionListener), so
// `not not not ... x` stops at limits::kParseDepth. Left-recursive chains (`a + b + c ...`) are a
// loop in ANTLR but a deep tree after it: the AST builder counts those (AstBuilder::Nest).
class DepthGuard : public antlr4::tree::ParseTreeListener {
 public:
  DepthGuard(SourceFilePtr source, DiagnosticList& diagnostics) : source_(std::move(source)), diagnostics_(diagnostics) {}

  void enterEveryRule(antlr4::ParserRuleContext* ctx) override {
    if (++depth_ > limits::kParseDepth) too_deep(source_, diagnostics_, ctx->getStart());
  }
  void exitEveryRule(antlr4::ParserRuleContext*) override { --depth_; }
  void visitTerminal(antlr4::tree::TerminalNode*) override {}
  void visitErrorNode(antlr4::tree::ErrorNode*) override {}

 private:
  SourceFilePtr source_;
  DiagnosticList& diagnostics_;
  int depth_ = 0;
};

// Brackets nested past limits::kSourceNesting, found on the tokens before the parser recurses
// into them: reported at the bracket that goes one level too deep.
bool nesting_within_limit(antlr4::CommonTokenStream& tokens, const SourceFilePtr& source, DiagnosticList& diagnostics) {
  int depth = 0;
  for (antlr4::Token* token : tokens.getTokens()) {
    std::size_t type = token->getType();
    if (type == WthLexer::LBRACE || type == WthLexer::LPAREN) {
      if (++depth <= limits::kSourceNesting) continue;
      SourcePos pos = position(source, token);
      diagnostics.error(SourceRange{source, pos, SourcePos{pos.line, pos.column + 1}},
                        tr("more than {} levels of '{{ }}' and '( )' inside each other (limit: source "
                           "nesting); split this up",
                           limits::kSourceNesting));
      return false;
    }
    if ((type == WthLexer::RBRACE || type == WthLexer::RPAREN) && depth > 0) --depth;
  }
  return true;
}

// The rules whose children are the elements of a list: each child begins a line in the
// canonical layout (`termijn fmt`).
bool lists_items(antlr4::tree::ParseTree* node) {
  return dynamic_cast<P::File_Context*>(node) != nullptr || dynamic_cast<P::TermsDeclContext*>(node) != nullptr ||
         dynamic_cast<P::ProcessDeclContext*>(node) != nullptr || dynamic_cast<P::CaseMemberContext*>(node) != nullptr ||
         dynamic_cast<P::PersonsMemberContext*>(node) != nullptr || dynamic_cast<P::TermsMemberContext*>(node) != nullptr ||
         dynamic_cast<P::InstrumentDeclContext*>(node) != nullptr || dynamic_cast<P::PartPartContext*>(node) != nullptr ||
         dynamic_cast<P::RulesPartContext*>(node) != nullptr || dynamic_cast<P::BlockContext*>(node) != nullptr ||
         dynamic_cast<P::TaskBodyContext*>(node) != nullptr || dynamic_cast<P::EscalateItemContext*>(node) != nullptr ||
         dynamic_cast<P::DecideStepContext*>(node) != nullptr || dynamic_cast<P::ParallelStepContext*>(node) != nullptr;
}

LayoutToken::Kind kind_of(const antlr4::Token& token) {
  using K = LayoutToken::Kind;
  switch (token.getType()) {
    case WthLexer::ID: return K::kName;
    case WthLexer::INT: return K::kNumber;
    case WthLexer::STRING: return K::kString;
    case WthLexer::LINE_COMMENT: return K::kLineComment;
    case WthLexer::BLOCK_COMMENT: return K::kBlockComment;
    default: return std::isalpha(static_cast<unsigned char>(token.getText()[0])) ? K::kWord : K::kPunct;
  }
}

// The tokens of a parsed file, marked from its tree. The tree is no deeper than the DepthGuard
// let it be, so the walk (with its own stack) is bounded too.
std::vector<LayoutToken> layout_tokens(antlr4::CommonTokenStream& stream, P::File_Context* tree) {
  std::vector<LayoutToken> out;
  for (antlr4::Token* token : stream.getTokens()) {
    if (token->getType() == antlr4::Token::EOF) break;
    std::string text = token->getText();
    int line = static_cast<int>(token->getLine());
    int end_line = line + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
    out.push_back(LayoutToken{kind_of(*token), std::move(text), line, end_line});
  }
  auto mark = [&out](antlr4::Token* token, bool LayoutToken::*flag) {
    if (token != nullptr && token->getTokenIndex() < out.size()) out[token->getTokenIndex()].*flag = true;
  };
  std::vector<antlr4::tree::ParseTree*> todo{tree};
  while (!todo.empty()) {
    antlr4::tree::ParseTree* node = todo.back();
    todo.pop_back();
    bool list = lists_items(node);
    for (antlr4::tree::ParseTree* child : node->children) {
      auto* rule = dynamic_cast<antlr4::ParserRuleContext*>(child);
      if (rule == nullptr) continue;
      if (list) mark(rule->getStart(), &LayoutToken::item_start);
      todo.push_back(child);
    }
    if (auto* type = dynamic_cast<P::NamedTypeContext*>(node); type != nullptr && type->LT() != nullptr) {
      mark(type->LT()->getSymbol(), &LayoutToken::in_type);
      if (type->GT() != nullptr) mark(type->GT()->getSymbol(), &LayoutToken::in_type);
    }
    if (auto* def = dynamic_cast<P::TermDefContext*>(node)) {
      if (def->ASSIGN() != nullptr) mark(def->ASSIGN()->getSymbol(), &LayoutToken::term_column);
      if (def->citation() != nullptr) mark(def->citation()->getStart(), &LayoutToken::term_column);
    }
  }
  return out;
}

// The parse behind parse_file and parse_layout; `layout`, when given, receives the tokens of a
// file that parsed without error.
ast::File parse(const SourceFilePtr& source, DiagnosticList& diagnostics, std::vector<LayoutToken>* layout) {
  ast::File empty;
  empty.source = source;
  if (!admit_source(source, diagnostics)) return empty;
  antlr4::ANTLRInputStream input(source->text());
  WthLexer lexer(&input);
  antlr4::CommonTokenStream tokens(&lexer);
  WthParser parser(&tokens);
  SyntaxErrorCollector collector(source, diagnostics);
  lexer.removeErrorListeners();
  parser.removeErrorListeners();
  lexer.addErrorListener(&collector);
  parser.addErrorListener(&collector);
  DepthGuard depth(source, diagnostics);
  parser.addParseListener(&depth);
  try {
    tokens.fill();
    if (!nesting_within_limit(tokens, source, diagnostics)) return empty;
    int errors_before = diagnostics.error_count();
    P::File_Context* tree = parser.file_();
    ast::File file = AstBuilder(source, diagnostics).file(tree);
    if (layout != nullptr && diagnostics.error_count() == errors_before) *layout = layout_tokens(tokens, tree);
    return file;
  } catch (const ParseCancelled&) {
    return empty;  // the reason is reported
  }
}

}  // namespace

ast::File parse_file(SourceFilePtr source, DiagnosticList& diagnostics) { return parse(source, diagnostics, nullptr); }

std::optional<LayoutFile> parse_layout(const SourceFilePtr& source, DiagnosticList& diagnostics) {
  LayoutFile out;
  int errors_before = diagnostics.error_count();
  out.file = parse(source, diagnostics, &out.tokens);
  if (diagnostics.error_count() != errors_before) return std::nullopt;
  return out;
}

std::vector<std::string> keywords() {
  std::vector<std::string> out;
  antlr4::ANTLRInputStream nothing("");
  WthLexer lexer(&nothing);
  const antlr4::dfa::Vocabulary& vocabulary = lexer.getVocabulary();
  for (std::size_t t = 1; t <= vocabulary.getMaxTokenType(); ++t) {
    std::string literal = vocabulary.getLiteralName(t);  // "'task'", or "" for tokens without one
    if (literal.size() < 3 || !std::isalpha(static_cast<unsigned char>(literal[1]))) continue;
    out.push_back(literal.substr(1, literal.size() - 2));
  }
  return out;
}

}  // namespace termijn
