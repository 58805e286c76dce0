#include "engine/runtime/evaluator.h"

#include <fmt/format.h>

#include <stdexcept>

#include "engine/base/diagnostic.h"
#include "engine/base/language.h"
#include "engine/base/limits.h"
#include "engine/base/numbers.h"
#include "engine/time/termijnenwet.h"

namespace termijn::runtime {

using model::Expr;
using EK = model::Expr::Kind;
using TK = model::Type::Kind;

std::string person_id(const Json& person) {
  if (person.is_string()) return person.get<std::string>();
  if (person.is_object() && person.contains("id") && person.at("id").is_string()) return person.at("id").get<std::string>();
  return "?";
}

Json declared_attributes_only(Json value, const std::vector<model::Field>& attributes) {
  if (value.is_array()) {
    for (auto& element : value) element = declared_attributes_only(std::move(element), attributes);
    return value;
  }
  if (!value.is_object() || !value.contains("id")) return value;
  Json kept{{"id", value.at("id")}};
  for (const auto& attribute : attributes) {
    if (value.contains(attribute.name)) kept[attribute.name] = value.at(attribute.name);
  }
  return kept;
}

const model::Field* missing_required(const std::vector<model::Field>& fields, const Json& data) {
  for (const auto& field : fields) {
    if (field.required && (!data.contains(field.name) || data.at(field.name).is_null())) return &field;
  }
  return nullptr;
}

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
  // Durations come back from case data and the store: bounded like those a file may write.
  if (!within_limits(d)) throw std::runtime_error(fmt::format("a duration longer than {} days", limits::kDurationDays));
  return d;
}

