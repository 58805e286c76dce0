// Simulation speed on the national model: the shipped 10-versus-14-days comparison, all cores.
//   bench_simulate [replications per scenario=4]
//   bench_simulate sweep      50 configurations x 10 replications of a year (a sweep of 25
//                             values of the care advice's need to extend, under both terms)
// Prints synthetic cases simulated per second (each case runs its whole course: assessment, the
// ban, extension or not, closing and a year of monitoring, every timer and escalation included).
#include <fmt/format.h>

#include <fstream>
#include <string_view>
#include <thread>

#include "engine/simulation/simulation.h"

using namespace termijn;

namespace {

// The comparison's file without its sweeps; for `sweep`, with one of 25 values and 10
// replications at each, read as the file itself (its includes resolve beside it).
simulation::Spec read_spec(const std::string& path, bool sweep, DiagnosticList& d) {
  std::ifstream in(path);
  std::string text, line;
  bool swept = !sweep;
  while (std::getline(in, line)) {
    if (line.starts_with("sweep ")) continue;
    if (!swept && line.starts_with("scenario ")) {
      // Before the scenarios: a line after one belongs to it.
      swept = true;
      std::string values;
      for (int p = 20; p < 70; p += 2) values += fmt::format("{}{}%", values.empty() ? "" : ", ", p);
      text += fmt::format("sweep replications 10\nsweep output zorgadvies.verlenging_nodig = true {{{}}}\n", values);
    }
    text += line + "\n";
  }
  return simulation::parse_spec(std::make_shared<SourceFile>(path, std::move(text)), d);
}

}  // namespace

int main(int argc, char** argv) {
  const bool sweep = argc > 1 && std::string_view(argv[1]) == "sweep";
  int replications = sweep ? 10 : argc > 1 ? std::atoi(argv[1]) : 4;
  std::string path = std::string(TERMIJN_SOURCE_DIR) + "/examples/simulation/termijn_10_vs_14.sim";
  DiagnosticList d;
  simulation::Spec spec = read_spec(path, sweep, d);
  spec.replications = replications;
  auto result = simulation::simulate(spec, {std::string(TERMIJN_SOURCE_DIR) + "/stdlib"}, d);
  if (!result) {
    fmt::print(stderr, "{}", render(d));
    return 1;
  }
  std::int64_t escalations = 0, started_over = 0;
  std::size_t configurations = result->scenarios.size();
  for (const auto& s : result->sweeps) configurations += s.points.size() * result->scenarios.size();
  for (const auto& s : result->scenarios) {
    for (const auto& r : s.replications) {
      started_over += r.started_over;
      for (const auto& [name, value] : r.kpis) {
        if (name.rfind("escalated ", 0) == 0) escalations += static_cast<std::int64_t>(value);
      }
    }
  }
  fmt::print("simulate national model: {} configurations x {} replications, {} cases ({} escalations in the "
             "comparison) in {:.2f} s\n",
             configurations, replications, result->cases_simulated, escalations, result->seconds);
  fmt::print("  {:.0f} cases/s on {} threads\n", result->cases_simulated / result->seconds,
             std::max(1u, std::thread::hardware_concurrency()));
  // A replication refused half way runs twice (internal/replication.h): the figure counts it once.
  if (started_over > 0) fmt::print("  {} replications started over\n", started_over);
  return 0;
}
