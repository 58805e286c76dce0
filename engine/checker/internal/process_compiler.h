// Compiles one resolved process into a model::Process: declares its names, lowers its steps into
// a graph of nodes, checks every expression, then checks the flow (reachability, decisions that
// can get stuck, deadlines that depend on something that may not have happened yet).
#pragma once

#include <map>
#include <memory>
#include <set>

#include "engine/base/diagnostic.h"
#include "engine/checker/internal/declarations.h"
#include "engine/checker/internal/expressions.h"
#include "engine/checker/internal/symbols.h"
#include "engine/checker/internal/variants.h"

namespace termijn::checker {

class ProcessCompiler {
 public:
  ProcessCompiler(const ResolvedProcess& process, const Declarations& declarations,
                  VariantResolver& variants, DiagnosticList& diagnostics);

  // The compiled process, or nullptr when this process (or its parent) has errors.
  std::shared_ptr<model::Process> compile();

 private:
  // Shorthands for every file of the compiler (members.cc, lower_*.cc, flow_analysis.cc).
  using NodeId = model::NodeId;
  using NodeKind = model::NodeKind;
  using TK = model::Type::Kind;
  using SK = ast::Step::Kind;
  static constexpr NodeId kNoNode = model::kNoNode;

  // The block a step sits in, for jumps, handlers and where flow goes after the block's end.
  struct BlockContext {
    const ast::Block* block = nullptr;
    const BlockContext* parent = nullptr;
    const char* barrier = nullptr;  // "a parallel branch" / "a 'for each'": no jumping out
    int scope = 0;
    model::NodeId next = model::kNoNode;
    bool handlers_allowed = false;
    int ending_scope = -1;  // a `when t passes` block: the stage whose end it handles
  };
  struct StepNodes {
    model::NodeId entry = model::kNoNode;
    model::NodeId exit = model::kNoNode;  // join / scope exit, for compound steps
  };
  // One step being lowered: where it sits, its nodes, and where the flow goes after it.
  struct StepSite {
    const ast::Step& step;
    const BlockContext& ctx;
    StepNodes nodes;
    model::NodeId next = model::kNoNode;
  };
  struct Use {
    model::NodeId user = model::kNoNode;
    Reference reference;
    bool deadline = false;
  };
  struct BoundStage {  // `stage x until t`
    int scope = 0;
    model::NodeId timer = model::kNoNode;
    SourceRange range;
  };

  // members.cc
  void declare_members();
  void declare_person_attributes();
  void report_listed_twice(const std::vector<ast::Ident>& names, const std::string& what);
  static std::vector<std::string> names_of(const std::vector<ast::Ident>& idents);
  // instruments.cc
  void declare_instruments();
  void declare_instrument_parts(const ast::InstrumentDecl& decl, model::Instrument& instrument);
  void declare_outcome_rules(const ast::InstrumentDecl& decl, model::Instrument& instrument);
  std::vector<model::Field> instrument_outputs(const std::string& name, const SourceRange& range) const;
  model::Type resolve_type(const ast::TypeRef& ref);
  void declare_block(const ast::Block& block);
  model::NodeId add_node(model::NodeKind kind, const std::string& name, const ast::Step& step);

  static model::Origin origin_of(ast::Origin origin);
  model::Node& node(const StepNodes& nodes);
  void link(model::NodeId from, model::NodeId to, std::string label = {});

  // The block structure (process_compiler.cc): one line per kind of step in lower_step.
  model::NodeId lower_block(const ast::Block& block, const BlockContext& ctx);
  void lower_step(const ast::Step& step, const BlockContext& ctx, model::NodeId next);
  // lower_flow.cc
  void lower_milestone(const StepSite& site);
  void lower_decision(const StepSite& site);
  void check_decision_exits(const ast::Step& step, const model::Node& node);
  void lower_parallel(const StepSite& site);
  void lower_for_each(const StepSite& site);
  void lower_set(const StepSite& site);
  void lower_stage(const StepSite& site);
  void silence(const ast::Block& block);
  // lower_task.cc
  void lower_task(const StepSite& site);
  // lower_time.cc
  void lower_timer(const StepSite& site);
  void lower_wait_until(const StepSite& site);
  void lower_wait_for(const StepSite& site);
  void lower_term_passes(const ast::Step& step, const BlockContext& ctx);
  void lower_hand_on(const ast::Step& step, const BlockContext& ctx);
  // lower_events.cc
  void lower_starts();
  void lower_handler(const ast::Step& step, const BlockContext& ctx);
  void lower_signal(const StepSite& site);
  void lower_notify(const StepSite& site);
  void lower_require(const StepSite& site);
  // lower_call.cc
  void lower_call(const StepSite& site);
  void check_person_attributes(const ast::Ident& callee, const std::vector<ast::FieldDecl>& attributes,
                               ProcessCompiler& reader);
  model::NodeId continuation(const ast::Continuation& c, const BlockContext& ctx, model::NodeId next);
  model::NodeId entry_of(const ast::Step& step, const BlockContext& ctx, int depth = 0);
  model::NodeId resolve_jump(const ast::Ident& target, const BlockContext& ctx, int depth = 0);
  // members.cc
  void check_role(const ast::Ident& role);
  bool check_event(const ast::Ident& event, bool timers_too);

  // flow_analysis.cc
  void check_flow();
  void record(model::NodeId user, const std::vector<Reference>& refs, bool deadline);

  const ResolvedProcess& resolved_;
  const ast::ProcessDecl& decl_;
  const Declarations& declarations_;
  VariantResolver& variants_;
  DiagnosticList& diagnostics_;
  int errors_before_ = 0;

  std::shared_ptr<model::Process> out_;
  ProcessSymbols symbols_;
  ExpressionChecker expressions_;
  std::map<const ast::Step*, StepNodes> step_nodes_;
  std::vector<LoopVariable> loop_;
  std::vector<Use> uses_;
  std::vector<BoundStage> bound_stages_;
  std::vector<std::pair<model::NodeId, model::NodeId>> handler_links_;  // scope enter (or -1) -> handler entry
  model::NodeId main_entry_ = model::kNoNode;
  std::set<model::NodeId> silenced_;
  std::map<ast::Step::Kind, int> unnamed_;  // per kind, to number unnamed steps  // nodes whose unreachability follows from a reported mistake
};

}  // namespace termijn::checker
