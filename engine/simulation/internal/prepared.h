// A scenario made ready to run: its rules over the baseline, its process compiled (with a
// generated variant when it overrides terms), every name in its rules checked against it.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/model/model.h"
#include "engine/simulation/spec.h"

namespace termijn::simulation::internal {

struct Prepared {
  std::string name;
  Rules rules;
  std::shared_ptr<const model::Model> model;
  std::string process;  // the name to start (the overlay's, when there is one)
  std::vector<std::string> terms;  // the overrides, as written
  std::map<std::string, Duration> terms_in_force;  // every term the process uses, overrides applied
};

// `index` names the generated variant apart from other scenarios'.
std::optional<Prepared> prepare(const std::string& name, const Rules& rules, const Spec& spec,
                                const std::vector<std::filesystem::path>& stdlib_dirs, const std::string& index,
                                DiagnosticList& d);

// Whether `c` holds for a case with `data` and `outputs` ("task.output" -> value), `minutes`
// after it began, under `terms`. A condition on an output not given yet, or on a case field
// without a value, holds neither as `=` nor as `!=`: nothing is known of it.
bool holds(const Condition& c, const Json& data, const std::map<std::string, Json>& outputs, double minutes,
           const std::map<std::string, Duration>& terms);

}  // namespace termijn::simulation::internal
