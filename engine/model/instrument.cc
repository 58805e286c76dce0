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

using Over = OutcomeRule::Over;

// How many items of `part` are answered `value`; the part's answers start at answers[first].
std::int64_t count_answered(const InstrumentPart& part, std::size_t first, const std::string& value,
                            const Answers& answers) {
  std::int64_t n = 0;
  for (std::size_t i = 0; i < part.items.size(); ++i) n += answers[first + i] == value ? 1 : 0;
  return n;
}

struct Holds {
  bool holds = false;
  const InstrumentPart* part = nullptr;  // where it holds: kAnyPart its first part that does, kPart its part
};

Holds test(const Instrument& instrument, const OutcomeRule& rule, const Answers& answers) {
  if (rule.over == Over::kOtherwise) return {true, nullptr};
  std::int64_t total = 0;
  const InstrumentPart* where = nullptr;
  std::size_t first = 0;
  for (const auto& part : instrument.parts) {
    const std::size_t at = first;
    first += part.items.size();
    if (rule.over == Over::kPart && part.name != rule.part) continue;
    std::int64_t n = count_answered(part, at, rule.value, answers);
    if (rule.over == Over::kAnyPart) {
      if (n >= rule.count) return {true, &part};
      continue;
    }
    total += n;
    if (rule.over == Over::kPart) where = &part;
  }
  return {total >= rule.count, where};
}

}  // namespace

const OutcomeRule* score(const Instrument& instrument, const Answers& answers) {
  for (const auto& rule : instrument.rules) {
    if (test(instrument, rule, answers).holds) return &rule;
  }
  return nullptr;
}

std::string because(const Instrument& instrument, const OutcomeRule& rule, const Answers& answers) {
  if (rule.over == Over::kOtherwise) return "no rule above it holds";
  const InstrumentPart* where = test(instrument, rule, answers).part;
  std::vector<std::string_view> hits;
  std::size_t first = 0;
  for (const auto& part : instrument.parts) {
    const std::size_t at = first;
    first += part.items.size();
    if (rule.over == Over::kAnyPart && &part != where) continue;
    if (rule.over == Over::kPart && part.name != rule.part) continue;
    for (std::size_t i = 0; i < part.items.size(); ++i) {
      if (answers[at + i] == rule.value) hits.push_back(part.items[i].name);
    }
  }
  std::string in_part = where != nullptr ? fmt::format(" in part '{}'", where->name) : "";
  return fmt::format("{} {}{} ({})", hits.size(), rule.value, in_part, fmt::join(hits, ", "));
}

}  // namespace termijn::model
