// An instrument: a structured checklist a task fills in (the RiHG is the first). Items are
// grouped in parts and answered with a value of the instrument's scale; the first rule that
// holds gives the computed outcome. Whoever fills it in may choose another outcome, with a
// motivation: the engine computes, the professional decides.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/source.h"

namespace termijn::model {

struct InstrumentItem {
  std::string name;
  std::string text;  // the question as the form shows it
  SourceRange range;
};

struct InstrumentPart {
  std::string name;
  std::string title;
  std::vector<InstrumentItem> items;
};

// `when 2 rood in one part -> opleggen`
struct OutcomeRule {
  enum class Over { kWhole, kAnyPart, kPart, kOtherwise };
  Over over = Over::kWhole;
  std::int64_t count = 0;
  std::string value;  // a value of the scale
  std::string part;   // kPart
  std::string outcome;
  SourceRange range;
};
// As written: "2 rood in one part", "otherwise".
std::string to_source(const OutcomeRule& rule);

// The outputs a task that fills in an instrument has besides one per item.
inline constexpr const char* kOutcome = "outcome";        // chosen; the computed one unless given
inline constexpr const char* kComputed = "computed";      // by the rules; set by the engine
inline constexpr const char* kMotivation = "motivation";  // required when outcome != computed
// One of the three above: what a task records besides the items, so no item may be named so.
bool is_record(const std::string& output_name);

struct Instrument {
  std::string name;
  std::string title;
  std::string cite;
  std::vector<std::string> scale;
  std::vector<std::string> outcomes;
  std::vector<InstrumentPart> parts;
  std::vector<OutcomeRule> rules;  // the last is `otherwise` (the checker insists)
  SourceRange range;
  // Each item's name and its place in items(), in the order of names: the answers are read from
  // a task's outputs (kept in that order) in one pass. Made with the process (index_outputs).
  std::vector<std::pair<std::string, std::size_t>> items_by_name;

  std::vector<const InstrumentItem*> items() const;
  bool has_item(const std::string& name) const;
};

// The answers to an instrument's items, in the order of items(): each part's items, part by part.
using Answers = std::vector<std::string_view>;

// The first rule that holds for `answers` (every item answered); nullptr only for an instrument
// without rules, which the checker refuses (it insists on `otherwise`).
const OutcomeRule* score(const Instrument& instrument, const Answers& answers);
// Why `rule` holds for `answers`: "2 rood in part 'a' (a1, a3)", "no rule above it holds". Apart
// from score(): only a record or a refusal reads it, and a simulation scores without either.
std::string because(const Instrument& instrument, const OutcomeRule& rule, const Answers& answers);

}  // namespace termijn::model
