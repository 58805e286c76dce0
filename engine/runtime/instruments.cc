#include "engine/runtime/internal/instruments.h"

#include <fmt/format.h>

#include <cctype>

namespace termijn::runtime {

namespace {

// A motivation says something: at least three letters or digits. Spaces of any kind, dots and
// invisible characters alone do not (they would let a deviation pass without a reason).
bool motivates(const std::string& text) {
  int letters = 0;
  for (unsigned char ch : text) letters += std::isalnum(ch) != 0 ? 1 : 0;
  return letters >= 3;
}

}  // namespace

Status fill_in(const model::Instrument& instrument, const std::string& task, Json& outputs, Json* scored) {
  if (outputs.contains(model::kComputed)) {
    return Status(StatusCode::kInvalidArgument, fmt::format("task '{}': '{}' is computed by the engine from the "
                                                            "answers; give '{}' to choose another outcome", task,
                                                            model::kComputed, model::kOutcome));
  }
  std::map<std::string, std::string> answers;
  std::vector<std::string> missing;
  for (const model::InstrumentItem* item : instrument.items()) {
    if (outputs.contains(item->name)) {
      answers[item->name] = outputs.at(item->name).get<std::string>();
    } else {
      missing.push_back(item->name);
    }
  }
  if (!missing.empty()) {
    return Status(StatusCode::kInvalidArgument, fmt::format("task '{}' fills in '{}': every item needs an answer ({}); "
                                                            "not answered: {}", task, instrument.name,
                                                            fmt::join(instrument.scale, ", "), fmt::join(missing, ", ")));
  }
  model::Scored result = model::score(instrument, answers);
  std::string chosen = outputs.contains(model::kOutcome) ? outputs.at(model::kOutcome).get<std::string>() : result.outcome;
  std::string motivation = outputs.contains(model::kMotivation) ? outputs.at(model::kMotivation).get<std::string>() : "";
  bool deviates = chosen != result.outcome;
  // The professional decides; the instrument supports. Choosing otherwise is allowed, never silently.
  if (deviates && !motivates(motivation)) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("task '{}': the outcome '{}' differs from the computed '{}' ({}: {}); give a '{}' for it "
                              "(at least three letters or digits)",
                              task, chosen, result.outcome, result.rule ? model::to_source(*result.rule) : "no rule",
                              result.because, model::kMotivation));
  }
  outputs[model::kComputed] = result.outcome;
  outputs[model::kOutcome] = chosen;
  outputs[model::kMotivation] = motivation;
  if (scored == nullptr) return Status::ok();
  *scored = Json{{"task", task},
                 {"instrument", instrument.name},
                 {"computed", result.outcome},
                 {"rule", result.rule ? model::to_source(*result.rule) : ""},
                 {"because", result.because},
                 {"outcome", chosen},
                 {"deviates", deviates}};
  return Status::ok();
}

}  // namespace termijn::runtime
