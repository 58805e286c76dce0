// What the output lines configured against what happened: per task, output and value, the
// probability configured summed over the draws, and the completions that carried the value.
// The calibration compares the two and warns when they part (a line's 55 % that comes out as
// 14 %, because the case seldom reaches the task or the line seldom holds).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "engine/simulation/simulation.h"
#include "engine/simulation/spec.h"

namespace termijn::simulation::internal {

class RealisedShares {
 public:
  struct Realisation {
    double configured = 0, completed = 0;
  };
  // A value of an output and where it is counted: a completion's slot keeps those it found, so
  // that the next completion with the same value finds its count without writing the text.
  struct Counted {
    Json value;
    Realisation* realisation;
  };

  // A draw from `rule` for a measured case: counts the draw, and each of the rule's values'
  // configured probability.
  void count_draw(const OutputRule& rule);

  // Where a completion's `value` of `task.output` is counted: among `found`, those found before.
  // A bool, integer or text is the same value exactly when its JSON text is (same_json).
  // Entries stay where they are for the whole run.
  Realisation& of(std::vector<Counted>& found, const std::string& task, const std::string& output, const Json& value);

  // Every value of an output a line drew, in order of task, output and value's JSON text;
  // `opened(task)`: the times the task opened in the measured cases.
  std::vector<OutcomeRealisation> outcomes(const std::function<double(const std::string& task)>& opened) const;

 private:
  std::map<std::tuple<std::string, std::string, std::string>, Realisation> realised_;  // by task, output, JSON text
  std::map<std::pair<std::string, std::string>, double> draws_;                         // by task, output
  // Where count_draw() counts a line's draws and each of its values' configured share, found
  // once per line.
  struct Tally {
    double* draws;
    std::vector<Realisation*> options;
  };
  std::map<const OutputRule*, Tally> tallies_;
};

}  // namespace termijn::simulation::internal
