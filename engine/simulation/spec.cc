#include "engine/simulation/spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <regex>

#include "engine/base/language.h"
#include "engine/base/limits.h"
#include "engine/base/numbers.h"
#include "engine/frontend/line_reader.h"
#include "engine/frontend/source_text.h"
#include "engine/simulation/internal/rule_line.h"
#include "engine/time/instant.h"

namespace termijn::simulation {

using lines::LineReader;
using lines::Word;
using internal::kMaxDays;
using internal::kMaxReplications;
using internal::read_rule;
using internal::read_source;

// ---- reading a .sim file ------------------------------------------------------------------------

namespace {

// Bounds on the file-level lines (the rule lines' are in internal/rule_line.h): twenty
// scenarios, twenty sweeps of at most fifty values, twenty figures in focus (the report speaks of
// each in every section), the includes a program may have.
constexpr std::size_t kMaxScenarios = 20;
constexpr std::size_t kMaxSweeps = 20;
constexpr std::size_t kMaxFocus = 20;
constexpr std::size_t kMaxSweepValues = 50;
constexpr std::size_t kMaxIncludedFiles = limits::kFilesPerProgram;

// A whole number from 0 to `high`, or -1 after an error.
int bounded_int(LineReader& r, const char* what, int high, DiagnosticList& d) {
  auto w = r.word(what);
  if (!w) return -1;
  auto n = parse_int_in(w->text, 0, high);
  if (!n) {
    d.error(w->range, tr("'{}' is not {} (0 to {})", w->text, what, high));
    return -1;
  }
  return *n;
}

void read_days(LineReader& r, int& target, DiagnosticList& d) {
  int days = bounded_int(r, tr("a number of days"), kMaxDays, d);
  if (days >= 0 && r.expect("days")) target = days;
}

// A KPI's key: the words up to the figures ("moved einde", "reached opgelegd", "measure tijd tot
// plan van aanpak").
std::optional<std::string> kpi_key(LineReader& r, DiagnosticList& d) {
  std::string key;
  while (const Word* w = r.peek()) {
    if (w->text.find("..") != std::string::npos || w->text == "cite") break;
    key += (key.empty() ? "" : " ") + w->text;
    r.word("");
  }
  if (key.empty()) {
    d.error(r.end_range(), tr("name a figure: reached MILESTONE, moved TIMER, days STAGE, missed TASK, measure LABEL, ..."));
    return std::nullopt;
  }
  return key;
}

// `expect moved einde 0.3..0.6` or `expect reached opgelegd 80%..100%`
void read_target(LineReader& r, Spec& spec, int scenario, const SourceRange& line, DiagnosticList& d) {
  auto key = kpi_key(r, d);
  if (!key) return;
  auto range = r.word("a range like 0.3..0.6 or 30%..60%");
  if (!range) return;
  auto bound = [](std::string text) -> std::optional<double> {
    bool percent = !text.empty() && text.back() == '%';
    if (percent) text.pop_back();
    auto n = parse_number(text);
    if (!n) return std::nullopt;
    return percent ? *n / 100 : *n;
  };
  auto dots = range->text.find("..");
  auto low = bound(range->text.substr(0, dots));
  std::optional<double> high;
  if (dots != std::string::npos) high = bound(range->text.substr(dots + 2));
  if (!low || !high || *low > *high) {
    d.error(range->range, tr("'{}' is not a range like 0.3..0.6 or 30%..60% (low first)", range->text));
    return;
  }
  spec.targets.push_back(Target{*key, *low, *high, read_source(r, line), scenario});
}

// `sweep duration zorgadvies = triangular {1 day, 3 days, 8 days}, 6 days, 11 days [cite "..."]`:
// each value between the braces makes the line anew, read as any rule line is; a mistake in a
// copy is reported at the sweep's line, naming the value.
void read_sweep(const std::vector<Word>& words, std::string_view raw, const SourceRange& line,
                const std::filesystem::path& dir, int scenario, Spec& spec, DiagnosticList& d) {
  if (spec.sweeps.size() >= kMaxSweeps) {
    d.error(line, tr("at most {} sweeps", kMaxSweeps));
    return;
  }
  Sweep sweep;
  sweep.scenario = scenario;
  sweep.source.range = line;
  // The line as the words saw it (comments gone), up to its `cite`.
  std::size_t end = 0;
  for (std::size_t i = 1; i < words.size(); ++i) {
    if (!words[i].quoted && words[i].text == "cite" && i + 2 == words.size() && words[i + 1].quoted) {
      sweep.source.cite = words[i + 1].text;
      break;
    }
    end = static_cast<std::size_t>(words[i].range.end.column - 1);
  }
  std::string text(raw.substr(0, std::min(end, raw.size())));
  std::size_t keyword = static_cast<std::size_t>(words[0].range.end.column - 1);  // after `sweep`
  std::size_t open = text.find('{'), close = text.find('}');
  if (open == std::string::npos || close == std::string::npos || close < open ||
      text.find('{', open + 1) != std::string::npos || text.find('}', close + 1) != std::string::npos) {
    d.error(line, tr("a sweep names its values once, between braces: sweep capacity veilig_thuis {4, 6, 8}"));
    return;
  }
  auto trim = [](std::string t) {
    t.erase(0, t.find_first_not_of(' '));
    while (!t.empty() && t.back() == ' ') t.pop_back();
    return t;
  };
  sweep.text = trim(text.substr(keyword));
  std::string inside = text.substr(open + 1, close - open - 1);
  // Values that hold commas themselves (whole distributions) are separated by `|`.
  char separator = inside.find('|') != std::string::npos ? '|' : ',';
  for (std::size_t from = 0;;) {
    std::size_t comma = inside.find(separator, from);
    std::string value = trim(inside.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
    if (value.empty()) {
      d.error(line, tr("a sweep's values are separated by commas (or by | when they hold commas), none of them empty"));
      return;
    }
    sweep.values.push_back(value);
    if (comma == std::string::npos || sweep.values.size() > kMaxSweepValues) break;
    from = comma + 1;
  }
  if (sweep.values.size() < 2 || sweep.values.size() > kMaxSweepValues) {
    d.error(line, tr("a sweep needs 2 to {} values", kMaxSweepValues));
    return;
  }
  std::string before = text.substr(keyword, open - keyword), after = text.substr(close + 1);
  for (const auto& value : sweep.values) {
    auto source = std::make_shared<SourceFile>(line.file->path(), before + value + after);
    Rules rules;
    DiagnosticList copy;
    bool read = false;
    lines::for_each_line(source, copy, [&](std::vector<Word> copy_words, const SourceRange& at, std::string_view) {
      LineReader r(std::move(copy_words), copy, at);
      read = read_rule(r, rules, at, dir, copy);
    });
    if (!read) {
      d.error(line, tr("a sweep changes a rule line: arrivals, data, output, duration, event, capacity or term"));
      return;
    }
    if (copy.has_errors()) {
      d.error(line, tr("with the sweep's value '{}': {}", value, copy.all().front().message));
      return;
    }
    sweep.overlays.push_back(std::move(rules));
  }
  spec.sweeps.push_back(std::move(sweep));
}

// `replications N` and `sweep replications N`: 2 or more, for an interval.
void read_replications(LineReader& r, int& target, const SourceRange& line, DiagnosticList& d) {
  int n = bounded_int(r, "a number of replications (2 or more)", kMaxReplications, d);
  if (n == 0 || n == 1) d.error(line, tr("at least 2 replications are needed for a confidence interval"));
  if (n >= 2) target = n;
}

void parse_lines(const SourceFilePtr& source, Spec& spec, DiagnosticList& d, int depth, std::size_t& files) {
  std::filesystem::path dir = std::filesystem::path(source->path()).parent_path();
  Scenario* current = nullptr;
  lines::for_each_line(source, d, [&](std::vector<Word> words, const SourceRange& line, std::string_view raw) {
    const std::vector<Word> all = words;
    LineReader r(std::move(words), d, line);
    Rules& rules = current != nullptr ? current->rules : spec.baseline;
    if (r.accept("simulation")) {
      if (auto title = r.quoted("the simulation's title")) spec.title = *title;
    } else if (r.accept("scenario")) {
      auto name = r.quoted("the scenario's name");
      if (!name) return;
      if (spec.scenarios.size() >= kMaxScenarios) {
        d.error(line, tr("at most {} scenarios", kMaxScenarios));
        return;
      }
      spec.scenarios.push_back(Scenario{*name, line, {}});
      current = &spec.scenarios.back();
    } else if (current == nullptr && r.accept("begin")) {
      auto date = r.word("a date (2027-01-04)");
      auto at = date && lines::is_date(date->text) ? parse_instant(date->text + " 00:00") : std::nullopt;
      if (date && !at) {
        d.error(date->range, tr("'{}' is not a date", date->text));
      } else if (auto ms = at ? at->time_since_epoch().count() : 0; ms < limits::kEarliestMoment || ms > limits::kLatestMoment) {
        d.error(date->range, tr("'{}' is not a date between the years 1900 and 2200 (limit: moment)", date->text));
      } else if (date) {
        spec.start_date = date->text;
      }
    } else if (current == nullptr && r.accept("period")) {
      read_days(r, spec.period_days, d);
    } else if (current == nullptr && r.accept("warmup")) {
      read_days(r, spec.warmup_days, d);
    } else if (current == nullptr && r.accept("drain")) {
      read_days(r, spec.drain_days, d);
    } else if (current == nullptr && r.accept("replications")) {
      read_replications(r, spec.replications, line, d);
    } else if (current == nullptr && r.accept("seed")) {
      auto w = r.word("a number");
      auto seed = w ? parse_uint(w->text) : std::nullopt;
      if (seed) spec.seed = *seed;
      else if (w) d.error(w->range, tr("'{}' is not a whole number from 0 to 18446744073709551615", w->text));
    } else if (current == nullptr && r.accept("measure")) {
      auto label = r.quoted("the measure's label");
      if (!label || !r.expect("until")) return;
      Measure m{*label, {}, line};
      do {
        auto task = r.word("a task");
        if (!task) return;
        m.tasks.push_back(task->text);
      } while (r.accept("or"));
      spec.measures.push_back(std::move(m));
    } else if (current == nullptr && r.accept("question")) {
      if (auto text = r.quoted("the question, in words")) spec.question = *text;
    } else if (current == nullptr && r.accept("focus")) {
      auto key = kpi_key(r, d);
      if (key && std::find(spec.focus.begin(), spec.focus.end(), *key) == spec.focus.end()) {
        if (spec.focus.size() >= kMaxFocus) {
          d.error(line, tr("at most {} focus lines", kMaxFocus));
          return;
        }
        spec.focus.push_back(*key);
        spec.focus_ranges.push_back(line);
      }
    } else if (r.accept("expect")) {
      read_target(r, spec, current == nullptr ? -1 : static_cast<int>(spec.scenarios.size()) - 1, line, d);
    } else if (r.accept("sweep")) {
      if (current == nullptr && r.accept("replications")) {
        read_replications(r, spec.sweep_replications, line, d);
      } else {
        read_sweep(all, raw, line, dir, current == nullptr ? -1 : static_cast<int>(spec.scenarios.size()) - 1, spec, d);
        return;
      }
    } else if (current == nullptr && r.accept("include")) {
      auto file = r.quoted("the file to include");
      if (!file) return;
      std::filesystem::path path = (dir / *file).lexically_normal();
      std::optional<std::string> text = read_text_file(path);
      if (!text) {
        d.error(line, tr("cannot read '{}'", path.string()));
        return;
      }
      if (depth >= static_cast<int>(limits::kIncludeDepth)) {
        d.error(line, tr("includes nest too deep (an include cycle?)"));
        return;
      }
      if (++files > kMaxIncludedFiles) {
        d.error(line, tr("more than {} included files", kMaxIncludedFiles));
        return;
      }
      parse_lines(std::make_shared<SourceFile>(path.string(), std::move(*text)), spec, d, depth + 1, files);
    } else if (read_rule(r, rules, line, dir, d)) {
      return;
    } else {
      d.error(r.peek()->range, tr("'{}' does not start a line of a simulation file (simulation, process, begin, "
                                  "period, warmup, drain, replications, seed, arrivals, start, data, output, "
                                  "duration, event, capacity, term, measure, question, focus, expect, sweep, "
                                  "scenario)",
                                  r.peek()->text));
      return;
    }
    r.finish();
  });
}

}  // namespace

Spec parse_spec(const SourceFilePtr& source, DiagnosticList& d) {
  Spec spec;
  spec.path = source->path();
  std::size_t files = 0;
  parse_lines(source, spec, d, 0, files);
  if (!spec.baseline.process) d.error(SourceRange{source, {1, 1}, {1, 1}}, tr("the file names no process: process <name> from \"<file>\""));
  if (!spec.baseline.arrivals_per_day) d.error(SourceRange{source, {1, 1}, {1, 1}}, tr("the file gives no arrivals: arrivals <n> per day"));
  return spec;
}

std::string OutputRule::key() const {
  std::string out = task + "." + output;
  for (std::size_t i = 0; i < when.size(); ++i) out += (i == 0 ? " when " : " and ") + when[i].text;
  return out;
}

Rules effective_rules(const Rules& base, const Rules& over) {
  Rules out = base;
  if (over.process) {
    out.process = over.process;
    out.file = over.file;
    out.process_range = over.process_range;
  }
  if (over.arrivals_per_day) {
    out.arrivals_per_day = over.arrivals_per_day;
    out.arrivals_source = over.arrivals_source;
  }
  if (!over.weekday_profile.empty()) out.weekday_profile = over.weekday_profile;
  if (!over.hour_profile.empty()) out.hour_profile = over.hour_profile;
  if (!over.starts.empty()) out.starts = over.starts;
  // A scenario's rule replaces the baseline's rule for the same thing, where it stands (arrival
  // streams are numbered by their place, and common random numbers depend on that).
  auto overlay = [](auto& list, const auto& extra, auto key) {
    for (const auto& rule : extra) {
      auto same = std::find_if(list.begin(), list.end(), [&](const auto& r) { return key(r) == key(rule); });
      if (same != list.end()) {
        *same = rule;
      } else {
        list.push_back(rule);
      }
    }
  };
  overlay(out.data, over.data, [](const DataRule& r) { return r.field; });
  overlay(out.outputs, over.outputs, [](const OutputRule& r) { return r.key(); });
  overlay(out.streams, over.streams, [](const ArrivalStream& r) { return r.event; });
  overlay(out.durations, over.durations, [](const DurationRule& r) { return r.task; });
  overlay(out.events, over.events, [](const EventRule& r) { return r.event; });
  overlay(out.pools, over.pools, [](const Pool& p) { return p.role; });
  overlay(out.terms, over.terms, [](const TermOverride& t) { return t.qualified; });
  return out;
}

}  // namespace termijn::simulation
