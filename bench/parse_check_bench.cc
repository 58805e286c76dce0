// Times read + parse + check of every shipped file (stdlib/ and processes/), as `termijn check`
// does it. Prints the median and spread of repeated runs; it asserts nothing about speed.
//   build/bench/bench_parse_check [runs]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <vector>

#include "engine/driver/compilation.h"

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 200;
  if (runs < 1) runs = 1;
  const std::string root = TERMIJN_SOURCE_DIR;
  const std::vector<std::string> paths{root + "/stdlib", root + "/processes"};
  const std::vector<std::filesystem::path> stdlib{root + "/stdlib"};

  termijn::Compilation first = termijn::compile_paths(paths, stdlib);  // warm the file cache
  if (first.diagnostics.has_errors()) {
    fmt::print(stderr, "shipped files have errors:\n{}", termijn::render(first.diagnostics));
    return 1;
  }
  std::size_t bytes = 0, nodes = 0;
  for (const auto& f : first.program.files) bytes += f.source->text().size();
  for (const auto& p : first.model->processes) nodes += p->nodes.size();

  std::vector<double> ms;
  ms.reserve(static_cast<std::size_t>(runs));
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    termijn::Compilation c = termijn::compile_paths(paths, stdlib);
    auto end = std::chrono::steady_clock::now();
    if (c.model->processes.size() != first.model->processes.size()) return 1;
    ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&ms](double q) { return ms[static_cast<std::size_t>(q * static_cast<double>(ms.size() - 1))]; };
  fmt::print("parse+check of shipped files: {} files, {} KiB, {} processes, {} nodes\n",
             first.program.files.size(), bytes / 1024, first.model->processes.size(), nodes);
  fmt::print("runs {}  median {:.2f} ms  p10 {:.2f} ms  p90 {:.2f} ms  min {:.2f} ms  (target <= 20 ms)\n", runs,
             pct(0.5), pct(0.1), pct(0.9), ms.front());
  return 0;
}
