#include "engine/simulation/internal/rule_line.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <regex>

#include "engine/base/language.h"
#include "engine/base/numbers.h"

namespace termijn::simulation::internal {

using lines::LineReader;
using lines::Word;

namespace {

constexpr double kMaxMinutes = kMaxDays * 1440.0;
constexpr double kMaxArrivalsPerDay = 100'000;
constexpr double kMinArrivalsPerDay = 0.001;
constexpr std::size_t kMaxStreams = 10;
constexpr int kMaxWorkers = 100'000;
constexpr std::size_t kMaxShifts = 24;  // a role's shifts: one an hour is plenty
constexpr double kMaxWeight = 1'000'000;
// A weight is 0 or at least this: the profile is scaled to average 1 by its sum, and a sum
// of weights like 3e-308 makes that scale infinite (and the arrivals never end).
constexpr double kMinWeight = 0.000'001;
constexpr int kMaxTermAmount = 100'000;

// "6h37m", "45m", "2d", "90min": one word with its units.
std::optional<double> compact_minutes(const std::string& text) {
  static const std::regex kCompact(R"((?:(\d+)d)?(?:(\d+)h)?(?:(\d+)(?:m|min))?)");
  // std::regex recurses per character: a long word must not reach it.
  constexpr std::size_t kLongest = 24;
  std::smatch m;
  if (text.empty() || text.size() > kLongest || !std::regex_match(text, m, kCompact)) return std::nullopt;
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
    auto minutes = minutes_of(*w);
    if (minutes && *minutes > kMaxMinutes) {
      d_.error(w->range, tr("'{}' is longer than the simulation can run ({} days at most)", w->text, kMaxDays));
      return std::nullopt;
    }
    return minutes;
  }

 private:
  std::optional<double> minutes_of(const Word& word) {
    const Word* w = &word;
    if (auto compact = compact_minutes(w->text); compact && !lines::is_number(w->text)) return compact;
    auto n = parse_number(w->text);
    if (!n || *n < 0) {
      d_.error(w->range, tr("'{}' is not an amount of time; write 2 hours, 45 min or 6h37m", w->text));
      return std::nullopt;
    }
    auto unit = r_.word("a unit (minutes, hours, days)");
    if (!unit) return std::nullopt;
    auto factor = unit_minutes(unit->text);
    if (!factor) {
      d_.error(unit->range, tr("unknown unit '{}'; use minutes, hours, days or weeks", unit->text));
      return std::nullopt;
    }
    return *n * *factor;
  }

 public:

