#include "engine/model/instrument.h"

#include <fmt/format.h>

namespace termijn::model {

std::string to_source(const OutcomeRule& rule) {
  switch (rule.over) {
    case OutcomeRule::Over::kWhole: return fmt::format("{} {}", rule.count, rule.value);
    case OutcomeRule::Over::kAnyPart: return fmt::format("{} {} in one part", rule.count, rule.value);
    case OutcomeRule::Over::kPart: return fmt::format("{} {} in {}", rule.count, rule.value, rule.part);
    case OutcomeRule::Over::kOtherwise: return "otherwise";
  }
  return "?";
}

bool is_record(const std::string& output_name) {
  return output_name == kOutcome || output_name == kComputed || output_name == kMotivation;
}

std::vector<const InstrumentItem*> Instrument::items() const {
  std::vector<const InstrumentItem*> out;
  for (const auto& part : parts) {
    for (const auto& item : part.items) out.push_back(&item);
  }
  return out;
}

bool Instrument::has_item(const std::string& name) const {
  for (const auto& part : parts) {
    for (const auto& item : part.items) {
      if (item.name == name) return true;
    }
  }
  return false;
}

namespace {

// The items of `part` answered `value`.
std::vector<std::string> answered(const InstrumentPart& part, const std::string& value,
                                  const std::map<std::string, std::string>& answers) {
  std::vector<std::string> out;
  for (const auto& item : part.items) {
    auto it = answers.find(item.name);
    if (it != answers.end() && it->second == value) out.push_back(item.name);
  }
  return out;
}

}  // namespace

Scored score(const Instrument& instrument, const std::map<std::string, std::string>& answers) {
  using Over = OutcomeRule::Over;
  for (const auto& rule : instrument.rules) {
    if (rule.over == Over::kOtherwise) return Scored{rule.outcome, &rule, "no rule above it holds"};
    std::vector<std::string> hits;
    std::string where;
    for (const auto& part : instrument.parts) {
      if (rule.over == Over::kPart && part.name != rule.part) continue;
      std::vector<std::string> in_part = answered(part, rule.value, answers);
      if (rule.over == Over::kAnyPart) {
        if (static_cast<std::int64_t>(in_part.size()) >= rule.count) {
          hits = std::move(in_part);
          where = fmt::format(" in part '{}'", part.name);
          break;
        }
        continue;
      }
      hits.insert(hits.end(), in_part.begin(), in_part.end());
      if (rule.over == Over::kPart) where = fmt::format(" in part '{}'", part.name);
    }
    if (static_cast<std::int64_t>(hits.size()) >= rule.count) {
      return Scored{rule.outcome, &rule,
                    fmt::format("{} {}{} ({})", hits.size(), rule.value, where, fmt::join(hits, ", "))};
    }
  }
  return Scored{};  // no rules: the checker refuses an instrument without `otherwise`
}

}  // namespace termijn::model