Duration evaluate_duration(const Expr& e, const EvalContext& ctx) {
  if (e.kind == EK::kDuration || e.kind == EK::kTerm) return e.duration;
  return duration_from(evaluate(e, ctx));
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

// When the event arrived: inside its handler the token carries this arrival's moment.
Instant received_at(const Expr& e, const EvalContext& ctx) {
  if (ctx.token != nullptr) {
    auto it = ctx.token->received.find(e.text);
    if (it != ctx.token->received.end()) return it->second;
  }
  throw std::runtime_error(fmt::format("event '{}' has not arrived here", e.text));
}

Json reached_json(const Expr& e, const EvalContext& ctx) {
  if (const Timer* timer = current_timer(e, ctx)) return to_millis(timer->due.at);
  auto it = ctx.instance.reached.find(e.node);
  if (it == ctx.instance.reached.end()) {
    throw std::runtime_error(fmt::format("'{}' has not happened yet", e.text));
  }
  return to_millis(it->second);
}

// An attribute of a person: unknown bools read as false and lists as empty, as case fields do.
Json attribute(const Expr& e, const Json& person) {
  const Json* value = person.is_object() && person.contains(e.text) ? &person.at(e.text) : nullptr;
  if (value != nullptr && !value->is_null()) return *value;
  if (e.type.kind == TK::kList) return Json::array();
  if (e.type.kind == TK::kBool) return false;
  throw std::runtime_error(fmt::format("person '{}' has no '{}'", person_id(person), e.text));
}

// Whole years from one local calendar day to another: the age reached at the start of the
// birthday. Someone born on 29 February is a year older on 1 March in a common year; no article
// in law.md fixes this (not verified), it is the reading of "reached the age on the birthday".
std::int64_t age_in_years(date::year_month_day born, date::year_month_day at) {
  std::int64_t years = static_cast<int>(at.year()) - static_cast<int>(born.year());
  auto month_day = [](date::year_month_day d) { return static_cast<unsigned>(d.month()) * 100 + static_cast<unsigned>(d.day()); };
  if (month_day(at) < month_day(born)) --years;
  return years;
}

// Persons are the same by id: "p1", {"id": "p1"} and {"id": "p1", "relatie": ...} are one person
// (a call hands persons on with fewer attributes, a host may send either form).
bool same(const Expr& l, const Json& a, const Json& b) {
  if (l.type.kind == TK::kPerson) return person_id(a) == person_id(b);
  if (l.type.kind == TK::kList && l.type.element == TK::kPerson && a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (person_id(a[i]) != person_id(b[i])) return false;
    }
    return true;
  }
  return a == b;
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
      if (it == ctx.instance.outputs.end() || !it->second->value.contains(e.text)) {
        throw std::runtime_error(fmt::format("output '{}' of '{}' has no value",
                                             e.text, ctx.process.nodes.at(e.node).name));
      }
      return it->second->value.at(e.text);
    }
    case EK::kReached: return reached_json(e, ctx);
    case EK::kReceived: return to_millis(received_at(e, ctx));
    case EK::kVariable: {
      if (const Json* v = variable(ctx, e.text)) return *v;
      throw std::runtime_error(fmt::format("'{}' is not set here", e.text));
    }
    case EK::kCount: return static_cast<std::int64_t>(evaluate(e.operands.at(0), ctx).size());
    case EK::kAttribute: return attribute(e, evaluate(e.operands.at(0), ctx));
    case EK::kAge: {
      std::int64_t born = evaluate(e.operands.at(0), ctx);
      Instant at = e.operands.size() > 1 ? from_millis(evaluate(e.operands[1], ctx).get<std::int64_t>()) : ctx.now;
      return age_in_years(ctx.legal.local_day(from_millis(born)), ctx.legal.local_day(at));
    }
    case EK::kNot: return !evaluate(e.operands.at(0), ctx).get<bool>();
    case EK::kBinary: break;
  }
  const Expr& l = e.operands.at(0);
  const Expr& r = e.operands.at(1);
  switch (e.op) {
    case BinaryOp::kAnd: return evaluate(l, ctx).get<bool>() && evaluate(r, ctx).get<bool>();
    case BinaryOp::kOr: return evaluate(l, ctx).get<bool>() || evaluate(r, ctx).get<bool>();
    case BinaryOp::kEq: return same(l, evaluate(l, ctx), evaluate(r, ctx));
    case BinaryOp::kNe: return !same(l, evaluate(l, ctx), evaluate(r, ctx));
    case BinaryOp::kLt: return compare(evaluate(l, ctx), evaluate(r, ctx), l.type) < 0;
    case BinaryOp::kLe: return compare(evaluate(l, ctx), evaluate(r, ctx), l.type) <= 0;
    case BinaryOp::kGt: return compare(evaluate(l, ctx), evaluate(r, ctx), l.type) > 0;
    case BinaryOp::kGe: return compare(evaluate(l, ctx), evaluate(r, ctx), l.type) >= 0;
    default: break;
  }
  if (e.type.kind == TK::kDateTime) return to_millis(evaluate_moment(e, ctx).at);
  if (e.type.kind == TK::kInt) {
    std::int64_t a = evaluate(l, ctx), b = evaluate(r, ctx), out = 0;
    bool overflow = e.op == BinaryOp::kAdd   ? __builtin_add_overflow(a, b, &out)
                    : e.op == BinaryOp::kSub ? __builtin_sub_overflow(a, b, &out)
                                             : __builtin_mul_overflow(a, b, &out);
    if (overflow) throw std::runtime_error(fmt::format("{} is too large to compute", model::to_source(e)));
    return out;
  }
  if (e.type.kind == TK::kHours && l.type.kind == TK::kDateTime) {  // moment - moment
    std::int64_t ms = 0;
    if (__builtin_sub_overflow(evaluate(l, ctx).get<std::int64_t>(), evaluate(r, ctx).get<std::int64_t>(), &ms)) {
      throw std::runtime_error(fmt::format("{} is too large to compute", model::to_source(e)));
    }
    return duration_json(Duration{DurationKind::kClock, 0, 0, ms / 60000});
  }
  if (e.type.is_duration()) {
    Duration result;
    if (e.op == BinaryOp::kMul) {
      bool left_int = l.type.kind == TK::kInt;
      std::int64_t factor = evaluate(left_int ? l : r, ctx);
      result = scale(evaluate_duration(left_int ? r : l, ctx), factor);
    } else {
      Duration a = evaluate_duration(l, ctx), b = evaluate_duration(r, ctx);
      result = *add(a, e.op == BinaryOp::kSub ? negate(b) : b);
    }
    if (!within_limits(result)) {
      throw std::runtime_error(fmt::format("{} is longer than a term can be (at most {} days)", model::to_source(e),
                                           limits::kDurationDays));
    }
    return duration_json(result);
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
  // The explanation's first line, only when one is kept: the moment is the same without it.
  auto explained = [&](Instant at, auto&& line) { return ctx.explain ? Deadline{at, {line()}} : Deadline{at, {}}; };
  switch (e.kind) {
    case EK::kReached: {
      Instant at = from_millis(reached_json(e, ctx).get<std::int64_t>());
      if (!ctx.explain) return Deadline{at, {}};
      // A timer carries its own explanation: chain it in, so the reader sees the whole way.
      if (const Timer* timer = current_timer(e, ctx)) {
        Deadline out{at, {fmt::format("{} = {}, from:", e.text, ctx.legal.format(at))}};
        for (const auto& line : timer->due.why) out.why.push_back("  " + line);
        return out;
      }
      return Deadline{at, {fmt::format("{} = {}", e.text, ctx.legal.format(at))}};
    }
    case EK::kNow: return explained(ctx.now, [&] { return tr("now = {}", ctx.legal.format(ctx.now)); });
    case EK::kReceived: {
      Instant at = received_at(e, ctx);
      return explained(at, [&] { return tr("{} received = {}", e.text, ctx.legal.format(at)); });
    }
    case EK::kField:
    case EK::kOutput:
    case EK::kVariable: {
      Instant at = from_millis(evaluate(e, ctx).get<std::int64_t>());
      return explained(at, [&] { return fmt::format("{} = {}", model::to_source(e), ctx.legal.format(at)); });
    }
    case EK::kBinary: {
      bool moment_left = e.operands[0].type.kind == TK::kDateTime;
      const Expr& base_expr = e.operands[moment_left ? 0 : 1];
      const Expr& dur_expr = e.operands[moment_left ? 1 : 0];
      Deadline base = evaluate_moment(base_expr, ctx);
      Duration d = evaluate_duration(dur_expr, ctx);
      bool subtract = e.op == BinaryOp::kSub;
      std::vector<std::string> notes;
      Instant at = ctx.legal.add(base.at, subtract ? negate(d) : d, ctx.calendar, ctx.explain ? &notes : nullptr);
      if (ctx.explain) {
        base.why.push_back(fmt::format("{} {} = {}", subtract ? "-" : "+", describe_duration(dur_expr, d, ctx),
                                       ctx.legal.format(at)));
        for (auto& n : notes) base.why.push_back("  " + n);
      }
      // A legal term ends under the Algemene termijnenwet only where it is declared `with
      // termijnenwet`, and not when counted backwards (art. 1 lid 2 Atw): engine/time/termijnenwet.h.
      if (dur_expr.kind == EK::kTerm) {
        std::vector<std::string> atw;
        at = end_of_term(ctx.legal, TermEnd{base.at, at, d, subtract, dur_expr.termijnenwet},
                         ctx.explain ? &atw : nullptr);
        for (auto& n : atw) base.why.push_back("  " + n);
      }
      base.at = at;
      return base;
    }
    default: {
      Instant at = from_millis(evaluate(e, ctx).get<std::int64_t>());
      return explained(at, [&] { return fmt::format("{} = {}", model::to_source(e), ctx.legal.format(at)); });
    }
  }
}

