#include "engine/runtime/evaluator.h"

#include <fmt/format.h>

#include <stdexcept>

namespace termijn::runtime {

using model::Expr;
using EK = model::Expr::Kind;
using TK = model::Type::Kind;

Json duration_json(const Duration& d) {
  return Json{{"kind", kind_name(d.kind)}, {"months", d.months}, {"days", d.days}, {"minutes", d.minutes}};
}

Duration duration_from(const Json& j) {
  Duration d;
  std::string kind = j.at("kind");
  d.kind = kind == "hours" ? DurationKind::kClock : kind == "working days" ? DurationKind::kWorking : DurationKind::kCalendar;
  d.months = j.at("months");
  d.days = j.at("days");
  d.minutes = j.at("minutes");
  return d;
}

namespace {

const Json* variable(const EvalContext& ctx, const std::string& name) {
  if (ctx.token == nullptr) return nullptr;
  for (auto it = ctx.token->frames.rbegin(); it != ctx.token->frames.rend(); ++it) {
    auto found = it->vars.find(name);
    if (found != it->vars.end()) return &*found;
  }
  return nullptr;
}

// The pending timer a timer step started (the latest, if it was moved), or nullptr.
const Timer* current_timer(const Expr& e, const EvalContext& ctx) {
  const model::Node& node = ctx.process.nodes.at(e.node);
  if (node.kind != model::NodeKind::kTimer) return nullptr;
  auto named = ctx.instance.named_timers.find(node.target);
  if (named == ctx.instance.named_timers.end()) return nullptr;
  auto timer = ctx.instance.timers.find(named->second);
  return timer == ctx.instance.timers.end() ? nullptr : &timer->second;
}

Json reached_json(const Expr& e, const EvalContext& ctx) {
  if (const Timer* timer = current_timer(e, ctx)) return to_millis(timer->due.at);
  auto it = ctx.instance.reached.find(e.node);
  if (it == ctx.instance.reached.end()) {
    throw std::runtime_error(fmt::format("'{}' has not happened yet", e.text));
  }
  return to_millis(it->second);
}

int compare(const Json& a, const Json& b, const model::Type& type) {
  if (type.is_duration()) {
    Duration x = duration_from(a), y = duration_from(b);
    auto key = [](const Duration& d) { return (d.months * 31 + d.days) * 1440 + d.minutes; };
    return key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0;
  }
  return a < b ? -1 : (b < a ? 1 : 0);
}

}  // namespace

Json evaluate(const Expr& e, const EvalContext& ctx) {
  switch (e.kind) {
    case EK::kBool: return e.bool_value;
    case EK::kInt: return e.int_value;
    case EK::kText: return e.text;
    case EK::kEnumValue: return e.text;
    case EK::kDuration:
    case EK::kTerm: return duration_json(e.duration);
    case EK::kNow: return to_millis(ctx.now);
    case EK::kField: {
      auto it = ctx.instance.data.find(e.text);
      if (it == ctx.instance.data.end() || it->is_null()) {
        if (e.type.kind == TK::kList) return Json::array();
        if (e.type.kind == TK::kBool) return false;
        throw std::runtime_error(fmt::format("case field '{}' has no value", e.text));
      }
      return *it;
    }
    case EK::kOutput: {
      auto it = ctx.instance.outputs.find(e.node);
      if (it == ctx.instance.outputs.end() || !it->second.contains(e.text)) {
        throw std::runtime_error(fmt::format("output '{}' of '{}' has no value",
                                             e.text, ctx.process.nodes.at(e.node).name));
      }
      return it->second.at(e.text);
    }
    case EK::kReached: return reached_json(e, ctx);
    case EK::kVariable: {
      if (const Json* v = variable(ctx, e.text)) return *v;
      throw std::runtime_error(fmt::format("'{}' is not set here", e.text));
    }
    case EK::kCount: return static_cast<std::int64_t>(evaluate(e.operands.at(0), ctx).size());
    case EK::kNot: return !evaluate(e.operands.at(0), ctx).get<bool>();
    case EK::kBinary: break;
  }
  const Expr& l = e.operands.at(0);
  const Expr& r = e.operands.at(1);
  switch (e.op) {
    case BinaryOp::kAnd: return evaluate(l, ctx).get<bool>() && evaluate(r, ctx).get<bool>();
    case BinaryOp::kOr: return evaluate(l, ctx).get<bool>() || evaluate(r, ctx).get<bool>();
    case BinaryOp::kEq: return evaluate(l, ctx) == evaluate(r, ctx);
    case BinaryOp::kNe: return evaluate(l, ctx) != evaluate(r, ctx);
    case BinaryOp::kLt: return compare(evaluate(l, ctx), evaluate(r, ctx), l.type) < 0;
    case BinaryOp::kLe: return compare(evaluate(l, ctx), evaluate(r, ctx), l.type) <= 0;
    case BinaryOp::kGt: return compare(evaluate(l, ctx), evaluate(r, ctx), l.type) > 0;
    case BinaryOp::kGe: return compare(evaluate(l, ctx), evaluate(r, ctx), l.type) >= 0;
    default: break;
  }
  if (e.type.kind == TK::kDateTime) return to_millis(evaluate_moment(e, ctx).at);
  if (e.type.kind == TK::kInt) {
    std::int64_t a = evaluate(l, ctx), b = evaluate(r, ctx);
    return e.op == BinaryOp::kAdd ? a + b : e.op == BinaryOp::kSub ? a - b : a * b;
  }
  if (e.type.kind == TK::kHours && l.type.kind == TK::kDateTime) {  // moment - moment
    std::int64_t ms = evaluate(l, ctx).get<std::int64_t>() - evaluate(r, ctx).get<std::int64_t>();
    return duration_json(Duration{DurationKind::kClock, 0, 0, ms / 60000});
  }
  if (e.type.is_duration()) {
    if (e.op == BinaryOp::kMul) {
      bool left_int = l.type.kind == TK::kInt;
      std::int64_t factor = evaluate(left_int ? l : r, ctx);
      return duration_json(scale(duration_from(evaluate(left_int ? r : l, ctx)), factor));
    }
    Duration a = duration_from(evaluate(l, ctx)), b = duration_from(evaluate(r, ctx));
    return duration_json(*add(a, e.op == BinaryOp::kSub ? negate(b) : b));
  }
  throw std::runtime_error("cannot evaluate " + model::to_source(e));
}

namespace {

std::string describe_duration(const Expr& e, const Duration& d, const EvalContext& ctx) {
  if (e.kind == EK::kTerm) {
    const model::LegalTerm* term = ctx.process.find_term(e.text);
    std::string cite = term != nullptr && !term->cite.empty() ? ", " + term->cite : "";
    return fmt::format("{} ({}{})", e.text, to_string(d), cite);
  }
  return to_string(d);
}

}  // namespace

Deadline evaluate_moment(const Expr& e, const EvalContext& ctx) {
  switch (e.kind) {
    case EK::kReached: {
      Instant at = from_millis(reached_json(e, ctx).get<std::int64_t>());
      // A timer carries its own explanation: chain it in, so the reader sees the whole way.
      if (const Timer* timer = current_timer(e, ctx)) {
        Deadline out{at, {fmt::format("{} = {}, from:", e.text, ctx.legal.format(at))}};
        for (const auto& line : timer->due.why) out.why.push_back("  " + line);
        return out;
      }
      return Deadline{at, {fmt::format("{} = {}", e.text, ctx.legal.format(at))}};
    }
    case EK::kNow: return Deadline{ctx.now, {fmt::format("now = {}", ctx.legal.format(ctx.now))}};
    case EK::kField:
    case EK::kOutput:
    case EK::kVariable: {
      Instant at = from_millis(evaluate(e, ctx).get<std::int64_t>());
      return Deadline{at, {fmt::format("{} = {}", model::to_source(e), ctx.legal.format(at))}};
    }
    case EK::kBinary: {
      bool moment_left = e.operands[0].type.kind == TK::kDateTime;
      const Expr& base_expr = e.operands[moment_left ? 0 : 1];
      const Expr& dur_expr = e.operands[moment_left ? 1 : 0];
      Deadline base = evaluate_moment(base_expr, ctx);
      Duration d = duration_from(evaluate(dur_expr, ctx));
      bool subtract = e.op == BinaryOp::kSub;
      std::vector<std::string> notes;
      Instant at = ctx.legal.add(base.at, subtract ? negate(d) : d, ctx.calendar, &notes);
      base.why.push_back(fmt::format("{} {} = {}", subtract ? "-" : "+", describe_duration(dur_expr, d, ctx),
                                     ctx.legal.format(at)));
      for (auto& n : notes) base.why.push_back("  " + n);
      // The Algemene termijnenwet applies only where the term says so (never to the Wth's own:
      // art. 13 Wth).
      if (dur_expr.kind == EK::kTerm && !subtract) {
        const model::LegalTerm* term = ctx.process.find_term(dur_expr.text);
        if (term != nullptr && term->termijnenwet) {
          std::vector<std::string> moved;
          at = ctx.legal.next_working_day(at, *HolidayCalendar::find("NL"), &moved);
          for (auto& n : moved) base.why.push_back("  " + n);
        } else if (term != nullptr && !HolidayCalendar::find("NL")->is_working_day(date::sys_days{ctx.legal.local_day(at)})) {
          base.why.push_back("  ends on a day that is not a working day; not moved: the Algemene termijnenwet does "
                             "not apply to this term");
        }
      }
      base.at = at;
      return base;
    }
    default: {
      Instant at = from_millis(evaluate(e, ctx).get<std::int64_t>());
      return Deadline{at, {fmt::format("{} = {}", model::to_source(e), ctx.legal.format(at))}};
    }
  }
}

std::optional<std::string> convert_input(const model::Type& type, const Json& in, Json& out) {
  switch (type.kind) {
    case TK::kBool:
      if (!in.is_boolean()) return "expected true or false";
      out = in;
      return std::nullopt;
    case TK::kInt:
      if (!in.is_number_integer()) return "expected a whole number";
      out = in;
      return std::nullopt;
    case TK::kText:
      if (!in.is_string()) return "expected text";
      out = in;
      return std::nullopt;
    case TK::kDateTime: {
      if (in.is_number_integer()) {
        out = in;
        return std::nullopt;
      }
      if (!in.is_string()) return "expected a moment such as \"2026-10-20T14:35:00+02:00\"";
      auto t = parse_instant(in.get<std::string>());
      if (!t) return "expected a moment such as \"2026-10-20T14:35:00+02:00\"";
      out = to_millis(*t);
      return std::nullopt;
    }
    case TK::kDays:
    case TK::kWorkingDays:
    case TK::kHours: {
      if (!in.is_string()) return "expected a duration such as \"10 days\"";
      std::string text = in;
      auto space = text.find(' ');
      if (space == std::string::npos) return "expected a duration such as \"10 days\"";
      std::string unit = text.substr(space + 1);
      bool working = unit.rfind("working ", 0) == 0;
      if (working) unit = unit.substr(8);
      auto d = make_duration(std::atoll(text.substr(0, space).c_str()), unit, working);
      if (!d) return "expected a duration such as \"10 days\"";
      out = duration_json(*d);
      return std::nullopt;
    }
    case TK::kPerson:
      if (!in.is_string() && !in.is_object()) return "expected a person (a name, an id or an object)";
      out = in;
      return std::nullopt;
    case TK::kList: {
      if (!in.is_array()) return "expected a list";
      out = Json::array();
      for (const auto& element : in) {
        Json converted;
        if (auto error = convert_input(model::Type::of(type.element), element, converted)) return "in the list: " + *error;
        out.push_back(converted);
      }
      return std::nullopt;
    }
    case TK::kEnum:
      if (!in.is_string() || std::find(type.members.begin(), type.members.end(), in.get<std::string>()) == type.members.end()) {
        return fmt::format("expected one of {}", fmt::join(type.members, ", "));
      }
      out = in;
      return std::nullopt;
    case TK::kError: return "cannot hold a value";
  }
  return "cannot hold a value";
}

Json render_value(const model::Type& type, const Json& value) {
  if (value.is_null()) return value;
  if (type.kind == TK::kDateTime && value.is_number_integer()) return to_iso_utc(from_millis(value.get<std::int64_t>()));
  if (type.is_duration() && value.is_object()) return to_string(duration_from(value));
  return value;
}

}  // namespace termijn::runtime
