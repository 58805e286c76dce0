// Type-checks an expression and resolves its names into a model::Expr.
#pragma once

#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/checker/internal/symbols.h"

namespace termijn::checker {

class ExpressionChecker {
 public:
  ExpressionChecker(ProcessSymbols& symbols, DiagnosticList& diagnostics)
      : symbols_(symbols), diagnostics_(diagnostics) {}

  // `loop` holds the `for each` variables in scope, innermost last. Step times and outputs the
  // expression uses are appended to `references`. The result's type is kError after a reported problem.
  model::Expr check(const ast::Expr& expr, const std::vector<LoopVariable>& loop,
                    std::vector<Reference>& references);

  // Like check(), and reports when the type is not `wanted` (`what` names the place: "the due time").
  model::Expr expect(const ast::Expr& expr, const model::Type& wanted, const std::string& what,
                     const std::vector<LoopVariable>& loop, std::vector<Reference>& references);
  // Expects any of the three duration kinds.
  model::Expr expect_duration(const ast::Expr& expr, const std::string& what,
                              const std::vector<LoopVariable>& loop, std::vector<Reference>& references);

 private:
  model::Expr resolve(const ast::Expr& expr, const model::Type* context);
  // `of_member`: the name is the object of `X.y`, which may be a term group this file lacks.
  model::Expr name(const ast::Expr& expr, const model::Type* context, bool of_member = false);
  model::Expr member(const ast::Expr& expr);
  model::Expr attribute(const ast::Expr& expr, model::Expr person);
  model::Expr call(const ast::Expr& expr);
  model::Expr age(const ast::Expr& expr);
  model::Expr binary(const ast::Expr& expr);
  model::Type arithmetic(const ast::Expr& expr, const model::Type& lhs, const model::Type& rhs);
  void require_calendar(const SourceRange& range);
  std::vector<std::string> names_in_scope() const;

  ProcessSymbols& symbols_;
  DiagnosticList& diagnostics_;
  const std::vector<LoopVariable>* loop_ = nullptr;
  std::vector<Reference>* references_ = nullptr;
};

model::Type duration_type(DurationKind kind);

// The person attribute age(k) reads.
inline constexpr const char* kBirthDate = "geboortedatum";

}  // namespace termijn::checker
