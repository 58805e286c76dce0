// The rule lines of a .sim file: what a scenario and a sweep may set (process, arrivals, start,
// data, output, duration, event, capacity, term), read into Rules. The file-level lines are
// spec.cc's.
#pragma once

#include <filesystem>

#include "engine/base/diagnostic.h"
#include "engine/frontend/line_reader.h"
#include "engine/simulation/spec.h"

namespace termijn::simulation::internal {

// Bounds shared with the file-level lines, so a typo cannot make a run last for ever: ten years
// of simulated time, a thousand replications. simulate() bounds the total work on top.
inline constexpr int kMaxDays = 3660;
inline constexpr int kMaxReplications = 1000;

// Reads one rule line into `rules`; false when the line is not a rule line.
bool read_rule(lines::LineReader& r, Rules& rules, const SourceRange& line, const std::filesystem::path& sim_dir,
               DiagnosticList& d);

// `cite "..."` at the end of a line, or an assumption.
Source read_source(lines::LineReader& r, const SourceRange& line);

}  // namespace termijn::simulation::internal
