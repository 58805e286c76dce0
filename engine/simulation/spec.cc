#include "engine/simulation/spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <regex>

#include "engine/base/numbers.h"
#include "engine/frontend/line_reader.h"
#include "engine/frontend/source_text.h"

namespace termijn::simulation {

using lines::LineReader;
using lines::Word;

// ---- distributions ------------------------------------------------------------------------------

double Distribution::sample(Rng& rng) const {
  switch (kind) {
    case Kind::kFixed: return a;
    case Kind::kUniform: return a + (b - a) * rng.uniform();
    case Kind::kExponential: return rng.exponential(a);
    case Kind::kTriangular: {
      double u = rng.uniform(), f = (b - a) / (c - a);
      return u < f ? a + std::sqrt(u * (c - a) * (b - a)) : c - std::sqrt((1 - u) * (c - a) * (c - b));
    }
    case Kind::kLognormal: {
      // From the duration's own mean and sd to the underlying normal's parameters.
      double sigma2 = std::log(1 + (b * b) / (a * a));
      return std::exp(std::log(a) - sigma2 / 2 + std::sqrt(sigma2) * rng.normal());
    }
    case Kind::kEmpirical: return values[static_cast<std::size_t>(rng.uniform() * values.size())];
  }
  return a;
}

double Distribution::mean() const {
  switch (kind) {
    case Kind::kUniform: return (a + b) / 2;
    case Kind::kTriangular: return (a + b + c) / 3;
    case Kind::kEmpirical: {
      double sum = 0;
      for (double v : values) sum += v;
      return values.empty() ? 0 : sum / values.size();
    }
    default: return a;
  }
}

namespace {

std::string minutes_text(double m) {
  if (m >= 1440 && std::fmod(m, 1440) == 0) return fmt::format("{} d", m / 1440);
  if (m >= 60) return fmt::format("{:.4g} h", m / 60);
  return fmt::format("{:.4g} min", m);
}

}  // namespace

std::string Distribution::describe() const {
  switch (kind) {
    case Kind::kFixed: return minutes_text(a);
    case Kind::kUniform: return fmt::format("uniform {}..{}", minutes_text(a), minutes_text(b));
    case Kind::kExponential: return fmt::format("exponential, mean {}", minutes_text(a));
    case Kind::kTriangular: return fmt::format("triangular {}, {}, {}", minutes_text(a), minutes_text(b), minutes_text(c));
    case Kind::kLognormal: return fmt::format("lognormal, mean {}, sd {}", minutes_text(a), minutes_text(b));
    case Kind::kEmpirical: return fmt::format("empirical, {} observations", values.size());
  }
  return "";
}

Json Choice::pick(Rng& rng) const {
  double u = rng.uniform();
  for (const auto& [value, p] : options) {
    if (u < p) return value;
    u -= p;
  }
  return options.back().first;
}

// ---- reading a .sim file ------------------------------------------------------------------------

namespace {

// Bounds on what a .sim file may ask for, so a typo cannot make a run last for ever: ten years
// of simulated time, a thousand replications, a hundred thousand cases a day.
constexpr int kMaxDays = 3660;
constexpr int kMaxReplications = 1000;
constexpr double kMaxArrivalsPerDay = 100'000;
constexpr int kMaxWorkers = 100'000;
constexpr double kMaxWeight = 1'000'000;
constexpr int kMaxTermAmount = 100'000;

// "6h37m", "45m", "2d", "90min": one word with its units.
std::optional<double> compact_minutes(const std::string& text) {
  static const std::regex kCompact(R"((?:(\d+)d)?(?:(\d+)h)?(?:(\d+)(?:m|min))?)");
  std::smatch m;
  if (text.empty() || !std::regex_match(text, m, kCompact)) return std::nullopt;
  double minutes = 0;
  for (auto [group, factor] : {std::pair{1, 1440.0}, std::pair{2, 60.0}, std::pair{3, 1.0}}) {
    if (!m[group].matched) continue;
    auto part = parse_number(m[group].str());
    if (!part) return std::nullopt;
    minutes += *part * factor;
  }
  return minutes;
}

std::optional<double> unit_minutes(const std::string& unit) {
  if (unit == "minute" || unit == "minutes" || unit == "min") return 1.0;
  if (unit == "hour" || unit == "hours" || unit == "h") return 60.0;
  if (unit == "day" || unit == "days" || unit == "d") return 1440.0;
  if (unit == "week" || unit == "weeks") return 10080.0;
  return std::nullopt;
}

class SpecReader {
 public:
  SpecReader(LineReader& r, DiagnosticList& d) : r_(r), d_(d) {}

