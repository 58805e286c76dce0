// Evaluates a compiled expression against a case. Values are JSON as the API carries them:
// bool, integer, text, a person (any JSON the host uses), lists; moments are milliseconds since
// the epoch (UTC) and durations {"kind","months","days","minutes"}.
#pragma once

#include <string>
#include <vector>

#include "engine/model/model.h"
#include "engine/runtime/instance.h"
#include "engine/time/legal_time.h"

namespace termijn::runtime {

struct EvalContext {
  const model::Process& process;
  const Instance& instance;
  const Token* token = nullptr;  // for `for each` variables
  Instant now;
  const LegalTime& legal;
  const HolidayCalendar* calendar = nullptr;
  bool explain = true;  // fill in Deadline::why (Runtime::set_explain_deadlines)
};

Json evaluate(const model::Expr& expr, const EvalContext& ctx);
// A duration's value without a round trip through JSON where it can: a written duration or a term
// is read straight from the expression (every deadline adds one).
Duration evaluate_duration(const model::Expr& expr, const EvalContext& ctx);
// A moment with its explanation: each base, term (with its article) and calendar adjustment.
Deadline evaluate_moment(const model::Expr& expr, const EvalContext& ctx);

Json duration_json(const Duration& d);
// The id of a person value: the text itself, or the object's "id".
std::string person_id(const Json& person);
// A person (or list of them) with only the attributes a called process declares: it gets to know
// no more than it reads. Other values pass unchanged.
Json declared_attributes_only(Json value, const std::vector<model::Field>& attributes);
Duration duration_from(const Json& j);

// Reads a value from the API for a field of `type`; returns an error message when it does not fit.
// The first field marked `required` that `data` has no value for, or nullptr.
const model::Field* missing_required(const std::vector<model::Field>& fields, const Json& data);
// A person is read against the process's `person_attributes`.
std::optional<std::string> convert_input(const model::Type& type, const Json& in, Json& out,
                                         const std::vector<model::Field>& person_attributes = {});

}  // namespace termijn::runtime
