// bytes -> a .wth file -> `termijn fmt` (format::format_wth); the same bytes as a .scenario file
// (format::format_scenario).
//
// Invariants, beyond not crashing:
//  - a file that parses is formatted: the formatter's own check (same tokens, same AST, stable)
//    never refuses it, and a file that does not parse is refused with a located error;
//  - fmt(fmt(x)) == fmt(x);
//  - the formatted file compiles (with the shipped stdlib) to the same processes with the same
//    hashes, and to the same number of errors and warnings;
//  - as a scenario: laid out unless a line cannot be read (then a located error), and
//    fmt(fmt(x)) == fmt(x) (that every line keeps its words the formatter checks itself, and
//    refuses with an error that the first invariant would report).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "engine/driver/compilation.h"
#include "engine/format/format.h"
#include "engine/frontend/layout_tokens.h"
#include "fuzz_diagnostics.h"
#include "fuzz_support.h"

namespace {

using termijn::fuzz::fail;

std::map<std::string, std::string> hashes(const termijn::Compilation& c) {
  std::map<std::string, std::string> out;
  for (const auto& p : c.model->processes) out[p->name] = p->hash;
  return out;
}

void check_scenario(const std::string& text) {
  termijn::DiagnosticList diagnostics;
  auto formatted = termijn::format::format_scenario(std::make_shared<termijn::SourceFile>("fuzz.scenario", text),
                                                    diagnostics);
  termijn::fuzz::check_ranges(diagnostics);
  if (!formatted) {
    // The messages, not the rendered diagnostics: those quote the input, which may say anything.
    bool self_refused = std::any_of(diagnostics.all().begin(), diagnostics.all().end(), [](const auto& d) {
      return d.message.find("termijn fmt would change") != std::string::npos;
    });
    if (!diagnostics.has_errors() || self_refused) fail("fmt refused a scenario file: " + termijn::render(diagnostics));
    return;
  }
  termijn::DiagnosticList again_diagnostics;
  auto again = termijn::format::format_scenario(std::make_shared<termijn::SourceFile>("fuzz.scenario", *formatted),
                                                again_diagnostics);
  if (!again || *again != *formatted) fail("fmt(fmt(x)) != fmt(x) for a scenario:\n" + *formatted);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::filesystem::path> stdlib{termijn::fuzz::source_dir() / "stdlib"};
  std::string text(reinterpret_cast<const char*>(data), size);
  check_scenario(text);
  auto source = std::make_shared<termijn::SourceFile>("fuzz.wth", text);
  termijn::DiagnosticList parse_diagnostics;
  bool parses = termijn::parse_layout(source, parse_diagnostics).has_value();

  termijn::DiagnosticList diagnostics;
  std::optional<std::string> formatted = termijn::format::format_wth(source, diagnostics);
  termijn::fuzz::check_ranges(diagnostics);
  if (parses != formatted.has_value()) {
    fail(parses ? "fmt refused a file that parses: " + termijn::render(diagnostics)
                : "fmt formatted a file that does not parse");
  }
  if (!formatted) {
    if (!diagnostics.has_errors()) fail("fmt refused a file without saying why");
    return 0;
  }

  termijn::DiagnosticList again_diagnostics;
  auto again = termijn::format::format_wth(std::make_shared<termijn::SourceFile>("fuzz.wth", *formatted),
                                           again_diagnostics);
  if (!again || *again != *formatted) fail("fmt(fmt(x)) != fmt(x):\n" + *formatted);

  termijn::Compilation before = termijn::compile_sources({{"fuzz.wth", text}}, stdlib);
  termijn::Compilation after = termijn::compile_sources({{"fuzz.wth", *formatted}}, stdlib);
  if (hashes(before) != hashes(after)) fail("the formatted file compiles to other processes:\n" + *formatted);
  if (before.diagnostics.error_count() != after.diagnostics.error_count() ||
      before.diagnostics.warning_count() != after.diagnostics.warning_count()) {
    fail("the formatted file has other diagnostics:\n" + termijn::render(before.diagnostics) + "---\n" +
         termijn::render(after.diagnostics));
  }
  return 0;
}