  // "2 hours", "6h37m", "1.5 days"
  std::optional<double> amount() {
    auto w = r_.word("an amount of time (2 hours, 6h37m)");
    if (!w) return std::nullopt;
    if (auto compact = compact_minutes(w->text); compact && !lines::is_number(w->text)) return compact;
    auto n = parse_number(w->text);
    if (!n || *n < 0) {
      d_.error(w->range, fmt::format("'{}' is not an amount of time; write 2 hours, 45 min or 6h37m", w->text));
      return std::nullopt;
    }
    auto unit = r_.word("a unit (minutes, hours, days)");
    if (!unit) return std::nullopt;
    auto factor = unit_minutes(unit->text);
    if (!factor) {
      d_.error(unit->range, fmt::format("unknown unit '{}'; use minutes, hours, days or weeks", unit->text));
      return std::nullopt;
    }
    return *n * *factor;
  }

  std::optional<Distribution> distribution() {
    Distribution out;
    const Word* next = r_.peek();
    if (next == nullptr) {
      d_.error(r_.end_range(), "expected a duration or a distribution here");
      return std::nullopt;
    }
    using K = Distribution::Kind;
    auto list = [&](int n) -> bool {
      std::vector<double> got;
      for (int i = 0; i < n; ++i) {
        if (i > 0 && !r_.expect(",")) return false;
        auto m = amount();
        if (!m) return false;
        got.push_back(*m);
      }
      out.a = got[0];
      if (n > 1) out.b = got[1];
      if (n > 2) out.c = got[2];
      return true;
    };
    SourceRange where = next->range;
    if (r_.accept("fixed")) {
      out.kind = K::kFixed;
      if (!list(1)) return std::nullopt;
    } else if (r_.accept("uniform")) {
      out.kind = K::kUniform;
      if (!list(2)) return std::nullopt;
    } else if (r_.accept("exponential")) {
      out.kind = K::kExponential;
      if (!r_.expect("mean") || !list(1)) return std::nullopt;
    } else if (r_.accept("triangular")) {
      out.kind = K::kTriangular;
      if (!list(3)) return std::nullopt;
    } else if (r_.accept("lognormal")) {
      out.kind = K::kLognormal;
      if (!r_.expect("mean")) return std::nullopt;
      auto mean = amount();
      if (!mean || !r_.expect("sd")) return std::nullopt;
      auto sd = amount();
      if (!sd) return std::nullopt;
      out.a = *mean;
      out.b = *sd;
    } else if (r_.accept("empirical")) {
      out.kind = K::kEmpirical;
      do {
        auto m = amount();
        if (!m) return std::nullopt;
        out.values.push_back(*m);
      } while (r_.accept(","));
    } else {
      out.kind = K::kFixed;
      if (!list(1)) return std::nullopt;
    }
    bool ok = out.a >= 0 && out.b >= 0 && out.c >= 0;
    if (out.kind == K::kUniform) ok = ok && out.a <= out.b;
    if (out.kind == K::kTriangular) ok = ok && out.a <= out.b && out.b <= out.c && out.a < out.c;
    if (out.kind == K::kExponential || out.kind == K::kLognormal) ok = ok && out.a > 0;
    if (!ok) {
      d_.error(where, "these figures do not make a distribution (check the order: min, mode, max; means above zero)");
      return std::nullopt;
    }
    return out;
  }

