// Simulation speed on the national model: the shipped 10-versus-14-days comparison, all cores.
//   bench_simulate [replications per scenario=4]
// Prints synthetic cases simulated per second (each case runs its whole course: assessment, the
// ban, extension or not, closing and a year of monitoring, every timer and escalation included).
#include <fmt/format.h>

#include <fstream>
#include <thread>

#include "engine/simulation/simulation.h"

using namespace termijn;

int main(int argc, char** argv) {
  int replications = argc > 1 ? std::atoi(argv[1]) : 4;
  std::string path = std::string(TERMIJN_SOURCE_DIR) + "/examples/simulation/termijn_10_vs_14.sim";
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  DiagnosticList d;
  simulation::Spec spec = simulation::parse_spec(std::make_shared<SourceFile>(path, std::move(text)), d);
  spec.replications = replications;
  spec.sweeps.clear();  // the comparison itself; sweeps run the same code, more often
  auto result = simulation::simulate(spec, {std::string(TERMIJN_SOURCE_DIR) + "/stdlib"}, d);
  if (!result) {
    fmt::print(stderr, "{}", render(d));
    return 1;
  }
  std::int64_t escalations = 0, started_over = 0;
  for (const auto& s : result->scenarios) {
    for (const auto& r : s.replications) {
      started_over += r.started_over;
      for (const auto& [name, value] : r.kpis) {
        if (name.rfind("escalated ", 0) == 0) escalations += static_cast<std::int64_t>(value);
      }
    }
  }
  fmt::print("simulate national model: {} scenarios x {} replications, {} cases ({} escalations) in {:.2f} s\n",
             result->scenarios.size(), replications, result->cases_simulated, escalations, result->seconds);
  fmt::print("  {:.0f} cases/s on {} threads\n", result->cases_simulated / result->seconds,
             std::max(1u, std::thread::hardware_concurrency()));
  // A replication refused half way runs twice (internal/replication.h): the figure counts it once.
  if (started_over > 0) fmt::print("  {} replications started over\n", started_over);
  return 0;
}