  std::optional<Distribution> distribution() {
    Distribution out;
    const Word* next = r_.peek();
    if (next == nullptr) {
      d_.error(r_.end_range(), tr("expected a duration or a distribution here"));
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
      d_.error(where, tr("these figures do not make a distribution (check the order: min, mode, max; means above zero)"));
      return std::nullopt;
    }
    // Drawn through the underlying normal's variance, log(1 + sd²/mean²): a mean so small that
    // its square is 0 (1e-200 minutes) makes that NaN or infinite, and every draw NaN.
    if (out.kind == K::kLognormal && !std::isfinite(std::log(1 + (out.b * out.b) / (out.a * out.a)))) {
      d_.error(where, tr("a lognormal with mean {} and sd {} cannot be drawn: its mean is too close to zero",
                         out.a, out.b));
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
      d_.error(w->range, tr("'{}' is not a percentage; write 85%", t));
      return std::nullopt;
    }
    double p = *number / 100;
    if (p < 0 || p > 1) {
      d_.error(w->range, tr("a percentage lies between 0% and 100%"));
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
      d_.error(first, tr("the percentages add up to {:.4g}%, not 100%", total * 100));
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

  Source source(const SourceRange& line) { return read_source(r_, line); }

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
        d_.error(op->range, tr("write elapsed < 9 days or elapsed >= 9 days"));
        return std::nullopt;
      }
      auto m = amount();
      if (!m) return std::nullopt;
      c.minutes = *m;
      c.text = fmt::format("elapsed {} {} min", c.kind == K::kElapsedBelow ? "<" : ">=", *m);
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
      // Bounded as a `term` line's amount is, so that no unit conversion overflows.
      auto amount = parse_int_in(v->dump(), 0, kMaxTermAmount);
      if (!amount) {
        d_.error(c.range, tr("'{}' is not a term's amount (0 to {})", v->dump(), kMaxTermAmount));
        return std::nullopt;
      }
      c.term = make_duration(*amount, u->text, working);
      if (!c.term) {
        d_.error(u->range, tr("'{}' is not a term's unit; write days, working days, hours or weeks", u->text));
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
    if (!amount || *amount < 0 || *amount > kMaxWeight || (*amount > 0 && *amount < kMinWeight)) {
      d.error(weight->range, tr("'{}' is not a weight (0, or {:.6f} to {})", weight->text, kMinWeight, kMaxWeight));
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
      d.error(key->range, weekdays ? tr("'{}' is not a day; write mon, tue, ... sun", key->text)
                                   : tr("'{}' is not an hour or hours like 7-17 (0 to 23)", key->text));
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
    d.error(r.end_range(), tr("a profile needs some weight somewhere"));
    return;
  }
  for (double& w : weights) w *= static_cast<double>(weights.size()) / sum;
  (weekdays ? rules.weekday_profile : rules.hour_profile) = weights;
}

// The value `word` names among `names`, if any.
template <typename E>
std::optional<E> named(const Word& word, std::initializer_list<std::pair<std::string_view, E>> names) {
  for (const auto& [name, value] : names) {
    if (word.text == name) return value;
  }
  return std::nullopt;
}

// "09:00-17:00" as minutes after midnight, from 00:00 up to 24:00 (the end of the day); an end
// before the start runs past midnight.
std::optional<std::pair<int, int>> hours_of(const std::string& text) {
  static const std::regex kHours(R"((\d\d):(\d\d)-(\d\d):(\d\d))");
  std::smatch m;
  if (text.size() != 11 || !std::regex_match(text, m, kHours)) return std::nullopt;
  // Two digits each (the pattern says so): no conversion can overflow.
  auto two = [&](int group) { return (m[group].str()[0] - '0') * 10 + (m[group].str()[1] - '0'); };
  int start = two(1) * 60 + two(2), end = two(3) * 60 + two(4);
  if (two(2) > 59 || two(4) > 59 || start >= 24 * 60 || end > 24 * 60) return std::nullopt;
  return std::pair{start, end};
}

std::optional<int> workers_of(LineReader& r, DiagnosticList& d) {
  auto n = r.word("a number of workers");
  if (!n) return std::nullopt;
  auto workers = parse_int_in(n->text, 1, kMaxWorkers);
  if (!workers) d.error(n->range, tr("'{}' is not a number of workers (1 to {})", n->text, kMaxWorkers));
  return workers;
}

// Who of a pool is on duty when, after `capacity ROLE`: `6` (round the clock), `6 office hours
// 09:00-17:00` (on workdays), or `shifts 6 workdays 09:00-17:00, 1 daily 22:00-07:00, ...`.
bool read_duty(LineReader& r, Pool& pool, DiagnosticList& d) {
  if (!r.accept("shifts")) {
    auto workers = workers_of(r, d);
    if (!workers) return false;
    Shift shift{Shift::Days::kDaily, *workers, 0, 24 * 60};
    if (r.accept("office")) {
      if (!r.expect("hours")) return false;
      auto hours = r.word("opening hours like 09:00-17:00");
      if (!hours) return false;
      auto span = hours_of(hours->text);
      if (!span) {
        d.error(hours->range, tr("'{}' is not opening hours like 09:00-17:00", hours->text));
        return false;
      }
      if (span->first >= span->second) {
        d.error(hours->range, tr("the hours must open before they close, within one day"));
        return false;
      }
      shift = Shift{Shift::Days::kWorkdays, *workers, span->first, span->second};
    }
    pool.shifts.push_back(shift);
    return true;
  }
  do {
    if (pool.shifts.size() == kMaxShifts) {
      d.error(r.end_range(), tr("at most {} shifts for a role", kMaxShifts));
      return false;
    }
    auto workers = workers_of(r, d);
    if (!workers) return false;
    auto days = r.word("workdays, non-workdays or daily");
    if (!days) return false;
    auto kind = named<Shift::Days>(*days, {{"workdays", Shift::Days::kWorkdays},
                                           {"non-workdays", Shift::Days::kNonWorkdays},
                                           {"daily", Shift::Days::kDaily}});
    if (!kind) {
      d.error(days->range, tr("'{}' is not a kind of day; write workdays, non-workdays or daily", days->text));
      return false;
    }
    Shift shift;
    shift.workers = *workers;
    shift.days = *kind;
    auto hours = r.word("hours like 09:00-17:00");
    if (!hours) return false;
    auto span = hours_of(hours->text);
    if (!span) {
      d.error(hours->range, tr("'{}' is not hours like 09:00-17:00 or 22:00-07:00 (00:00 to 24:00)", hours->text));
      return false;
    }
    if (span->first == span->second) {
      d.error(hours->range, tr("a shift must end at another time than it starts; round the clock is 00:00-24:00"));
      return false;
    }
    shift.start = span->first;
    shift.end = span->second;
    pool.shifts.push_back(shift);
  } while (r.accept(","));
  return true;
}

}  // namespace

Source read_source(LineReader& r, const SourceRange& line) {
  Source s{"", line};
  if (r.accept("cite")) {
    if (auto text = r.quoted("the source")) s.cite = *text;
  }
  return s;
}

bool read_rule(LineReader& r, Rules& rules, const SourceRange& line, const std::filesystem::path& sim_dir,
               DiagnosticList& d) {
  SpecReader s(r, d);
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
    if (!per_day || *per_day < kMinArrivalsPerDay || *per_day > kMaxArrivalsPerDay) {
      d.error(n->range, tr("'{}' is not a number of cases a day from {} to {}", n->text, kMinArrivalsPerDay,
                           kMaxArrivalsPerDay));
      return true;
    }
    if (!r.expect("per") || !r.expect("day")) return true;
    if (r.accept("on")) {
      auto event = r.word("the start event of this stream");
      if (!event) return true;
      if (rules.streams.size() >= kMaxStreams) {
        d.error(event->range, tr("at most {} arrival streams", kMaxStreams));
        return true;
      }
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
    if (std::abs(total - 1) > 1e-9) d.error(line, tr("the start routes add up to {:.4g}%, not 100%", total * 100));
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
      d.error(target->range, tr("write the task and its output as task.output, not '{}'", target->text));
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
    Pool pool;
    auto role = r.word("a role");
    if (!role || !read_duty(r, pool, d)) return true;
    pool.role = role->text;
    if (r.accept("order")) {
      auto order = r.word("first-come, earliest-due or escalation");
      if (!order) return true;
      auto chosen = named<Pool::Order>(*order, {{"first-come", Pool::Order::kFirstCome},
                                                {"earliest-due", Pool::Order::kEarliestDue},
                                                {"escalation", Pool::Order::kEscalation}});
      if (!chosen) {
        d.error(order->range, tr("'{}' is not an order of work; write first-come, earliest-due or escalation",
                                 order->text));
        return true;
      }
      pool.order = *chosen;
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
      d.error(n->range, tr("'{} {}' is not a legal term; write 14 days, 3 working days or 24 hours", n->text,
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

}  // namespace termijn::simulation::internal