  // "85%"
  std::optional<double> percent() {
    auto w = r_.word("a percentage (85%)");
    if (!w) return std::nullopt;
    std::string t = w->text;
    auto number = t.empty() || t.back() != '%' ? std::nullopt : parse_number(t.substr(0, t.size() - 1));
    if (!number) {
      d_.error(w->range, fmt::format("'{}' is not a percentage; write 85%", t));
      return std::nullopt;
    }
    double p = *number / 100;
    if (p < 0 || p > 1) {
      d_.error(w->range, "a percentage lies between 0% and 100%");
      return std::nullopt;
    }
    return p;
  }

  // value p%, value p%, ...
  std::optional<Choice> choice() {
    Choice out;
    SourceRange first = r_.peek() ? r_.peek()->range : r_.end_range();
    double total = 0;
    do {
      auto v = r_.value();
      if (!v) return std::nullopt;
      auto p = percent();
      if (!p) return std::nullopt;
      out.options.emplace_back(*v, *p);
      total += *p;
    } while (r_.accept(","));
    // One bool value given: the other has the rest.
    if (out.options.size() == 1 && out.options[0].first.is_boolean() && total < 1) {
      out.options.emplace_back(!out.options[0].first.get<bool>(), 1 - total);
      total = 1;
    }
    if (std::abs(total - 1) > 1e-9) {
      d_.error(first, fmt::format("the percentages add up to {:.4g}%, not 100%", total * 100));
      return std::nullopt;
    }
    return out;
  }

  // `when A = x and elapsed < 9 days`
  bool conditions(std::vector<Condition>& out) {
    if (!r_.accept("when")) return true;
    do {
      auto c = condition();
      if (!c) return false;
      out.push_back(std::move(*c));
    } while (r_.accept("and"));
    return true;
  }

  Source source(const SourceRange& line) {
    Source s{"", line};
    if (r_.accept("cite")) {
      if (auto text = r_.quoted("the source")) s.cite = *text;
    }
    return s;
  }

 private:
  std::optional<Condition> condition() {
    auto name = r_.word("a condition (task.output = value, case_field = value, elapsed < 9 days)");
    if (!name) return std::nullopt;
    Condition c;
    c.name = name->text;
    c.range = name->range;
    using K = Condition::Kind;
    if (name->text == "elapsed") {
      auto op = r_.word("< or >=");
      if (!op) return std::nullopt;
      if (op->text == "<") {
        c.kind = K::kElapsedBelow;
      } else if (op->text == ">" && r_.accept("=")) {
        c.kind = K::kElapsedAtLeast;
      } else {
        d_.error(op->range, "write elapsed < 9 days or elapsed >= 9 days");
        return std::nullopt;
      }
      auto m = amount();
      if (!m) return std::nullopt;
      c.minutes = *m;
      c.text = fmt::format("elapsed {} {}", c.kind == K::kElapsedBelow ? "<" : ">=", minutes_text(*m));
      return c;
    }
    if (r_.accept("!")) c.kind = K::kNotEquals;
    if (!r_.expect("=")) return std::nullopt;
    auto v = r_.value();
    if (!v) return std::nullopt;
    c.value = *v;
    // `Wth.eerste_termijn = 14 days`: the term in force, not a value in the case.
    if (const Word* unit = r_.peek(); unit != nullptr && v->is_number_integer() &&
                                      (unit_minutes(unit->text) || unit->text == "working")) {
      bool working = r_.accept("working");
      auto u = r_.word("a unit");
      if (!u) return std::nullopt;
      c.term = make_duration(v->get<std::int64_t>(), u->text, working);
      if (!c.term) {
        d_.error(u->range, fmt::format("'{}' is not a term's unit; write days, working days, hours or weeks", u->text));
        return std::nullopt;
      }
      c.text = fmt::format("{} {} {}", c.name, c.kind == K::kNotEquals ? "!=" : "=", to_string(*c.term));
      return c;
    }
    c.text = fmt::format("{} {} {}", c.name, c.kind == K::kNotEquals ? "!=" : "=", v->is_string() ? v->get<std::string>() : v->dump());
    return c;
  }

