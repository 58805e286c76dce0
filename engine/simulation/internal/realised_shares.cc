#include "engine/simulation/internal/realised_shares.h"

#include "engine/base/json_text.h"

namespace termijn::simulation::internal {

void RealisedShares::count_draw(const OutputRule& rule) {
  auto tally = tallies_.find(&rule);
  if (tally == tallies_.end()) {
    Tally t{&draws_[{rule.task, rule.output}], {}};
    for (const auto& [value, p] : rule.choice.options) {
      t.options.push_back(&realised_[{rule.task, rule.output, value.dump()}]);
    }
    tally = tallies_.emplace(&rule, std::move(t)).first;
  }
  ++*tally->second.draws;
  for (std::size_t i = 0; i < rule.choice.options.size(); ++i) {
    tally->second.options[i]->configured += rule.choice.options[i].second;
  }
}

RealisedShares::Realisation& RealisedShares::of(std::vector<Counted>& found, const std::string& task,
                                                const std::string& output, const Json& value) {
  const bool plain = value.is_boolean() || value.is_string() || value.is_number_integer();
  if (plain) {
    for (const Counted& c : found) {
      if (same_json(c.value, value)) return *c.realisation;
    }
  }
  Realisation& r = realised_[{task, output, value.dump()}];
  if (plain) found.push_back(Counted{value, &r});
  return r;
}

std::vector<OutcomeRealisation> RealisedShares::outcomes(const std::function<double(const std::string&)>& opened) const {
  std::vector<OutcomeRealisation> out;
  for (const auto& [key, r] : realised_) {
    const auto& [task, output, value] = key;
    auto draws = draws_.find({task, output});
    if (draws == draws_.end() || draws->second == 0) continue;  // no line configured it
    Json v = Json::parse(value);
    out.push_back(OutcomeRealisation{task, output, v.is_string() ? v.get<std::string>() : value,
                                     r.configured / draws->second, opened(task), r.completed, draws->second});
  }
  return out;
}

}  // namespace termijn::simulation::internal
