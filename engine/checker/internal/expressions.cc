#include "engine/checker/internal/expressions.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/base/language.h"

namespace termijn::checker {

using model::Type;
using K = Type::Kind;

model::Type duration_type(DurationKind kind) {
  switch (kind) {
    case DurationKind::kCalendar: return Type::of(K::kDays);
    case DurationKind::kWorking: return Type::of(K::kWorkingDays);
    case DurationKind::kClock: return Type::of(K::kHours);
  }
  return Type::of(K::kDays);
}

namespace {

model::Expr make(const ast::Expr& source, model::Expr::Kind kind, Type type) {
  model::Expr e;
  e.kind = kind;
  e.type = std::move(type);
  e.range = source.range;
  return e;
}

model::Expr error_expr(const ast::Expr& source) { return make(source, model::Expr::Kind::kBool, Type{}); }

bool is_time_step(ast::Step::Kind kind) {
  return kind == ast::Step::Kind::kMilestone || kind == ast::Step::Kind::kTimer ||
         kind == ast::Step::Kind::kTask;
}

std::string describe(const Type& t) { return model::to_string(t); }

}  // namespace

model::Expr ExpressionChecker::check(const ast::Expr& expr, const std::vector<LoopVariable>& loop,
                                     std::vector<Reference>& references) {
  loop_ = &loop;
  references_ = &references;
  return resolve(expr, nullptr);
}

model::Expr ExpressionChecker::expect(const ast::Expr& expr, const Type& wanted, const std::string& what,
                                      const std::vector<LoopVariable>& loop,
                                      std::vector<Reference>& references) {
  loop_ = &loop;
  references_ = &references;
  model::Expr out = resolve(expr, &wanted);
  if (!out.type.is_error() && !(out.type == wanted)) {
    diagnostics_.error(expr.range, tr("{} must be {}, but this is {}", what, describe(wanted),
                                      describe(out.type)));
    out.type = Type{};
  }
  return out;
}

model::Expr ExpressionChecker::expect_duration(const ast::Expr& expr, const std::string& what,
                                               const std::vector<LoopVariable>& loop,
                                               std::vector<Reference>& references) {
  model::Expr out = check(expr, loop, references);
  if (!out.type.is_error() && !out.type.is_duration()) {
    std::string hint = out.type.kind == K::kDateTime ? tr("; an instant goes after 'due', not 'within'") : "";
    diagnostics_.error(expr.range, tr("{} must be a duration (days, working days or hours), but this is {}{}",
                                      what, describe(out.type), hint));
    out.type = Type{};
  }
  return out;
}

void ExpressionChecker::require_calendar(const SourceRange& range) {
  if (symbols_.has_calendar) return;
  diagnostics_.error(range, tr("working days need a holiday calendar to count on: add "
                               "'uses calendar <name>' to process '{}'",
                               symbols_.process));
}

std::vector<std::string> ExpressionChecker::names_in_scope() const {
  std::vector<std::string> out;
  if (loop_ != nullptr) {
    for (const auto& v : *loop_) out.push_back(v.name);
  }
  for (const auto& [name, _] : symbols_.steps) out.push_back(name);
  for (const auto& [name, _] : symbols_.fields) out.push_back(name);
  for (const auto& group : symbols_.term_groups) out.push_back(group);
  return out;
}

model::Expr ExpressionChecker::resolve(const ast::Expr& expr, const Type* context) {
  using EK = model::Expr::Kind;
  switch (expr.kind) {
    case ast::Expr::Kind::kInt: {
      model::Expr e = make(expr, EK::kInt, Type::of(K::kInt));
      e.int_value = expr.int_value;
      return e;
    }
    case ast::Expr::Kind::kString: {
      model::Expr e = make(expr, EK::kText, Type::of(K::kText));
      e.text = expr.text;
      return e;
    }
    case ast::Expr::Kind::kBool: {
      model::Expr e = make(expr, EK::kBool, Type::of(K::kBool));
      e.bool_value = expr.bool_value;
      return e;
    }
    case ast::Expr::Kind::kDuration: {
      if (expr.duration.kind == DurationKind::kWorking) require_calendar(expr.range);
      model::Expr e = make(expr, EK::kDuration, duration_type(expr.duration.kind));
      e.duration = expr.duration;
      return e;
    }
    case ast::Expr::Kind::kNow: return make(expr, EK::kNow, Type::of(K::kDateTime));
    case ast::Expr::Kind::kName: return name(expr, context);
    case ast::Expr::Kind::kMember: return member(expr);
    case ast::Expr::Kind::kCall: return call(expr);
    case ast::Expr::Kind::kNot: {
      model::Expr operand = resolve(expr.operands.at(0), nullptr);
      model::Expr e = make(expr, EK::kNot, Type::of(K::kBool));
      if (!operand.type.is_error() && operand.type.kind != K::kBool) {
        diagnostics_.error(expr.operands[0].range,
                           tr("'not' needs a yes/no value (bool), but this is {}", describe(operand.type)));
        e.type = Type{};
      } else if (operand.type.is_error()) {
        e.type = Type{};
      }
      e.operands.push_back(std::move(operand));
      return e;
    }
    case ast::Expr::Kind::kBinary: return binary(expr);
  }
  return error_expr(expr);
}

model::Expr ExpressionChecker::name(const ast::Expr& expr, const Type* context, bool of_member) {
  using EK = model::Expr::Kind;
  const std::string& n = expr.text;
  // Compared with a one-of value, a bare name that is one of its values means that value, even
  // when a step happens to share the name (`besluit == verlengen` beside `decide verlengen`).
  if (context != nullptr && context->kind == K::kEnum &&
      std::find(context->members.begin(), context->members.end(), n) != context->members.end()) {
    model::Expr e = make(expr, EK::kEnumValue, *context);
    e.text = n;
    return e;
  }
  if (loop_ != nullptr) {
    for (auto it = loop_->rbegin(); it != loop_->rend(); ++it) {
      if (it->name == n) {
        model::Expr e = make(expr, it->received ? EK::kReceived : EK::kVariable, it->type);
        e.text = n;
        return e;
      }
    }
  }
  if (auto it = symbols_.steps.find(n); it != symbols_.steps.end()) {
    if (!is_time_step(it->second.kind)) {
      diagnostics_.error(expr.range, tr("'{}' is a {}; only milestones, timers and tasks mark a moment "
                                        "in time", n, ast::kind_name(it->second.kind)));
      return error_expr(expr);
    }
    model::Expr e = make(expr, EK::kReached, Type::of(K::kDateTime));
    e.text = n;
    e.node = it->second.node;
    references_->push_back(Reference{it->second.node, n, expr.range});
    return e;
  }
  if (auto it = symbols_.fields.find(n); it != symbols_.fields.end()) {
    model::Expr e = make(expr, EK::kField, it->second.type);
    e.text = n;
    return e;
  }
  if (symbols_.term_groups.count(n) != 0) {
    diagnostics_.error(expr.range, tr("'{}' is a group of legal terms; name one of them, as in '{}.<term>'", n, n));
    return error_expr(expr);
  }
  if (context != nullptr && context->kind == K::kEnum) {
    const auto& members = context->members;
    diagnostics_.error(expr.range, tr("'{}' is not one of ({}){}", n, fmt::join(members, ", "),
                                      did_you_mean(n, members)));
    return error_expr(expr);
  }
  if (std::find(symbols_.events.begin(), symbols_.events.end(), n) != symbols_.events.end()) {
    diagnostics_.error(expr.range, tr("'{}' is an event; the moment it arrived is known inside its handler, "
                                      "'on {} {{ ... }}'", n, n));
    return error_expr(expr);
  }
  if (auto removed = symbols_.removed.find(n); removed != symbols_.removed.end()) {
    diagnostics_.error(expr.range, tr("'{}' was removed by process '{}', but a step still uses it; "
                                      "remove or override that step too", n, removed->second));
    return error_expr(expr);
  }
  std::string suggestion = did_you_mean(n, names_in_scope());
  // `Wth.eerste_termijn` in a file that does not import the group: say which line brings it in.
  if (suggestion.empty() && of_member) {
    suggestion = tr(" (if '{}' is a group of legal terms, import the file that declares it; the law's terms "
                             "come with `import wth`)", n);
  }
  diagnostics_.error(expr.range, tr("unknown name '{}'{}", n, suggestion));
  return error_expr(expr);
}

model::Expr ExpressionChecker::member(const ast::Expr& expr) {
  using EK = model::Expr::Kind;
  const ast::Expr& object = expr.operands.at(0);
  const std::string& m = expr.text;
  if (object.kind != ast::Expr::Kind::kName) {
    diagnostics_.error(expr.range, tr("only a task's outputs and a group's legal terms can be read with '.'"));
    return error_expr(expr);
  }
  const std::string& n = object.text;
  if (symbols_.term_groups.count(n) != 0) {
    std::string qualified = n + "." + m;
    auto it = symbols_.terms.find(qualified);
    if (it == symbols_.terms.end()) {
      std::vector<std::string> candidates;
      for (const auto& [key, term] : symbols_.terms) {
        if (term.group == n) candidates.push_back(term.name);
      }
      diagnostics_.error(expr.text_range, tr("term group '{}' has no term '{}'{}", n, m,
                                             did_you_mean(m, candidates)));
      return error_expr(expr);
    }
    symbols_.used_terms.insert(qualified);
    if (it->second.value.kind == DurationKind::kWorking) require_calendar(expr.range);
    model::Expr e = make(expr, EK::kTerm, duration_type(it->second.value.kind));
    e.text = qualified;
    e.duration = it->second.value;
    e.termijnenwet = it->second.termijnenwet;
    return e;
  }
  if (auto it = symbols_.steps.find(n); it != symbols_.steps.end()) {
    const StepSymbol& step = it->second;
    if (step.kind != ast::Step::Kind::kTask) {
      diagnostics_.error(object.range, tr("'{}' is a {}; only tasks have outputs to read", n,
                                          ast::kind_name(step.kind)));
      return error_expr(expr);
    }
    auto out = std::find_if(step.outputs.begin(), step.outputs.end(),
                            [&](const model::Field& f) { return f.name == m; });
    if (out == step.outputs.end()) {
      std::vector<std::string> candidates;
      for (const auto& f : step.outputs) candidates.push_back(f.name);
      diagnostics_.error(expr.text_range, tr("task '{}' has no output '{}'{}", n, m,
                                             did_you_mean(m, candidates)));
      return error_expr(expr);
    }
    model::Expr task = make(object, EK::kReached, Type::of(K::kDateTime));
    task.text = n;
    task.node = step.node;
    model::Expr e = make(expr, EK::kOutput, out->type);
    e.text = m;
    e.node = step.node;
    e.operands.push_back(std::move(task));
    references_->push_back(Reference{step.node, n, object.range});
    return e;
  }
  model::Expr resolved = name(object, nullptr, /*of_member=*/true);
  if (resolved.type.kind == K::kPerson) return attribute(expr, std::move(resolved));
  if (!resolved.type.is_error()) {
    diagnostics_.error(expr.text_range, tr("'{}' is {} and has no part '{}'", n,
                                           describe(resolved.type), m));
  }
  return error_expr(expr);
}

// `k.geboortedatum`: an attribute the process declares for persons (`persons { ... }`).
model::Expr ExpressionChecker::attribute(const ast::Expr& expr, model::Expr person) {
  const auto& attributes = symbols_.person_attributes;
  auto it = std::find_if(attributes.begin(), attributes.end(), [&](const model::Field& f) { return f.name == expr.text; });
  if (it == attributes.end()) {
    std::vector<std::string> names;
    for (const auto& f : attributes) names.push_back(f.name);
    diagnostics_.error(expr.text_range,
                       attributes.empty()
                           ? tr("persons in process '{}' have no attributes; declare them: persons {{ {}: <type> }}",
                                         symbols_.process, expr.text)
                           : tr("persons have no attribute '{}'{}", expr.text, did_you_mean(expr.text, names)));
    return error_expr(expr);
  }
  model::Expr e = make(expr, model::Expr::Kind::kAttribute, it->type);
  e.text = it->name;
  e.operands.push_back(std::move(person));
  return e;
}

// age(k), age(k, moment), age(birth_moment[, moment]): whole years lived. A person's age is read
// from the attribute `geboortedatum`, so a process that asks for it must declare it.
model::Expr ExpressionChecker::age(const ast::Expr& expr) {
  if (expr.operands.empty() || expr.operands.size() > 2) {
    diagnostics_.error(expr.range, tr("age() takes a person (or a birth date) and, if the age is wanted on another "
                                      "moment than now, that moment: age(k) or age(k, besluit)"));
    return error_expr(expr);
  }
  model::Expr e = make(expr, model::Expr::Kind::kAge, Type::of(K::kInt));
  model::Expr born = resolve(expr.operands[0], nullptr);
  if (born.type.kind == K::kPerson) {
    const auto& attributes = symbols_.person_attributes;
    auto it = std::find_if(attributes.begin(), attributes.end(), [](const model::Field& f) {
      return f.name == kBirthDate;
    });
    if (it == attributes.end() || it->type.kind != K::kDateTime) {
      diagnostics_.error(expr.operands[0].range, tr("age() of a person reads its '{}'; declare it: persons {{ "
                                                    "{}: datetime }}", kBirthDate, kBirthDate));
      return error_expr(expr);
    }
    model::Expr date = make(expr.operands[0], model::Expr::Kind::kAttribute, it->type);
    date.text = kBirthDate;
    date.operands.push_back(std::move(born));
    born = std::move(date);
  } else if (!born.type.is_error() && born.type.kind != K::kDateTime) {
    diagnostics_.error(expr.operands[0].range, tr("age() needs a person or a birth date, but this is {}",
                                                  describe(born.type)));
    return error_expr(expr);
  }
  if (born.type.is_error()) return error_expr(expr);
  e.operands.push_back(std::move(born));
  if (expr.operands.size() == 2) {
    model::Expr at = resolve(expr.operands[1], nullptr);
    if (at.type.is_error()) return error_expr(expr);
    if (at.type.kind != K::kDateTime) {
      diagnostics_.error(expr.operands[1].range, tr("age() is counted on a moment, but this is {}",
                                                    describe(at.type)));
      return error_expr(expr);
    }
    e.operands.push_back(std::move(at));
  }
  return e;
}

model::Expr ExpressionChecker::call(const ast::Expr& expr) {
  using EK = model::Expr::Kind;
  if (expr.text == "age") return age(expr);
  if (expr.text != "count") {
    diagnostics_.error(expr.text_range, tr("unknown function '{}'{}", expr.text,
                                           did_you_mean(expr.text, {"count", "age"})));
    return error_expr(expr);
  }
  if (expr.operands.size() != 1) {
    diagnostics_.error(expr.range, tr("count() takes one list, not {} arguments", expr.operands.size()));
    return error_expr(expr);
  }
  model::Expr list = resolve(expr.operands[0], nullptr);
  model::Expr e = make(expr, EK::kCount, Type::of(K::kInt));
  if (list.type.is_error()) {
    e.type = Type{};
  } else if (list.type.kind != K::kList) {
    diagnostics_.error(expr.operands[0].range, tr("count() needs a list, but this is {}", describe(list.type)));
    e.type = Type{};
  }
  e.operands.push_back(std::move(list));
  return e;
}

model::Expr ExpressionChecker::binary(const ast::Expr& expr) {
  using EK = model::Expr::Kind;
  using Op = BinaryOp;
  const ast::Expr& l = expr.operands.at(0);
  const ast::Expr& r = expr.operands.at(1);
  model::Expr e = make(expr, EK::kBinary, Type{});
  e.op = expr.op;

  bool equality = expr.op == Op::kEq || expr.op == Op::kNe;
  // An enum value is written bare (`rihg.uitkomst == opleggen`): resolve the side that gives the
  // type first and read the other in its light.
  auto bare_unknown = [this](const ast::Expr& x) {
    return x.kind == ast::Expr::Kind::kName && symbols_.steps.count(x.text) == 0 &&
           symbols_.fields.count(x.text) == 0 && symbols_.term_groups.count(x.text) == 0 &&
           std::none_of(loop_->begin(), loop_->end(), [&](const LoopVariable& v) { return v.name == x.text; });
  };
  model::Expr lhs, rhs;
  // When the typed side is already wrong, a bare value beside it cannot be judged: say nothing.
  if (equality && bare_unknown(l) && !bare_unknown(r)) {
    rhs = resolve(r, nullptr);
    lhs = rhs.type.is_error() ? error_expr(l) : resolve(l, rhs.type.kind == K::kEnum ? &rhs.type : nullptr);
  } else {
    lhs = resolve(l, nullptr);
    rhs = equality && lhs.type.is_error() && bare_unknown(r)
              ? error_expr(r)
              : resolve(r, equality && lhs.type.kind == K::kEnum ? &lhs.type : nullptr);
  }
  Type lt = lhs.type;
  Type rt = rhs.type;
  e.operands.push_back(std::move(lhs));
  e.operands.push_back(std::move(rhs));
  if (lt.is_error() || rt.is_error()) return e;

  const char* sym = op_symbol(expr.op);
  switch (expr.op) {
    case Op::kAnd:
    case Op::kOr:
      if (lt.kind != K::kBool || rt.kind != K::kBool) {
        const ast::Expr& bad = lt.kind != K::kBool ? l : r;
        diagnostics_.error(bad.range, tr("'{}' joins yes/no conditions (bool), but this is {}", sym,
                                         describe(lt.kind != K::kBool ? lt : rt)));
        return e;
      }
      e.type = Type::of(K::kBool);
      return e;
    case Op::kEq:
    case Op::kNe:
      if (lt == rt) {
        e.type = Type::of(K::kBool);
        return e;
      }
      if ((lt.kind == K::kEnum && r.kind == ast::Expr::Kind::kString) ||
          (rt.kind == K::kEnum && l.kind == ast::Expr::Kind::kString)) {
        const ast::Expr& text = l.kind == ast::Expr::Kind::kString ? l : r;
        diagnostics_.error(text.range, tr("compare with a value of {} written without quotes, as in {}",
                                          describe(lt.kind == K::kEnum ? lt : rt), text.text));
        return e;
      }
      diagnostics_.error(expr.range, tr("cannot compare {} with {}", describe(lt), describe(rt)));
      return e;
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      bool ordered = lt.kind == K::kInt || lt.kind == K::kDateTime || lt.is_duration();
      if (!(lt == rt) || !ordered) {
        diagnostics_.error(expr.range, tr("cannot compare {} with {} using '{}'", describe(lt),
                                          describe(rt), sym));
        return e;
      }
      e.type = Type::of(K::kBool);
      return e;
    }
    case Op::kAdd:
    case Op::kSub:
    case Op::kMul:
      e.type = arithmetic(expr, lt, rt);
      return e;
  }
  return e;
}