  LineReader& r_;
  DiagnosticList& d_;
};

// `arrivals by weekday mon 1, ..., sun 1.4` or `arrivals by hour 0-6 0.5, 7-17 1, 18-23 1.5`.
void read_profile(LineReader& r, Rules& rules, DiagnosticList& d) {
  static const char* const kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  bool weekdays = r.accept("weekday");
  if (!weekdays && !r.expect("hour")) return;
  std::vector<double> weights(weekdays ? 7 : 24, -1);
  do {
    auto key = r.word(weekdays ? "a day (mon ... sun)" : "hours like 7-17");
    auto weight = r.word("a weight");
    if (!key || !weight) return;
    auto amount = parse_number(weight->text);
    if (!amount || *amount < 0 || *amount > kMaxWeight) {
      d.error(weight->range, fmt::format("'{}' is not a weight (0 to {})", weight->text, kMaxWeight));
      return;
    }
    int from = -1, to = -1;
    if (weekdays) {
      auto day = std::find(std::begin(kDays), std::end(kDays), key->text);
      if (day != std::end(kDays)) from = to = static_cast<int>(day - std::begin(kDays));
    } else {
      static const std::regex kRange(R"((\d{1,2})(?:-(\d{1,2}))?)");
      std::smatch m;
      if (std::regex_match(key->text, m, kRange)) {
        from = parse_int_in(m[1].str(), 0, 99).value_or(-1);
        to = m[2].matched ? parse_int_in(m[2].str(), 0, 99).value_or(-1) : from;
        if (to > 23 || to < 0 || from > to) from = -1;
      }
    }
    if (from < 0) {
      d.error(key->range, weekdays ? fmt::format("'{}' is not a day; write mon, tue, ... sun", key->text)
                                   : fmt::format("'{}' is not an hour or hours like 7-17 (0 to 23)", key->text));
      return;
    }
    for (int i = from; i <= to; ++i) weights[static_cast<std::size_t>(i)] = *amount;
  } while (r.accept(","));
  double sum = 0;
  for (double& w : weights) {
    if (w < 0) w = 1;  // not named: as usual
    sum += w;
  }
  if (sum <= 0) {
    d.error(r.end_range(), "a profile needs some weight somewhere");
    return;
  }
  for (double& w : weights) w *= static_cast<double>(weights.size()) / sum;
  (weekdays ? rules.weekday_profile : rules.hour_profile) = weights;
}

// Reads one rule line into `rules`; false when the line is not a rule.
bool read_rule(LineReader& r, SpecReader& s, Rules& rules, const SourceRange& line, const std::filesystem::path& sim_dir,
               DiagnosticList& d) {
  if (r.accept("process")) {
    auto name = r.word("the process's name");
    if (!name || !r.expect("from")) return true;
    auto file = r.quoted("the process file");
    if (!file) return true;
    rules.process = name->text;
    rules.file = (sim_dir / *file).lexically_normal();
    rules.process_range = name->range;
  } else if (r.accept("arrivals")) {
    if (r.accept("by")) {
      read_profile(r, rules, d);
      r.finish();
      return true;
    }
    auto n = r.word("cases per day");
    if (!n) return true;
    auto per_day = parse_number(n->text);
    if (!per_day || *per_day <= 0 || *per_day > kMaxArrivalsPerDay) {
      d.error(n->range, fmt::format("'{}' is not a number of cases above zero (at most {})", n->text, kMaxArrivalsPerDay));
      return true;
    }
    if (!r.expect("per") || !r.expect("day")) return true;
    if (r.accept("on")) {
      auto event = r.word("the start event of this stream");
      if (!event) return true;
      rules.streams.push_back(ArrivalStream{event->text, *per_day, s.source(event->range)});
    } else {
      rules.arrivals_per_day = *per_day;
      rules.arrivals_source = s.source(line);
    }
  } else if (r.accept("start")) {
    if (!r.expect("on")) return true;
    rules.starts.clear();
    double total = 0;
    do {
      auto event = r.word("a start event");
      if (!event) return true;
      double p = 1;
      if (r.peek() && !r.peek()->text.empty() && r.peek()->text.back() == '%') {
        auto got = s.percent();
        if (!got) return true;
        p = *got;
      }
      total += p;
      rules.starts.push_back(StartRule{event->text, p});
    } while (r.accept(","));
    if (std::abs(total - 1) > 1e-9) d.error(line, fmt::format("the start routes add up to {:.4g}%, not 100%", total * 100));
  } else if (r.accept("data")) {
    auto field = r.word("a case field");
    if (!field || !r.expect("=")) return true;
    auto choice = s.choice();
    if (!choice) return true;
    rules.data.push_back(DataRule{field->text, *choice, s.source(field->range)});
  } else if (r.accept("output")) {
    auto target = r.word("task.output");
    if (!target || !r.expect("=")) return true;
    auto dot = target->text.find('.');
    if (dot == std::string::npos) {
      d.error(target->range, fmt::format("write the task and its output as task.output, not '{}'", target->text));
      return true;
    }
    auto choice = s.choice();
    if (!choice) return true;
    std::vector<Condition> when;
    if (!s.conditions(when)) return true;
    rules.outputs.push_back(OutputRule{target->text.substr(0, dot), target->text.substr(dot + 1), *choice,
                                       s.source(target->range), std::move(when)});
  } else if (r.accept("duration")) {
    auto task = r.word("a task (or 'default')");
    if (!task || !r.expect("=")) return true;
    DurationRule rule;
    rule.task = task->text == "default" ? "" : task->text;
    if (r.accept("before")) {
      if (!r.expect("due")) return true;
      rule.before_due = true;
    }
    auto dist = s.distribution();
    if (!dist) return true;
    rule.distribution = *dist;
    if (rule.before_due && r.accept("late")) {
      auto p = s.percent();
      if (!p) return true;
      auto by = s.distribution();
      if (!by) return true;
      rule.late = *p;
      rule.late_by = *by;
    }
    if (r.accept("effort")) {
      rule.effort = s.distribution();
      if (!rule.effort) return true;
    }
    rule.source = s.source(task->range);
    rules.durations.push_back(std::move(rule));
  } else if (r.accept("event")) {
    auto event = r.word("an event");
    if (!event) return true;
    auto p = s.percent();
    if (!p || !r.expect("after")) return true;
    auto after = s.distribution();
    if (!after) return true;
    rules.events.push_back(EventRule{event->text, *p, *after, s.source(event->range)});
  } else if (r.accept("capacity")) {
    auto role = r.word("a role");
    auto n = r.word("a number of workers");
    if (!role || !n) return true;
    auto workers = parse_int_in(n->text, 1, kMaxWorkers);
    if (!workers) {
      d.error(n->range, fmt::format("'{}' is not a number of workers (1 to {})", n->text, kMaxWorkers));
      return true;
    }
    Pool pool{Pool::Order::kFirstCome, role->text, *workers, false, 9 * 60, 17 * 60, {}};
    if (r.accept("office")) {
      if (!r.expect("hours")) return true;
      pool.office_hours = true;
      auto hours = r.word("opening hours like 09:00-17:00");
      if (!hours) return true;
      static const std::regex kHours(R"((\d\d):(\d\d)-(\d\d):(\d\d))");
      std::smatch m;
      if (!std::regex_match(hours->text, m, kHours)) {
        d.error(hours->range, fmt::format("'{}' is not opening hours like 09:00-17:00", hours->text));
        return true;
      }
      // Two digits each (the pattern says so): no conversion can overflow.
      auto two = [&](int group) { return (m[group].str()[0] - '0') * 10 + (m[group].str()[1] - '0'); };
      pool.open = two(1) * 60 + two(2);
      pool.close = two(3) * 60 + two(4);
      if (pool.open >= pool.close || pool.close > 24 * 60 || two(2) > 59 || two(4) > 59) {
        d.error(hours->range, "the hours must open before they close, within one day");
        return true;
      }
    }
    if (r.accept("order")) {
      auto order = r.word("first-come, earliest-due or escalation");
      if (!order) return true;
      if (order->text == "first-come") {
        pool.order = Pool::Order::kFirstCome;
      } else if (order->text == "earliest-due") {
        pool.order = Pool::Order::kEarliestDue;
      } else if (order->text == "escalation") {
        pool.order = Pool::Order::kEscalation;
      } else {
        d.error(order->range, fmt::format("'{}' is not an order of work; write first-come, earliest-due or escalation",
                                          order->text));
        return true;
      }
    }
    pool.source = s.source(role->range);
    rules.pools.push_back(pool);
  } else if (r.accept("term")) {
    auto name = r.word("a legal term like Wth.eerste_termijn");
    if (!name || !r.expect("=")) return true;
    auto n = r.word("a number");
    auto unit = r.word("a unit");
    if (!n || !unit) return true;
    bool working = false;
    std::string unit_text = unit->text;
    if (unit_text == "working") {
      working = true;
      auto next = r.word("days");
      if (!next) return true;
      unit_text = next->text;
    }
    auto amount = parse_int_in(n->text, 0, kMaxTermAmount);
    auto value = amount ? make_duration(*amount, unit_text, working) : std::nullopt;
    if (!value) {
      d.error(n->range, fmt::format("'{} {}' is not a legal term; write 14 days, 3 working days or 24 hours", n->text,
                                    unit_text));
      return true;
    }
    rules.terms.push_back(TermOverride{name->text, *value, name->range});
  } else {
    return false;
  }
  r.finish();
  return true;
}

// A whole number from 0 to `high`, or -1 after an error.
int bounded_int(LineReader& r, const char* what, int high, DiagnosticList& d) {
  auto w = r.word(what);
  if (!w) return -1;
  auto n = parse_int_in(w->text, 0, high);
  if (!n) {
    d.error(w->range, fmt::format("'{}' is not {} (0 to {})", w->text, what, high));
    return -1;
  }
  return *n;
}

void read_days(LineReader& r, int& target, DiagnosticList& d) {
  int days = bounded_int(r, "a number of days", kMaxDays, d);
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
    d.error(r.end_range(), "name a figure: reached MILESTONE, moved TIMER, days STAGE, missed TASK, measure LABEL, ...");
    return std::nullopt;
  }
  return key;
}

// `expect moved einde 0.3..0.6` or `expect reached opgelegd 80%..100%`
void read_target(LineReader& r, SpecReader& s, Spec& spec, int scenario, const SourceRange& line, DiagnosticList& d) {
  auto key = kpi_key(r, d);
  if (!key) return;
  auto range = r.word("a range like 0.3..0.6 or 30%..60%");
  if (!range) return;
  auto bound = [](std::string text) -> std::optional<double> {
    bool percent = !text.empty() && text.back() == '%';
    if (percent) text.pop_back();
    auto n = parse_number(text);
    if (!n || !std::isfinite(*n)) return std::nullopt;
    return percent ? *n / 100 : *n;
  };
  auto dots = range->text.find("..");
  auto low = bound(range->text.substr(0, dots));
  auto high = dots == std::string::npos ? std::nullopt : bound(range->text.substr(dots + 2));
  if (!low || !high || *low > *high) {
    d.error(range->range, fmt::format("'{}' is not a range like 0.3..0.6 or 30%..60% (low first)", range->text));
    return;
  }
  spec.targets.push_back(Target{*key, *low, *high, s.source(line), scenario});
}

// `sweep duration zorgadvies = triangular {1 day, 3 days, 8 days}, 6 days, 11 days [cite "..."]`:
// each value between the braces makes the line anew, read as any rule line is (diagnostics keep
// their line and column: the copy is padded to where the original stands).
void read_sweep(std::string_view raw, const SourceRange& line, const std::filesystem::path& dir, Spec& spec,
                DiagnosticList& d) {
  std::string text(raw);
  Sweep sweep;
  static const std::regex kCite(R"re(\s+cite\s+"([^"]*)"\s*(#.*)?$)re");
  std::smatch cite;
  if (std::regex_search(text, cite, kCite)) {
    sweep.source.cite = cite[1].str();
    text = text.substr(0, static_cast<std::size_t>(cite.position(0)));
  } else if (auto hash = text.find('#'); hash != std::string::npos) {
    text = text.substr(0, hash);
  }
  sweep.source.range = line;
  std::size_t open = text.find('{'), close = text.find('}');
  if (open == std::string::npos || close == std::string::npos || close < open ||
      text.find('{', open + 1) != std::string::npos || text.find('}', close + 1) != std::string::npos) {
    d.error(line, "a sweep names its values once, between braces: sweep capacity veilig_thuis {4, 6, 8}");
    return;
  }
  std::size_t keyword = text.find("sweep");
  sweep.text = text.substr(keyword + 5);
  sweep.text.erase(0, sweep.text.find_first_not_of(' '));
  while (!sweep.text.empty() && sweep.text.back() == ' ') sweep.text.pop_back();
  std::string inside = text.substr(open + 1, close - open - 1);
  // Values that hold commas themselves (whole distributions) are separated by `|`.
  char separator = inside.find('|') != std::string::npos ? '|' : ',';
  for (std::size_t from = 0;;) {
    std::size_t comma = inside.find(separator, from);
    std::string value = inside.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
    value.erase(0, value.find_first_not_of(' '));
    while (!value.empty() && value.back() == ' ') value.pop_back();
    if (value.empty()) {
      d.error(line, "a sweep's values are separated by commas (or by | when they hold commas), none of them empty");
      return;
    }
    sweep.values.push_back(value);
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  if (sweep.values.size() < 2 || sweep.values.size() > 50) {
    d.error(line, fmt::format("a sweep needs 2 to 50 values, not {}", sweep.values.size()));
    return;
  }
  std::string before = text.substr(0, open), after = text.substr(close + 1);
  before.replace(keyword, 5, "     ");
  for (const auto& value : sweep.values) {
    std::string copy = std::string(static_cast<std::size_t>(line.begin.line - 1), '\n') + before + value + after;
    auto source = std::make_shared<SourceFile>(line.file->path(), std::move(copy));
    Rules rules;
    bool read = false;
    lines::for_each_line(source, d, [&](std::vector<Word> words, const SourceRange& at, std::string_view) {
      LineReader r(std::move(words), d, at);
      SpecReader s(r, d);
      read = read_rule(r, s, rules, at, dir, d);
      if (!read) d.error(at, "a sweep changes a rule line: arrivals, data, output, duration, event, capacity or term");
    });
    if (!read) return;
    sweep.overlays.push_back(std::move(rules));
  }
  spec.sweeps.push_back(std::move(sweep));
}

void parse_lines(const SourceFilePtr& source, Spec& spec, DiagnosticList& d, int depth) {
  std::filesystem::path dir = std::filesystem::path(source->path()).parent_path();
  Scenario* current = nullptr;
  lines::for_each_line(source, d, [&](std::vector<Word> words, const SourceRange& line, std::string_view raw) {
    LineReader r(std::move(words), d, line);
    SpecReader s(r, d);
    Rules& rules = current != nullptr ? current->rules : spec.baseline;
    if (r.accept("simulation")) {
      if (auto title = r.quoted("the simulation's title")) spec.title = *title;
    } else if (r.accept("scenario")) {
      auto name = r.quoted("the scenario's name");
      if (!name) return;
      spec.scenarios.push_back(Scenario{*name, line, {}});
      current = &spec.scenarios.back();
    } else if (current == nullptr && r.accept("begin")) {
      auto date = r.word("a date (2027-01-04)");
      if (date && !lines::is_date(date->text)) d.error(date->range, fmt::format("'{}' is not a date", date->text));
      if (date) spec.start_date = date->text;
    } else if (current == nullptr && r.accept("period")) {
      read_days(r, spec.period_days, d);
    } else if (current == nullptr && r.accept("warmup")) {
      read_days(r, spec.warmup_days, d);
    } else if (current == nullptr && r.accept("drain")) {
      read_days(r, spec.drain_days, d);
    } else if (current == nullptr && r.accept("replications")) {
      int n = bounded_int(r, "a number of replications (2 or more)", kMaxReplications, d);
      if (n == 0 || n == 1) d.error(line, "at least 2 replications are needed for a confidence interval");
      if (n >= 2) spec.replications = n;
    } else if (current == nullptr && r.accept("seed")) {
      auto w = r.word("a number");
      auto seed = w ? parse_uint(w->text) : std::nullopt;
      if (seed) spec.seed = *seed;
      else if (w) d.error(w->range, fmt::format("'{}' is not a whole number from 0 to 18446744073709551615", w->text));
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
      if (auto key = kpi_key(r, d)) spec.focus.push_back(*key);
    } else if (r.accept("expect")) {
      read_target(r, s, spec, current == nullptr ? -1 : static_cast<int>(spec.scenarios.size()) - 1, line, d);
    } else if (r.accept("sweep")) {
      if (current == nullptr && r.accept("replications")) {
        int n = bounded_int(r, "a number of replications (2 or more)", kMaxReplications, d);
        if (n == 0 || n == 1) d.error(line, "at least 2 replications are needed for a confidence interval");
        if (n >= 2) spec.sweep_replications = n;
      } else {
        read_sweep(raw, line, dir, spec, d);
        if (current != nullptr && !spec.sweeps.empty()) spec.sweeps.back().scenario = static_cast<int>(spec.scenarios.size()) - 1;
        return;
      }
    } else if (current == nullptr && r.accept("include")) {
      auto file = r.quoted("the file to include");
      if (!file) return;
      std::filesystem::path path = (dir / *file).lexically_normal();
      std::optional<std::string> text = read_text_file(path);
      if (!text) {
        d.error(line, fmt::format("cannot read '{}'", path.string()));
        return;
      }
      if (depth > 8) {
        d.error(line, "includes nest too deep (an include cycle?)");
        return;
      }
      parse_lines(std::make_shared<SourceFile>(path.string(), std::move(*text)), spec, d, depth + 1);
    } else if (read_rule(r, s, rules, line, dir, d)) {
      return;
    } else {
      d.error(r.peek()->range, fmt::format("'{}' does not start a line of a simulation file (simulation, process, begin, "
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
  parse_lines(source, spec, d, 0);
  if (!spec.baseline.process) d.error(SourceRange{source, {1, 1}, {1, 1}}, "the file names no process: process <name> from \"<file>\"");
  if (!spec.baseline.arrivals_per_day) d.error(SourceRange{source, {1, 1}, {1, 1}}, "the file gives no arrivals: arrivals <n> per day");
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
  // A scenario's rule replaces the baseline's rule for the same thing.
  auto overlay = [](auto& list, const auto& extra, auto key) {
    for (const auto& rule : extra) {
      std::erase_if(list, [&](const auto& r) { return key(r) == key(rule); });
      list.push_back(rule);
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
