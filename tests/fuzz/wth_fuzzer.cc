// bytes -> a .wth file -> parse and check with the shipped stdlib (compile_sources).
//
// The input is the text of "fuzz.wth". A shipped process file it names ("landelijk.wth") is
// added beside it, with what that file imports, so `import "landelijk.wth"` and `extends
// landelijk` reach the variant checks; `import wth` reads the stdlib from the source tree.
//
// Invariants, beyond not crashing:
//  - every diagnostic (and note) has a range inside its file: line 1..line count, column from 1
//    to one past the line's end, the end not before the begin;
//  - an input with errors produces no model for what has them: a process with an error inside
//    its declaration is never in the model (the checker keeps the clean processes beside it);
//  - a variant is in the model only with its parent (a process with errors is left out, and so
//    is a variant of it);
//  - a clean process has its 64-hex-digit hash.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/driver/compilation.h"
#include "fuzz_diagnostics.h"
#include "fuzz_support.h"

namespace {

using termijn::Severity;
using termijn::SourcePos;
using termijn::SourceRange;
using termijn::fuzz::check_range;
using termijn::fuzz::fail;
using termijn::fuzz::where;

struct Shipped {
  std::vector<std::filesystem::path> stdlib;
  std::map<std::string, std::string> processes;  // file name -> text
};

const Shipped& shipped() {
  static const Shipped s = [] {
    Shipped out;
    out.stdlib.push_back(termijn::fuzz::source_dir() / "stdlib");
    for (const auto& entry : std::filesystem::directory_iterator(termijn::fuzz::source_dir() / "processes")) {
      if (entry.path().extension() != ".wth") continue;
      if (auto text = termijn::fuzz::read_file(entry.path())) out.processes[entry.path().filename().string()] = *text;
    }
    return out;
  }();
  return s;
}

bool inside(const SourceRange& inner, const SourceRange& outer) {
  if (!inner.file || !outer.file || inner.file.get() != outer.file.get()) return false;
  SourcePos outer_end = outer.end.line == 0 ? outer.begin : outer.end;
  return outer.begin <= inner.begin && inner.begin < outer_end;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> files{{"fuzz.wth", text}};
  // The shipped files the input names, and the ones those name, until nothing new is named.
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [name, body] : shipped().processes) {
      if (files.count(name) != 0) continue;
      for (const auto& [path, t] : files) {
        if (t.find(name) != std::string::npos) {
          files[name] = body;
          grew = true;
          break;
        }
      }
    }
  }

  termijn::Compilation c = termijn::compile_sources(files, shipped().stdlib);

  for (const auto& d : c.diagnostics.all()) check_range(d);
  if (!c.model) fail("compile_sources returned no model object");
  for (const auto& p : c.model->processes) {
    if (!p) fail("a null process in the model");
    for (const auto& d : c.diagnostics.all()) {
      if (d.severity == Severity::kError && inside(d.range, p->range)) {
        fail(fmt::format("process '{}' ({}) is in the model although error '{}' at {} is inside it", p->name,
                         where(p->range), d.message, where(d.range)));
      }
    }
    if (!p->parent.empty() && c.model->find(p->parent) == nullptr) {
      fail(fmt::format("process '{}' ({}) is in the model without its parent '{}'", p->name, where(p->range), p->parent));
    }
    if (p->hash.size() != 64 || p->hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
      fail(fmt::format("process '{}' has hash '{}'", p->name, p->hash));
    }
  }
  return 0;
}
