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
  // The outputs and the items, both in the order of names, walked side by side. An item not
  // answered keeps an empty view (no text, not even an empty one).
  const auto& fields = outputs.get_ref<const Json::object_t&>();
  model::Answers answers(instrument.items_by_name.size());
  bool complete = true;
  auto at = fields.begin();
  for (const auto& [name, place] : instrument.items_by_name) {
    while (at != fields.end() && at->first < name) ++at;
    if (at != fields.end() && at->first == name) {
      answers[place] = at->second.get_ref<const std::string&>();
    } else {
      complete = false;
    }
  }
  if (!complete) {
    std::vector<std::string> missing;  // in the form's order
    std::size_t place = 0;
    for (const model::InstrumentItem* item : instrument.items()) {
      if (answers[place++].data() == nullptr) missing.push_back(item->name);
    }
    return Status(StatusCode::kInvalidArgument, fmt::format("task '{}' fills in '{}': every item needs an answer ({}); "
                                                            "not answered: {}", task, instrument.name,
                                                            fmt::join(instrument.scale, ", "), fmt::join(missing, ", ")));
  }
  const model::OutcomeRule* rule = model::score(instrument, answers);
  const std::string computed = rule != nullptr ? rule->outcome : "";
  auto given = [&](const char* name, const std::string& otherwise) {
    auto it = outputs.find(name);
    return it == outputs.end() ? otherwise : it->get<std::string>();
  };
  std::string chosen = given(model::kOutcome, computed);
  std::string motivation = given(model::kMotivation, "");
  bool deviates = chosen != computed;
  auto because = [&] { return rule != nullptr ? model::because(instrument, *rule, answers) : ""; };
  // The professional decides; the instrument supports. Choosing otherwise is allowed, never silently.
  if (deviates && !motivates(motivation)) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("task '{}': the outcome '{}' differs from the computed '{}' ({}: {}); give a '{}' for it "
                              "(at least three letters or digits)",
                              task, chosen, computed, rule != nullptr ? model::to_source(*rule) : "no rule", because(),
                              model::kMotivation));
  }
  if (scored != nullptr) {
    // Before the records below are written: the answers are views of the outputs.
    *scored = Json{{"task", task},
                   {"instrument", instrument.name},
                   {"computed", computed},
                   {"rule", rule != nullptr ? model::to_source(*rule) : ""},
                   {"because", because()},
                   {"outcome", chosen},
                   {"deviates", deviates}};
  }
  outputs[model::kComputed] = computed;
  outputs[model::kOutcome] = chosen;
  outputs[model::kMotivation] = motivation;
  return Status::ok();
}

}  // namespace termijn::runtime