Type ExpressionChecker::arithmetic(const ast::Expr& expr, const Type& lt, const Type& rt) {
  using Op = BinaryOp;
  switch (expr.op) {
    case Op::kAdd:
      if (lt.kind == K::kDateTime && rt.is_duration()) return lt;
      if (lt.is_duration() && rt.kind == K::kDateTime) return rt;
      if (lt.kind == K::kInt && rt.kind == K::kInt) return lt;
      if (lt.is_duration() && lt == rt) return lt;
      if (lt.is_duration() && rt.is_duration()) {
        diagnostics_.error(expr.range, tr("cannot add {} to {}: durations of different kinds do not mix; "
                                          "add each to an instant instead", describe(rt), describe(lt)));
        return Type{};
      }
      if (lt.kind == K::kDateTime && rt.kind == K::kDateTime) {
        diagnostics_.error(expr.range, tr("cannot add two instants; add a duration to an instant instead"));
        return Type{};
      }
      diagnostics_.error(expr.range, tr("cannot add {} and {}", describe(lt), describe(rt)));
      return Type{};
    case Op::kSub:
      if (lt.kind == K::kDateTime && rt.is_duration()) return lt;
      if (lt.kind == K::kDateTime && rt.kind == K::kDateTime) return Type::of(K::kHours);
      if (lt.kind == K::kInt && rt.kind == K::kInt) return lt;
      if (lt.is_duration() && lt == rt) return lt;
      diagnostics_.error(expr.range, tr("cannot subtract {} from {}", describe(rt), describe(lt)));
      return Type{};
    case Op::kMul:
      if (lt.kind == K::kInt && rt.kind == K::kInt) return lt;
      if (lt.kind == K::kInt && rt.is_duration()) return rt;
      if (lt.is_duration() && rt.kind == K::kInt) return lt;
      diagnostics_.error(expr.range, tr("cannot multiply {} by {}", describe(lt), describe(rt)));
      return Type{};
    default:
      return Type{};
  }
}

}  // namespace termijn::checker