namespace {

// A value a host may put in a person field: objects, lists and scalars, bounded in depth, text
// and list length (limits.h). Recursion stops one level past the limit.
std::optional<std::string> bounded_value(const Json& in, int depth) {
  if (depth > limits::kJsonNesting) return fmt::format("nested more than {} deep (limit: JSON nesting)", limits::kJsonNesting);
  if (in.is_string() && in.get_ref<const std::string&>().size() > limits::kStringBytes) {
    return fmt::format("a text longer than {} bytes (limit: string bytes)", limits::kStringBytes);
  }
  if (in.is_array() && in.size() > limits::kListElements) {
    return fmt::format("a list of more than {} elements (limit: list elements)", limits::kListElements);
  }
  if (in.is_structured()) {
    for (const auto& element : in) {
      if (auto error = bounded_value(element, depth + 1)) return error;
    }
  }
  return std::nullopt;
}

}  // namespace

namespace {

// A person: its id as text, or {"id": "...", attribute: value, ...} with the attributes the
// process declares (`persons { ... }`), each read by its type; an unknown attribute is refused.
std::optional<std::string> convert_person(const Json& in, Json& out, const std::vector<model::Field>& attributes) {
  if (in.is_string()) {
    if (in.get_ref<const std::string&>().empty()) return "a person's id cannot be empty";
    out = in;
    return std::nullopt;
  }
  if (!in.is_object()) return "expected a person: its id, or {\"id\": ..., and its attributes}";
  if (!in.contains("id") || !in.at("id").is_string() || in.at("id").get_ref<const std::string&>().empty()) {
    return "a person needs an \"id\": the name the host knows it by";
  }
  out = Json{{"id", in.at("id")}};
  for (const auto& [key, value] : in.items()) {
    if (key == "id" || value.is_null()) continue;
    auto attribute = std::find_if(attributes.begin(), attributes.end(), [&](const model::Field& f) { return f.name == key; });
    if (attribute == attributes.end()) {
      std::vector<std::string> names{"id"};
      for (const auto& f : attributes) names.push_back(f.name);
      return fmt::format("persons have no attribute '{}'{}", key, did_you_mean(key, names));
    }
    Json converted;
    if (auto error = convert_input(attribute->type, value, converted)) {
      return fmt::format("'{}' ({}): {}", key, model::to_string(attribute->type), *error);
    }
    out[key] = std::move(converted);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> convert_input(const model::Type& type, const Json& in, Json& out,
                                         const std::vector<model::Field>& person_attributes) {
  if (auto error = bounded_value(in, 1)) return error;
  switch (type.kind) {
    case TK::kBool:
      if (!in.is_boolean()) return "expected true or false";
      out = in;
      return std::nullopt;
    case TK::kInt:
      if (!in.is_number_integer()) return "expected a whole number";
      if (in.is_number_unsigned() && in.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
        return "the number is too large";
      }
      out = in;
      return std::nullopt;
    case TK::kText:
      if (!in.is_string()) return "expected text";
      out = in;
      return std::nullopt;
    case TK::kDateTime: {
      std::optional<std::int64_t> ms;
      if (in.is_number_integer() && !in.is_number_unsigned()) ms = in.get<std::int64_t>();
      if (in.is_number_unsigned() && in.get<std::uint64_t>() <= static_cast<std::uint64_t>(limits::kLatestMoment)) {
        ms = static_cast<std::int64_t>(in.get<std::uint64_t>());
      }
      if (in.is_string()) {
        if (auto t = parse_instant(in.get<std::string>())) ms = to_millis(*t);
      }
      if (!ms) return "expected a moment such as \"2026-10-20T14:35:00+02:00\"";
      if (*ms < limits::kEarliestMoment || *ms > limits::kLatestMoment) return "expected a moment between the years 1900 and 2200";
      out = *ms;
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
      auto amount = parse_int(text.substr(0, space));
      auto d = amount ? make_duration(*amount, unit, working) : std::nullopt;
      if (!d) return "expected a duration such as \"10 days\"";
      if (!within_limits(*d)) return fmt::format("a duration of at most {} days", limits::kDurationDays);
      out = duration_json(*d);
      return std::nullopt;
    }
    case TK::kPerson: return convert_person(in, out, person_attributes);
    case TK::kList: {
      if (!in.is_array()) return "expected a list";
      out = Json::array();
      for (const auto& element : in) {
        Json converted;
        if (auto error = convert_input(model::Type::of(type.element), element, converted, person_attributes)) {
          return "in the list: " + *error;
        }
        out.push_back(converted);
      }
      return std::nullopt;
    }
    case TK::kEnum:
      if (!in.is_string() ||
          std::find(type.members.begin(), type.members.end(), in.get_ref<const std::string&>()) == type.members.end()) {
        return fmt::format("expected one of {}", fmt::join(type.members, ", "));
      }
      out = in;
      return std::nullopt;
    case TK::kError: return "cannot hold a value";
  }
  return "cannot hold a value";
}

}  // namespace termijn::runtime
