#include "engine/simulation/simulation.h"

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <set>
#include <thread>

#include "engine/base/language.h"
#include "engine/simulation/internal/kpi.h"
#include "engine/simulation/internal/mean.h"
#include "engine/simulation/internal/prepared.h"
#include "engine/simulation/internal/replication.h"

namespace termijn::simulation {

namespace {

using internal::Prepared;

// Student's t, two-sided 95 %, for `df` degrees of freedom (Boost.Math). A hand table that
// jumped to the normal's 1.96 after 30 understated every interval between 31 and infinity
// (2.021 at 40, 2.000 at 60).
double t95(int df) {
  if (df < 1) return 0;
  return boost::math::quantile(boost::math::students_t(df), 0.975);
}

// A configured share and what happened may differ by this much (absolute) before the run warns.
constexpr double kRealisationTolerance = 0.10;
// ... and only when the task opened this often, so that chance alone does not warn.
constexpr double kRealisationMinimumOpened = 30;
constexpr int kHistogramBins = 20;

// Runs of one prepared scenario: how many replications, and whether to keep their cases.
struct Batch {
  const Prepared* prepared;
  int replications;
  bool keep_cases;
};

struct BatchResults {
  std::vector<std::vector<ReplicationResult>> results;  // [batch][replication]
  std::set<std::string> assumptions;
};

// Every (batch, replication) is a job; results land in their slot, so the order of finishing
// does not change the output.
BatchResults run_batches(const std::vector<Batch>& batches, const Spec& spec, const RunOptions& options) {
  struct Job {
    std::size_t batch;
    int replication;
  };
  std::vector<Job> jobs;
  BatchResults out;
  for (std::size_t b = 0; b < batches.size(); ++b) {
    out.results.emplace_back(static_cast<std::size_t>(batches[b].replications));
    for (int r = 0; r < batches[b].replications; ++r) jobs.push_back(Job{b, r});
  }
  std::vector<std::set<std::string>> assumptions(jobs.size());
  std::atomic<std::size_t> next{0};
  std::atomic<int> done{0};
  std::mutex progress;
  const int total = static_cast<int>(jobs.size());
  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto worker = [&] {
    for (std::size_t j = next++; j < jobs.size(); j = next++) {
      const Batch& batch = batches[jobs[j].batch];
      int r = jobs[j].replication;
      bool keep = batch.keep_cases && (options.keep_cases_replications <= 0 || r < options.keep_cases_replications);
      out.results[jobs[j].batch][static_cast<std::size_t>(r)] =
          internal::run_replication(*batch.prepared, spec, r, keep, assumptions[j]);
      int finished = ++done;
      if (options.progress) {
        std::lock_guard lock(progress);
        options.progress(finished, total);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::min(threads, total); ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  for (const auto& a : assumptions) out.assumptions.insert(a.begin(), a.end());
  return out;
}

KpiSummary describe(const std::string& key, std::vector<double> values) {
  internal::KpiText text = internal::describe_kpi(key);
  KpiSummary s = summarise(text.name, std::move(values));
  s.key = key;
  s.dutch = text.dutch;
  s.unit = text.unit;
  return s;
}

double value_of(const ReplicationResult& r, const std::string& key) {
  auto it = r.kpis.find(key);
  return it == r.kpis.end() ? 0.0 : it->second;
}

// Nearest rank: the smallest value with at least share `q` of the values at or below it.
double percentile(const std::vector<double>& sorted, double q) {
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

DurationDistribution distribution(const std::string& key, std::vector<double> values) {
  internal::KpiText text = internal::describe_kpi(key);
  DurationDistribution out;
  out.key = key;
  out.name = text.name;
  out.dutch = text.dutch;
  out.unit = text.unit;
  out.count = static_cast<std::int64_t>(values.size());
  if (values.empty()) return out;
  std::sort(values.begin(), values.end());
  out.mean = internal::mean(values);
  out.p50 = percentile(values, 0.50);
  out.p90 = percentile(values, 0.90);
  out.p99 = percentile(values, 0.99);
  out.max = values.back();
  double low = std::floor(values.front()), high = std::max(low + 1, std::ceil(values.back()));
  for (int b = 0; b <= kHistogramBins; ++b) out.bin_edges.push_back(low + (high - low) * b / kHistogramBins);
  out.bins.assign(kHistogramBins, 0);
  for (double v : values) {
    auto bin = static_cast<int>((v - low) / (high - low) * kHistogramBins);
    ++out.bins[static_cast<std::size_t>(std::clamp(bin, 0, kHistogramBins - 1))];
  }
  return out;
}

// Scenarios side by side: every KPI any of them has, in report order, with the paired difference
// against the first.
std::vector<ScenarioResult> compare(const std::vector<const Prepared*>& scenarios,
                                    std::vector<std::vector<ReplicationResult>> results) {
  std::set<std::string> keys, distributions;
  for (const auto& scenario : results) {
    for (const auto& r : scenario) {
      for (const auto& [key, _] : r.kpis) keys.insert(key);
      for (const auto& [key, _] : r.durations) distributions.insert(key);
    }
  }
  std::vector<std::string> ordered(keys.begin(), keys.end());
  std::stable_sort(ordered.begin(), ordered.end(), [](const std::string& a, const std::string& b) {
    return internal::describe_kpi(a).rank < internal::describe_kpi(b).rank;
  });
  std::vector<ScenarioResult> out;
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    ScenarioResult sr;
    sr.name = scenarios[s]->name;
    sr.process = *scenarios[s]->rules.process;
    sr.terms = scenarios[s]->terms;
    sr.replications = std::move(results[s]);
    for (const auto& key : ordered) {
      std::vector<double> values, diffs;
      for (std::size_t r = 0; r < sr.replications.size(); ++r) {
        values.push_back(value_of(sr.replications[r], key));
        if (s > 0) diffs.push_back(values.back() - value_of(out[0].replications[r], key));
      }
      sr.kpis.push_back(describe(key, values));
      if (s > 0) sr.difference.push_back(describe(key, diffs));
    }
    for (const auto& key : distributions) {
      std::vector<double> pooled;
      for (const auto& r : sr.replications) {
        if (auto it = r.durations.find(key); it != r.durations.end()) pooled.insert(pooled.end(), it->second.begin(), it->second.end());
      }
      sr.distributions.push_back(distribution(key, std::move(pooled)));
    }
    std::map<std::tuple<std::string, std::string, std::string>, OutcomeRealisation> outcomes;
    for (auto& r : sr.replications) {
      for (const auto& o : r.outcomes) {
        OutcomeRealisation& sum = outcomes[{o.task, o.output, o.value}];
        sum.task = o.task;
        sum.output = o.output;
        sum.value = o.value;
        // Pooled over the draws of every replication (a replication that never drew counts for nothing).
        sum.configured += o.configured * o.draws;
        sum.draws += o.draws;
        sum.opened += o.opened;
        sum.realised += o.realised;
      }
      r.durations.clear();  // pooled above; the replications keep their figures only
    }
    for (auto& [_, o] : outcomes) {
      o.configured = o.draws > 0 ? o.configured / o.draws : 0;
      o.realised = o.opened > 0 ? o.realised / o.opened : 0;
      sr.outcomes.push_back(o);
    }
    out.push_back(std::move(sr));
  }
  return out;
}

const KpiSummary* find_kpi(const std::vector<KpiSummary>& kpis, const std::string& key) {
  for (const auto& k : kpis) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

// The calibration targets against the scenarios they hold for, and a loud warning wherever a
// configured share and what happened diverge (55 % of mayors configured to extend, 14 % of the
// decisions taken in time).
void calibrate(const Spec& spec, SimulationResult& result) {
  for (const auto& t : spec.targets) {
    const ScenarioResult& s = result.scenarios[static_cast<std::size_t>(std::max(0, t.scenario))];
    CalibrationResult c;
    internal::KpiText text = internal::describe_kpi(t.kpi);
    c.key = t.kpi;
    c.name = text.name;
    c.dutch = text.dutch;
    c.scenario = s.name;
    c.low = t.low;
    c.high = t.high;
    c.cite = t.source.cite;
    if (const KpiSummary* k = find_kpi(s.kpis, t.kpi)) {
      c.mean = k->mean;
      c.half_width = k->half_width;
    }
    c.met = c.mean >= c.low && c.mean <= c.high;
    result.calibration.push_back(c);
  }
  for (const auto& s : result.scenarios) {
    for (const auto& o : s.outcomes) {
      if (o.opened < kRealisationMinimumOpened || std::abs(o.configured - o.realised) <= kRealisationTolerance) continue;
      result.warnings.push_back(CalibrationWarning{
          s.name,
          fmt::format("{}: output {}.{} = {} is configured at {:.0f} %, but happened in {:.0f} % of the {:.0f} times the "
                      "task opened (the rest lapsed, were cancelled or drew otherwise)",
                      s.name, o.task, o.output, o.value, o.configured * 100, o.realised * 100, o.opened),
          fmt::format("{}: uitkomst {}.{} = {} staat ingesteld op {:.0f} %, maar gebeurde in {:.0f} % van de {:.0f} keer dat "
                      "de taak openging (de rest verviel, werd afgebroken of viel anders uit)",
                      s.name, o.task, o.output, o.value, o.configured * 100, o.realised * 100, o.opened)});
    }
  }
}

void note_sources(const Rules& rules, std::set<std::string>& assumptions, std::set<std::string>& sources) {
  auto note = [&](const Source& s, const std::string& what) {
    if (s.assumption()) {
      assumptions.insert(fmt::format("{} (no source given)", what));
    } else {
      sources.insert(fmt::format("{}: {}", what, s.cite));
    }
  };
  note(rules.arrivals_source, "arrivals");
  for (const auto& r : rules.streams) note(r.source, "arrivals on " + r.event);
  for (const auto& r : rules.data) note(r.source, "case mix: " + r.field);
  for (const auto& r : rules.outputs) note(r.source, "outcome: " + r.key());
  for (const auto& r : rules.durations) note(r.source, "duration: " + (r.task.empty() ? "default" : r.task));
  for (const auto& r : rules.events) note(r.source, "event: " + r.event);
  for (const auto& r : rules.pools) note(r.source, "capacity: " + r.role);
  if (rules.starts.size() > 1) {
    std::vector<std::string> mix;
    for (const auto& s : rules.starts) mix.push_back(fmt::format("{} {:.0f} %", s.event, s.probability * 100));
    assumptions.insert(fmt::format("route mix: {} (no source given)", fmt::join(mix, ", ")));
  }
}

// The work a file asks for, bounded before anything runs: every case of a replication is held
// in memory, and every replication of every scenario and sweep point is run.
constexpr double kMaxCasesPerReplication = 1'000'000;
constexpr double kMaxCasesInAll = 100'000'000;

void check_budget(const Spec& spec, const std::vector<Prepared>& prepared, DiagnosticList& d) {
  const std::size_t scenarios = std::max<std::size_t>(1, spec.scenarios.size());
  const double days = spec.warmup_days + spec.period_days;
  double all = 0;
  for (std::size_t p = 0; p < prepared.size(); ++p) {
    const Rules& rules = prepared[p].rules;
    double per_day = rules.arrivals_per_day.value_or(0);
    for (const auto& stream : rules.streams) per_day += stream.per_day;
    double cases = per_day * days;
    if (cases > kMaxCasesPerReplication) {
      d.error(rules.arrivals_source.range, tr("about {:.0f} cases in one replication of '{}'; at most {:.0f}",
                                              cases, prepared[p].name, kMaxCasesPerReplication));
      return;
    }
    int replications = p < scenarios ? spec.replications
                                     : (spec.sweep_replications > 0 ? spec.sweep_replications : spec.replications);
    all += cases * replications;
  }
  if (all > kMaxCasesInAll) {
    d.error(spec.baseline.arrivals_source.range,
            tr("about {:.0f} cases over all scenarios, sweeps and replications; at most {:.0f}", all, kMaxCasesInAll));
  }
}

// `expect` lines name a figure of their own scenario's process; `focus` lines one of any.
void check_figures(const Spec& spec, const std::vector<Prepared>& prepared, DiagnosticList& d) {
  auto why = [&](const std::string& key, const Prepared& p) {
    return internal::unknown_kpi(key, *p.model->find(p.process), spec.measures);
  };
  for (const auto& t : spec.targets) {
    auto s = static_cast<std::size_t>(std::max(0, t.scenario));
    if (s >= prepared.size() || prepared[s].name != (spec.scenarios.empty() ? "baseline" : spec.scenarios[s].name)) continue;
    if (auto problem = why(t.kpi, prepared[s]); !problem.empty()) {
      d.error(t.source.range, tr("expect '{}': process '{}' has {}", t.kpi, prepared[s].process, problem));
    }
  }
  std::size_t scenarios = std::max<std::size_t>(1, spec.scenarios.size());
  for (std::size_t f = 0; f < spec.focus.size(); ++f) {
    std::string problem = "no scenario";
    for (std::size_t s = 0; s < std::min(scenarios, prepared.size()) && !problem.empty(); ++s) {
      problem = why(spec.focus[f], prepared[s]);
    }
    if (!problem.empty()) {
      d.error(spec.focus_ranges[f], tr("focus '{}': no scenario's process has it ({})", spec.focus[f], problem));
    }
  }
}

}  // namespace

std::vector<std::string> CaseRecord::trace() const {
  std::vector<std::string> out;
  for (const auto& e : events) {
    out.push_back(fmt::format("{:.0f} {} {}", (e.at - arrival).count() / 60'000.0, e.kind, e.detail));
  }
  return out;
}

KpiSummary summarise(std::string name, std::vector<double> values) {
  KpiSummary s;
  s.name = std::move(name);
  s.values = std::move(values);
  double n = static_cast<double>(s.values.size());
  if (n == 0) return s;
  s.mean = internal::mean(s.values);
  if (n < 2) return s;
  double ss = 0;
  for (double v : s.values) ss += (v - s.mean) * (v - s.mean);
  s.half_width = t95(static_cast<int>(n) - 1) * std::sqrt(ss / (n - 1)) / std::sqrt(n);
  return s;
}

namespace {

// Every scenario and every sweep point prepared against its process, in the order they run (the
// scenarios first, then each sweep's value for every scenario); nothing when the file has mistakes.
std::optional<std::vector<Prepared>> prepare_all(const Spec& spec, const std::vector<Scenario>& scenarios,
                                                 const std::vector<std::filesystem::path>& stdlib_dirs, DiagnosticList& d) {
  if (!spec.sweeps.empty() && spec.focus.empty()) {
    d.error(spec.sweeps.front().source.range, tr("a sweep shows how the figures named by `focus` lines move; add one (focus moved einde)"));
  }
  // One list, so that all of them run in one pool of threads.
  std::vector<Prepared> prepared;
  auto add = [&](const std::string& name, const Rules& rules, const std::string& index) {
    if (!rules.process || !rules.arrivals_per_day) return;
    if (auto p = internal::prepare(name, rules, spec, stdlib_dirs, index, d)) prepared.push_back(std::move(*p));
  };
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    add(scenarios[i].name, effective_rules(spec.baseline, scenarios[i].rules), std::to_string(i));
  }
  for (std::size_t w = 0; w < spec.sweeps.size(); ++w) {
    for (std::size_t v = 0; v < spec.sweeps[w].values.size(); ++v) {
      for (std::size_t i = 0; i < scenarios.size(); ++i) {
        const Sweep& sweep = spec.sweeps[w];
        Rules rules = effective_rules(spec.baseline, scenarios[i].rules);
        if (sweep.scenario < 0) {
          // The swept line replaces the baseline's: a scenario that sets its own keeps it.
          rules = effective_rules(effective_rules(spec.baseline, sweep.overlays[v]), scenarios[i].rules);
        } else if (static_cast<std::size_t>(sweep.scenario) == i) {
          rules = effective_rules(rules, sweep.overlays[v]);
        }
        add(scenarios[i].name, rules, fmt::format("{}_sweep{}_{}", i, w, v));
      }
    }
  }
  check_figures(spec, prepared, d);
  std::size_t points = 0;
  for (const auto& sweep : spec.sweeps) points += sweep.values.size();
  check_budget(spec, prepared, d);
  // A scenario without a process or arrivals was reported when the file was read.
  if (d.has_errors() || prepared.size() != scenarios.size() * (1 + points)) return std::nullopt;
  return prepared;
}

std::vector<Scenario> scenarios_of(const Spec& spec) {
  std::vector<Scenario> scenarios = spec.scenarios;
  if (scenarios.empty()) scenarios.push_back(Scenario{"baseline", {}, {}});
  return scenarios;
}

}  // namespace

bool check(const Spec& spec, const std::vector<std::filesystem::path>& stdlib_dirs, DiagnosticList& d) {
  return prepare_all(spec, scenarios_of(spec), stdlib_dirs, d).has_value();
}

std::optional<SimulationResult> simulate(const Spec& spec, const std::vector<std::filesystem::path>& stdlib_dirs,
                                         DiagnosticList& d, const RunOptions& options) {
  std::vector<Scenario> scenarios = scenarios_of(spec);
  std::optional<std::vector<Prepared>> ready = prepare_all(spec, scenarios, stdlib_dirs, d);
  if (!ready) return std::nullopt;
  std::vector<Prepared>& prepared = *ready;

  SimulationResult result;
  result.title = spec.title;
  result.question = spec.question;
  result.focus = spec.focus;
  result.seed = spec.seed;
  result.replications = spec.replications;
  result.period_days = spec.period_days;
  result.warmup_days = spec.warmup_days;
  int sweep_replications = spec.sweep_replications > 0 ? spec.sweep_replications : spec.replications;
  std::vector<Batch> batches;
  for (std::size_t p = 0; p < prepared.size(); ++p) {
    bool main = p < scenarios.size();
    batches.push_back(Batch{&prepared[p], main ? spec.replications : sweep_replications, main && options.keep_cases});
  }
  auto clock_start = std::chrono::steady_clock::now();
  BatchResults runs = run_batches(batches, spec, options);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
  for (const auto& batch : runs.results) {
    for (const auto& r : batch) result.cases_simulated += r.cases_simulated;
  }

  auto group = [&](std::size_t first) {
    std::vector<const Prepared*> which;
    std::vector<std::vector<ReplicationResult>> results;
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      which.push_back(&prepared[first + i]);
      results.push_back(std::move(runs.results[first + i]));
    }
    return compare(which, std::move(results));
  };
  result.scenarios = group(0);
  std::size_t next = scenarios.size();
  for (const auto& sweep : spec.sweeps) {
    SweepResult sr;
    sr.parameter = sweep.text;
    sr.cite = sweep.source.cite;
    for (const auto& value : sweep.values) {
      std::vector<ScenarioResult> compared = group(next);
      next += scenarios.size();
      SweepPoint point;
      point.value = value;
      for (const auto& s : compared) {
        point.scenarios.push_back(s.name);
        std::vector<KpiSummary> kpis, difference;
        for (const auto& key : spec.focus) {
          const KpiSummary* k = find_kpi(s.kpis, key);
          const KpiSummary* diff = find_kpi(s.difference, key);
          kpis.push_back(k != nullptr ? *k : describe(key, {}));
          if (!s.difference.empty()) difference.push_back(diff != nullptr ? *diff : describe(key, {}));
        }
        point.kpis.push_back(std::move(kpis));
        point.difference.push_back(std::move(difference));
      }
      sr.points.push_back(std::move(point));
    }
    result.sweeps.push_back(std::move(sr));
  }
  calibrate(spec, result);

  std::set<std::string> assumptions = runs.assumptions, sources;
  for (std::size_t i = 0; i < scenarios.size(); ++i) note_sources(prepared[i].rules, assumptions, sources);
  for (const auto& t : spec.targets) {
    if (!t.source.assumption()) sources.insert(fmt::format("calibration target {}: {}", t.kpi, t.source.cite));
  }
  for (const auto& s : spec.sweeps) {
    if (!s.source.assumption()) sources.insert(fmt::format("sweep {}: {}", s.text, s.source.cite));
  }
  result.assumptions.assign(assumptions.begin(), assumptions.end());
  result.sources.assign(sources.begin(), sources.end());
  return result;
}

}  // namespace termijn::simulation
