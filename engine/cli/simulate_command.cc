// simulate: run a .sim file's scenarios and compare them.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/cli/commands.h"
#include "engine/frontend/source_text.h"
#include "engine/simulation/event_log.h"
#include "engine/simulation/html_report.h"
#include "engine/simulation/report.h"
#include "engine/simulation/simulation.h"

namespace termijn::cli {

namespace {

struct SimulateOptions {
  std::string file;
  int replications = 0;
  int sweep_replications = 0;
  int period = 0;
  int warmup = -1;
  long long seed = -1;
  int threads = 0;
  bool json = false;
  std::string csv, json_out, svg, events, report;
};

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

int run_simulate(const SimulateOptions& o, const GlobalOptions& global) {
  std::optional<std::string> text = read_text_file(o.file);
  if (!text) {
    fmt::print(stderr, "{}\n", tr("termijn: cannot read '{}'", o.file));
    return kUsage;
  }
  DiagnosticList diagnostics;
  auto source = std::make_shared<SourceFile>(o.file, std::move(*text));
  simulation::Spec spec = simulation::parse_spec(source, diagnostics);
  if (o.replications > 0) spec.replications = o.replications;
  if (o.sweep_replications > 0) spec.sweep_replications = o.sweep_replications;
  if (o.period > 0) spec.period_days = o.period;
  if (o.warmup >= 0) spec.warmup_days = o.warmup;
  if (o.seed >= 0) spec.seed = static_cast<std::uint64_t>(o.seed);
  simulation::RunOptions options;
  options.threads = o.threads;
  // The event log holds the first replication of every scenario: enough to follow cases one by
  // one, without keeping every replication's cases in memory.
  options.keep_cases = !o.events.empty();
  options.keep_cases_replications = 1;
  bool bar = ::isatty(STDERR_FILENO) != 0;
  options.progress = [bar](int done, int total) {
    if (!bar) return;
    int filled = done * 40 / total;
    fmt::print(stderr, "\r[{}{}] {}/{} replications", std::string(filled, '#'), std::string(40 - filled, '.'), done, total);
    if (done == total) fmt::print(stderr, "\n");
  };
  std::optional<simulation::SimulationResult> result;
  if (!diagnostics.has_errors()) result = simulation::simulate(spec, global.stdlib_dirs(), diagnostics, options);
  std::fputs(render(diagnostics).c_str(), stderr);
  if (!result) return kErrors;
  if (o.json) {
    fmt::print("{}\n", simulation::to_json(*result).dump(2));
  } else {
    fmt::print("{}", simulation::table(*result));
    fmt::print("\n{} cases simulated in {:.2f} s ({:.0f} cases/s)\n", result->cases_simulated, result->seconds,
               result->cases_simulated / std::max(result->seconds, 1e-9));
  }
  if (!o.csv.empty() && !write_file(o.csv, simulation::csv(*result))) return kUsage;
  if (!o.json_out.empty() && !write_file(o.json_out, simulation::to_json(*result).dump(2) + "\n")) return kUsage;
  if (!o.svg.empty() && !write_file(o.svg, simulation::svg(*result))) return kUsage;
  if (!o.events.empty()) {
    bool xes = std::filesystem::path(o.events).extension() == ".xes";
    if (!write_file(o.events, xes ? simulation::event_log_xes(*result) : simulation::event_log_csv(*result))) return kUsage;
  }
  if (!o.report.empty() && !write_file(o.report, simulation::html_report(*result))) return kUsage;
  return kClean;
}

}  // namespace

void add_simulate_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto o = std::make_shared<SimulateOptions>();
  auto* cmd = app.add_subcommand("simulate", "Run a simulation file's scenarios on the virtual clock and compare them");
  cmd->add_option("file", o->file, "The .sim file")->required();
  cmd->add_option("--replications", o->replications, "Replications per scenario (default: the file's)")
      ->check(CLI::Range(2, 1000));
  cmd->add_option("--sweep-replications", o->sweep_replications, "Replications per sweep point (default: the file's)")
      ->check(CLI::Range(2, 1000));
  cmd->add_option("--period", o->period, "Days of arrivals measured (default: the file's)")->check(CLI::Range(1, 3660));
  cmd->add_option("--warmup", o->warmup, "Days of warm-up before the period (default: the file's)")
      ->check(CLI::Range(0, 3660));
  cmd->add_option("--seed", o->seed, "Root seed (default: the file's)");
  cmd->add_option("--threads", o->threads, "Worker threads (default: all cores)");
  cmd->add_flag("--json", o->json, "Print JSON instead of the table");
  cmd->add_option("--csv", o->csv, "Write the figures as CSV to this file");
  cmd->add_option("--json-out", o->json_out, "Write the figures as JSON to this file");
  cmd->add_option("--svg", o->svg, "Write a chart comparing the scenarios to this file");
  cmd->add_option("--events", o->events,
                  "Write the event log of the first replication of every scenario to this file (.csv, or .xes for "
                  "process-mining tools)");
  cmd->add_option("--report", o->report, "Write a self-contained report in Dutch (HTML) to this file");
  cmd->callback([o, &global, &exit_code] { exit_code = run_simulate(*o, global); });
}

}  // namespace termijn::cli
