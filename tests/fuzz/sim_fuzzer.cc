// bytes -> a .sim file -> the simulation spec reader (simulation::parse_spec), parsing only: no
// simulation runs. `include "landelijk.simrules"` reads the shipped rules beside the examples.
//
// Invariants, beyond not crashing: every diagnostic's range lies inside its file; every
// scenario's and every sweep value's rules lay over the baseline (effective_rules), every
// distribution describes itself and has a mean, and every sweep has one overlay per value,
// without undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/simulation/spec.h"
#include "fuzz_diagnostics.h"
#include "fuzz_support.h"

namespace {

using termijn::simulation::Rules;

void touch(const Rules& rules) {
  for (const auto& d : rules.durations) {
    (void)d.distribution.mean();
    (void)d.distribution.describe();
    if (d.effort) (void)d.effort->describe();
  }
  for (const auto& e : rules.events) (void)e.after.describe();
  for (const auto& o : rules.outputs) (void)o.key();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = (termijn::fuzz::source_dir() / "examples/simulation/fuzz.sim").string();
  auto source = std::make_shared<termijn::SourceFile>(path, std::string(reinterpret_cast<const char*>(data), size));
  termijn::DiagnosticList diagnostics;
  termijn::simulation::Spec spec = termijn::simulation::parse_spec(source, diagnostics);
  termijn::fuzz::check_ranges(diagnostics);
  if (!diagnostics.has_errors()) {
    touch(spec.baseline);
    for (const auto& s : spec.scenarios) touch(termijn::simulation::effective_rules(spec.baseline, s.rules));
    for (const auto& sweep : spec.sweeps) {
      if (sweep.overlays.size() != sweep.values.size()) __builtin_trap();  // one overlay per value
      for (const auto& overlay : sweep.overlays) touch(termijn::simulation::effective_rules(spec.baseline, overlay));
    }
    for (const auto& t : spec.targets) {
      if (!(t.low <= t.high)) __builtin_trap();  // a target's range is checked when read
    }
  }
  return 0;
}
