// bytes -> a .scenario file -> the scenario reader (scenario::parse), parsing only: checking
// against the process and running on a store is the scenario tests' part.
//
// Invariants, beyond not crashing: every diagnostic's range lies inside the file; a file read
// without errors gives steps with ranges inside it too.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/scenario/scenario.h"
#include "fuzz_diagnostics.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Where the shipped scenarios live, so `process x from "../x.wth"` reads as it does there.
  static const std::string path = (termijn::fuzz::source_dir() / "processes/scenarios/fuzz.scenario").string();
  auto source = std::make_shared<termijn::SourceFile>(path, std::string(reinterpret_cast<const char*>(data), size));
  termijn::DiagnosticList diagnostics;
  std::vector<termijn::scenario::Scenario> scenarios = termijn::scenario::parse(source, diagnostics);
  termijn::fuzz::check_ranges(diagnostics);
  if (!diagnostics.has_errors()) {
    for (const auto& s : scenarios) {
      for (const auto& step : s.steps) {
        if (step.range.file) termijn::fuzz::check_range(termijn::Diagnostic{termijn::Severity::kNote, step.range, "step", {}});
      }
    }
  }
  return 0;
}
