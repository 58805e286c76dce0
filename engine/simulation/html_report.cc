// The report for a ministry analyst: one HTML document, built from a SimulationResult, in the
// language in force (engine/base/language.h): English by default, Dutch when the analyst's
// environment asks for it. Every text that came from a .sim file is escaped; every number goes
// through `number`, which never prints NaN or infinity. No timestamps and no wall time, so the
// same result in the same language gives the same bytes.
#include "engine/simulation/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "engine/base/language.h"

namespace termijn::simulation {

namespace {

// ---------------------------------------------------------------------------------------------
// Text and numbers

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// At most `limit` code points, with an ellipsis when cut (never inside a UTF-8 sequence).
std::string shorten(const std::string& s, std::size_t limit) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((s[i] & 0xC0) != 0x80 && points++ == limit) return s.substr(0, i) + "…";
  }
  return s;
}

double finite_or_zero(double v) { return std::isfinite(v) ? v : 0.0; }

// How the report's language writes a number. A rule of its own, not the C++ locale's: the
// process never sets one, and the report must not change with what happens to be installed.
// Dutch: a decimal comma, a point between thousands, a non-breaking space before the percent
// sign (73.000; 6,6; 44 %). English: a decimal point, a comma between thousands, the percent
// sign against the number (73,000; 6.6; 44%).
struct Notation {
  char decimal, thousands;
  std::string_view percent;
};

Notation notation() {
  return language() == Language::kDutch ? Notation{',', '.', "\u00A0%"} : Notation{'.', ',', "%"};
}

// A real minus sign; "–" for a value that is not a number.
std::string number(double v, int decimals) {
  if (!std::isfinite(v)) return "–";
  const Notation n = notation();
  std::string digits = fmt::format("{:.{}f}", std::abs(v), decimals);
  bool negative = v < 0 && digits.find_first_not_of("0.") != std::string::npos;
  std::size_t point = std::min(digits.find('.'), digits.size());
  std::string whole = digits.substr(0, point), grouped;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += n.thousands;
    grouped += whole[i];
  }
  std::string fraction = point < digits.size() ? n.decimal + digits.substr(point + 1) : "";
  return (negative ? "−" : "") + grouped + fraction;
}

// Whether a number as written is zero ("0", "0,0", "0.0"), in either notation.
bool written_zero(const std::string& text) { return text.find_first_not_of("0,.") == std::string::npos; }

// How a KPI's unit is written. Shares are percentages and their differences percentage points.
struct Unit {
  enum class Kind { kShare, kDays, kHours, kCount, kOther };
  Kind kind = Kind::kOther;
  double scale = 1;
  int decimals = 1;
  std::string other;  // the unit of a KPI the report has no words for, escaped

  // `n` (a number as written, or a range or interval of them) with its unit: in a sentence
  // ("44 %", "16 percentage points", "6.6 days") or `brief`, in charts and tables ("16 pp",
  // "5 d"); a `difference` in shares is in percentage points.
  std::string with(const std::string& n, bool difference, bool brief) const {
    switch (kind) {
      case Kind::kShare:
        if (!difference) return n + std::string(notation().percent);
        return brief ? tr("{} pp", n) : tr("{} percentage points", n);
      case Kind::kDays: return brief ? tr("{} d", n) : tr("{} days", n);
      case Kind::kHours: return brief ? tr("{} h", n) : tr("{} hours", n);
      case Kind::kCount:
      case Kind::kOther: break;
    }
    return n;
  }

  // The unit in a table's column of units.
  std::string column() const {
    switch (kind) {
      case Kind::kShare: return "%";
      case Kind::kDays: return tr("days");
      case Kind::kHours: return tr("hours");
      case Kind::kCount: return tr("count");
      case Kind::kOther: break;
    }
    return other;
  }
};

// `magnitude` is the size of the figure in the KPI's own unit; sentences round shares of 10 %
// and more to whole percents, tables keep one decimal.
Unit unit_of(const std::string& unit, double magnitude, bool sentence) {
  magnitude = std::abs(finite_or_zero(magnitude));
  if (unit == "share") return {Unit::Kind::kShare, 100, sentence && magnitude >= 0.1 ? 0 : 1, ""};
  if (unit == "days") return {Unit::Kind::kDays, 1, 1, ""};
  if (unit == "hours") return {Unit::Kind::kHours, 1, 1, ""};
  if (unit == "count") return {Unit::Kind::kCount, 1, magnitude >= 10 ? 0 : 1, ""};
  return {Unit::Kind::kOther, 1, magnitude >= 100 ? 0 : (magnitude >= 1 ? 2 : 3), escape(unit)};
}

std::string amount(double v, const std::string& unit) {
  Unit u = unit_of(unit, v, true);
  return u.with(number(v * u.scale, u.decimals), false, false);
}

// "16 percentage points more", "0.8 days less", "0 hours".
std::string change_words(double v, const Unit& u) {
  std::string size = number(std::abs(v) * u.scale, u.decimals);
  std::string words = u.with(size, true, false);
  if (written_zero(size)) return words;
  return v > 0 ? tr("{} more", words) : tr("{} less", words);
}

// "+16", "+15.7": a difference gets its sign.
std::string signed_number(double v, const Unit& u) {
  std::string text = number(v * u.scale, u.decimals);
  return (std::isfinite(v) && v > 0 && !written_zero(text) ? "+" : "") + text;
}

// "44.1 ± 0.4"; a difference gets its sign.
std::string with_interval(const KpiSummary& k, const std::string& unit, bool difference) {
  Unit u = unit_of(unit, k.mean, false);
  return (difference ? signed_number(k.mean, u) : number(k.mean * u.scale, u.decimals)) + "\u00A0±\u00A0" +
         number(k.half_width * u.scale, u.decimals);
}

bool differs(const KpiSummary& d) {
  return std::isfinite(d.mean) && std::isfinite(d.half_width) &&
         (d.mean - d.half_width > 0 || d.mean + d.half_width < 0);
}

int sign_of(const KpiSummary& d) { return !differs(d) ? 0 : (d.mean > 0 ? 1 : -1); }

// "16 percentage points more (95% confidence interval 15 to 16)", or why there is no difference.
std::string described_change(const KpiSummary& d, const std::string& unit) {
  Unit u = unit_of(unit, d.mean, true);
  double lo = d.mean - d.half_width, hi = d.mean + d.half_width;
  if (d.mean == 0 && d.half_width == 0) return tr("no demonstrable difference: exactly equal in every replication");
  if (!differs(d)) {
    return tr("no demonstrable difference: the 95% confidence interval of the difference runs from {} to {} and "
              "includes zero",
              change_words(lo, u), change_words(hi, u));
  }
  double near = std::min(std::abs(lo), std::abs(hi)), far = std::max(std::abs(lo), std::abs(hi));
  return tr("{} (95% confidence interval {} to {})", change_words(d.mean, u), number(near * u.scale, u.decimals),
            number(far * u.scale, u.decimals));
}

// A figure's label in the report's language; the English stands in where there is no Dutch.
std::string label(const std::string& dutch, const std::string& english) {
  return language() == Language::kDutch && !dutch.empty() ? dutch : english;
}
std::string label(const KpiSummary& k) { return label(k.dutch, k.name); }
std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string quoted(const std::string& s) { return "‘" + escape(s) + "’"; }

// ---------------------------------------------------------------------------------------------
// Finding figures

std::optional<std::size_t> index_of_kpi(const std::vector<KpiSummary>& kpis, const std::string& key) {
  for (std::size_t i = 0; i < kpis.size(); ++i) {
    if (kpis[i].key == key || (kpis[i].key.empty() && kpis[i].name == key)) return i;
  }
  return std::nullopt;
}

// The KPIs the headline, sweeps and tornado speak of: `focus`, or the first share and days KPIs.
std::vector<std::string> focus_keys(const SimulationResult& r) {
  if (!r.focus.empty() || r.scenarios.empty()) return r.focus;
  std::vector<std::string> keys;
  for (const auto& k : r.scenarios[0].kpis) {
    if ((k.unit == "share" || k.unit == "days") && keys.size() < 3) keys.push_back(k.key.empty() ? k.name : k.key);
  }
  return keys;
}

// The headline figure for a KPI: the last scenario against the first, or the KPI itself when
// there is one scenario. `reference` is the first scenario's summary (its label and unit).
struct Headline {
  const KpiSummary* reference = nullptr;
  const KpiSummary* figure = nullptr;
};

Headline headline(const SimulationResult& r, const std::string& key) {
  if (r.scenarios.empty()) return {};
  auto at = index_of_kpi(r.scenarios[0].kpis, key);
  if (!at) return {};
  const ScenarioResult& last = r.scenarios.back();
  const auto& figures = r.scenarios.size() > 1 ? last.difference : last.kpis;
  return {&r.scenarios[0].kpis[*at], *at < figures.size() ? &figures[*at] : nullptr};
}

// A sweep point's figure for a KPI, on the same footing as the headline.
const KpiSummary* point_figure(const SweepPoint& p, const std::string& key) {
  if (p.kpis.empty()) return nullptr;
  std::size_t last = p.kpis.size() - 1;
  auto at = index_of_kpi(p.kpis[last], key);
  if (!at) return nullptr;
  if (last == 0) return &p.kpis[0][*at];
  if (last >= p.difference.size() || *at >= p.difference[last].size()) return nullptr;
  return &p.difference[last][*at];
}

const ScenarioResult* scenario_named(const SimulationResult& r, const std::string& name) {
  for (const auto& s : r.scenarios) {
    if (s.name == name) return &s;
  }
  return r.scenarios.empty() ? nullptr : &r.scenarios[0];
}

// ---------------------------------------------------------------------------------------------
// HTML pieces

std::string element(std::string_view name, const std::string& inner, std::string_view attributes = "") {
  return fmt::format("<{}{}{}>{}</{}>", name, attributes.empty() ? "" : " ", attributes, inner, name);
}

std::string block(std::string_view name, const std::string& inner, std::string_view attributes = "") {
  return element(name, inner, attributes) + "\n";
}

// `lead`: raw cells before the others (one with a rowspan).
std::string row(const std::vector<std::string>& cells, bool header = false, const std::string& lead = "") {
  std::string out = lead;
  for (const auto& c : cells) out += element(header ? "th" : "td", c);
  return element("tr", out) + "\n";
}

std::string table(const std::vector<std::string>& header, const std::string& rows) {
  return element("table", element("thead", row(header, true)) + element("tbody", "\n" + rows)) + "\n";
}

std::string escaped_list(const std::vector<std::string>& items, const std::string& when_empty) {
  if (items.empty()) return block("p", when_empty);
  std::string out;
  for (const auto& i : items) out += block("li", escape(i));
  return block("ul", "\n" + out);
}

// A section's heading by its anchor. The anchors (like the style's class names) are the same in
// both languages, so that a link into a report keeps working whichever language wrote it.
const char* heading(std::string_view anchor) {
  if (anchor == "vraag") return tr("Question");
  if (anchor == "kernuitkomsten") return tr("Key outcomes");
  if (anchor == "methode") return tr("Method");
  if (anchor == "bronnen") return tr("Sources");
  if (anchor == "aannames") return tr("Assumptions");
  if (anchor == "kalibratie") return tr("Calibration");
  if (anchor == "uitkomsten") return tr("All outcomes");
  if (anchor == "verdelingen") return tr("Distributions");
  if (anchor == "gevoeligheid") return tr("Sensitivity");
  return tr("Caveats");  // "kanttekeningen"
}

std::string section(std::string_view anchor, const std::string& body) {
  return fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n{}</section>\n", anchor, heading(anchor), body);
}

std::string assumption_tag() { return fmt::format("<span class=\"aanname\">{}</span>", tr("assumption")); }

// "(source: rapport 2024 [4.1])", after what it is the source of.
std::string source_note(const std::string& cite) { return tr("(source: {})", escape(cite)); }

// ---------------------------------------------------------------------------------------------
// SVG pieces

std::string svg_open(double width, double height, const std::string& title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 "
      "{0:.0f} {1:.0f}\" role=\"img\" aria-label=\"{2}\" font-family=\"sans-serif\" font-size=\"11\">\n"
      "<title>{2}</title>\n",
      width, height, title);
}

// Text with a white halo, so that it stays readable over lines and bars.
std::string svg_text(double x, double y, const std::string& html, std::string_view anchor = "start",
                     std::string_view style = "") {
  return fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\" stroke=\"#fff\" stroke-width=\"3\" "
      "paint-order=\"stroke\"{}{}>{}</text>\n",
      finite_or_zero(x), finite_or_zero(y), anchor, style.empty() ? "" : " ", style, html);
}

std::string svg_rect(double x, double y, double w, double h, std::string_view fill) {
  return fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>\n",
                     finite_or_zero(x), finite_or_zero(y), std::max(0.0, finite_or_zero(w)),
                     std::max(0.0, finite_or_zero(h)), fill);
}

std::string svg_line(double x1, double y1, double x2, double y2, std::string_view style) {
  return fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" {}/>\n", finite_or_zero(x1),
                     finite_or_zero(y1), finite_or_zero(x2), finite_or_zero(y2), style);
}

// Maps [lo, hi] onto [x0, x1]; a degenerate range or a value that is not a number maps to the middle.
struct Scale {
  double lo, hi, x0, x1;
  double operator()(double v) const {
    if (!(hi > lo) || !std::isfinite(v)) return (x0 + x1) / 2;
    return x0 + (v - lo) / (hi - lo) * (x1 - x0);
  }
};

std::string histogram(const DurationDistribution& d) {
  if (d.bins.empty() || d.bin_edges.size() != d.bins.size() + 1) return block("p", tr("No histogram available."));
  const double width = 560, height = 170, left = 60, right = 540, top = 16, base = 130;
  std::int64_t most = std::max<std::int64_t>(1, *std::max_element(d.bins.begin(), d.bins.end()));
  Scale x{d.bin_edges.front(), d.bin_edges.back(), left, right};
  Unit u = unit_of(d.unit, 0, false);
  std::string out = svg_open(width, height, tr("Histogram: {}", escape(label(d.dutch, d.name))));
  for (std::size_t i = 0; i < d.bins.size(); ++i) {
    double h = static_cast<double>(d.bins[i]) / static_cast<double>(most) * (base - top);
    out += svg_rect(x(d.bin_edges[i]), base - h, std::max(1.0, x(d.bin_edges[i + 1]) - x(d.bin_edges[i]) - 1), h,
                    "#4e79a7");
  }
  out += svg_line(left, base, right, base, "stroke=\"#333\"");
  out += svg_text(left - 4, top + 4, number(static_cast<double>(most), 0), "end") + svg_text(left - 4, base, "0", "end");
  out += svg_text(left - 4, top + 16, tr("cases"), "end");
  for (double edge : {d.bin_edges.front(), d.bin_edges[d.bins.size() / 2], d.bin_edges.back()}) {
    out += svg_text(x(edge), base + 14, u.with(number(edge, u.decimals), false, true), "middle");
  }
  const std::pair<double, const char*> marks[] = {{d.p50, "p50"}, {d.p90, "p90"}};
  for (const auto& [value, name] : marks) {
    out += svg_line(x(value), top, x(value), base, "stroke=\"#e15759\" stroke-dasharray=\"4 3\"");
    out += svg_text(x(value) + 3, top + 8, name);
  }
  return out + svg_text((left + right) / 2, base + 32, escape(u.column()), "middle") + "</svg>\n";
}

// "duration zorgadvies: 0% to 60%": what a sweep varies, short enough for a chart's label.
std::string sweep_label(const SweepResult& s) {
  std::string subject = shorten(s.parameter.substr(0, s.parameter.find(" = ")), 22);
  if (s.points.empty()) return subject;
  return tr("{}: {} to {}", subject, shorten(s.points.front().value, 11), shorten(s.points.back().value, 11));
}

std::string tornado(const SimulationResult& r, const std::string& key) {
  Headline main = headline(r, key);
  if (main.reference == nullptr || main.figure == nullptr) return "";
  struct Bar {
    const SweepResult* sweep;
    double first, last;
  };
  std::vector<Bar> bars;
  const double mean = finite_or_zero(main.figure->mean), half = finite_or_zero(main.figure->half_width);
  double lo = mean - half, hi = mean + half, magnitude = std::abs(mean);
  for (const auto& s : r.sweeps) {
    if (s.points.empty()) continue;
    const KpiSummary *first = point_figure(s.points.front(), key), *last = point_figure(s.points.back(), key);
    if (first == nullptr || last == nullptr) continue;
    bars.push_back({&s, finite_or_zero(first->mean), finite_or_zero(last->mean)});
    lo = std::min({lo, bars.back().first, bars.back().last}), hi = std::max({hi, bars.back().first, bars.back().last});
    magnitude = std::max({magnitude, std::abs(bars.back().first), std::abs(bars.back().last)});
  }
  if (bars.empty()) return "";
  std::stable_sort(bars.begin(), bars.end(),
                   [](const Bar& x, const Bar& y) { return std::abs(x.last - x.first) > std::abs(y.last - y.first); });
  const bool difference = r.scenarios.size() > 1;
  if (difference) lo = std::min(lo, 0.0), hi = std::max(hi, 0.0);
  const double pad = std::max(hi - lo, 1e-6) * 0.05;
  const double label_w = 340, margin = 150, plot = 340, row_h = 36, top = 50;
  const double width = label_w + 2 * margin + plot, height = top + row_h * static_cast<double>(bars.size()) + 10;
  Scale x{lo - pad, hi + pad, label_w + margin, label_w + margin + plot};
  const Unit u = unit_of(main.reference->unit, magnitude, true);
  auto figure = [&](double v) {
    return u.with(difference ? signed_number(v, u) : number(v * u.scale, u.decimals), difference, true);
  };
  std::string title = tr("Tornado: {}", escape(label(*main.reference)));
  std::string out = svg_open(width, height, title) + svg_text(10, 16, title, "start", "font-weight=\"bold\"");
  out += svg_rect(x(mean - half), top - 6, x(mean + half) - x(mean - half), height - top + 2, "#e8e8e8");
  out += svg_text(x(mean), 38, tr("main result {}", figure(mean)), "middle");
  if (difference) out += svg_line(x(0), top - 6, x(0), height - 4, "stroke=\"#999\" stroke-dasharray=\"2 3\"");
  out += svg_line(x(mean), top - 6, x(mean), height - 4, "stroke=\"#222\" stroke-width=\"2\"");
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const SweepResult& s = *bars[i].sweep;
    const bool rising = bars[i].first <= bars[i].last;
    const SweepPoint &low_point = rising ? s.points.front() : s.points.back(),
                     &high_point = rising ? s.points.back() : s.points.front();
    const double low = std::min(bars[i].first, bars[i].last), high = std::max(bars[i].first, bars[i].last);
    const double y = top + row_h * static_cast<double>(i);
    out += "<g><title>" + escape(s.parameter) + " " + (s.cite.empty() ? tr("(assumption)") : source_note(s.cite)) +
           "</title>\n" + svg_text(10, y + 12, escape(sweep_label(s)));
    out += s.cite.empty() ? svg_text(10, y + 25, tr("assumption"), "start", "fill=\"#b35c00\" font-weight=\"bold\"")
                          : svg_text(10, y + 25, tr("source: {}", escape(shorten(s.cite, 44))), "start", "fill=\"#555\"");
    out += svg_rect(x(low), y + 4, std::max(2.0, x(high) - x(low)), row_h - 14, s.cite.empty() ? "#f28e2b" : "#4e79a7");
    out += svg_text(x(low) - 4, y + 19, figure(low) + " · " + escape(shorten(low_point.value, 14)), "end");
    out += svg_text(x(high) + 4, y + 19, figure(high) + " · " + escape(shorten(high_point.value, 14))) + "</g>\n";
  }
  return out + "</svg>\n";
}

// ---------------------------------------------------------------------------------------------
// Sections

std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  return fmt::format("{}", fmt::join(parts, separator));
}

std::string scenario_phrase(const ScenarioResult& s) {
  return quoted(s.name) + (s.terms.empty() ? "" : " (" + escape(joined(s.terms, ", ")) + ")");
}

std::string question_section(const SimulationResult& r) {
  std::string q;
  if (!r.question.empty()) {
    q = escape(r.question);
  } else if (r.scenarios.size() == 1) {
    q = tr("How do the cases go in {}?", scenario_phrase(r.scenarios[0]));
  } else if (!r.scenarios.empty()) {
    std::vector<std::string> others;
    for (std::size_t s = 1; s < r.scenarios.size(); ++s) others.push_back(scenario_phrase(r.scenarios[s]));
    q = tr("What changes if {} applies instead of {}?", joined(others, tr(" or ")), quoted(r.scenarios[0].name));
  }
  return section("vraag", block("p", q, "class=\"vraag\""));
}

std::string key_sentences(const SimulationResult& r, const std::string& key) {
  auto at = index_of_kpi(r.scenarios[0].kpis, key);
  if (!at) return block("li", tr("No outcome {} in the results.", quoted(key)));
  const KpiSummary& base = r.scenarios[0].kpis[*at];
  std::string name = "<strong>" + escape(capitalised(label(base))) + "</strong>: ";
  if (r.scenarios.size() == 1) {
    return block("li", name + tr("{} in {} (95% confidence interval {} to {}).", amount(base.mean, base.unit),
                                 quoted(r.scenarios[0].name), amount(base.mean - base.half_width, base.unit),
                                 amount(base.mean + base.half_width, base.unit)));
  }
  std::string out;
  for (std::size_t s = 1; s < r.scenarios.size(); ++s) {
    const ScenarioResult& other = r.scenarios[s];
    if (*at >= other.kpis.size() || *at >= other.difference.size()) continue;
    out += block("li", name + tr("with {} {}, against {} with {} — {}.", quoted(other.name),
                                 amount(other.kpis[*at].mean, base.unit), amount(base.mean, base.unit),
                                 quoted(r.scenarios[0].name), described_change(other.difference[*at], base.unit)));
  }
  return out;
}

std::string point_words(const KpiSummary& f, const std::string& unit, bool difference) {
  if (!difference) return amount(f.mean, unit);
  return differs(f) ? change_words(f.mean, unit_of(unit, f.mean, true)) : tr("no demonstrable difference");
}

std::string sweep_name(const SweepResult& s) {
  return quoted(s.parameter) + " " + (s.cite.empty() ? assumption_tag() : source_note(s.cite));
}

// Whether the headline keeps its sign over the whole sweep: every point's interval lies on the
// same side of zero as the main result's (or, without a main difference, every point has none).
std::string sweep_sentence(const SimulationResult& r, const SweepResult& s, const std::string& key) {
  Headline main = headline(r, key);
  if (main.figure == nullptr) return "";
  const bool difference = r.scenarios.size() > 1;
  const int expected = sign_of(*main.figure);
  std::vector<std::string> parts;
  bool same = true;
  for (const auto& p : s.points) {
    const KpiSummary* f = point_figure(p, key);
    if (f == nullptr) continue;
    parts.push_back(tr("at {}: {}", quoted(p.value), point_words(*f, main.reference->unit, difference)));
    same = same && sign_of(*f) == expected;
  }
  if (parts.empty()) return "";
  std::string what = "<strong>" + escape(capitalised(label(*main.reference))) + "</strong>: ";
  std::string values = joined(parts, "; ");
  std::string verdict = !difference     ? tr("over the range — {}.", values)
                        : !same         ? tr("the difference depends on the assumption — {}.", values)
                        : expected == 0 ? tr("no demonstrable difference over the whole range — {}.", values)
                                        : tr("the difference holds over the whole range — {}.", values);
  return block("li", what + verdict);
}

std::string sweep_sentences(const SimulationResult& r, const std::vector<std::string>& focus) {
  std::string out;
  for (const auto& s : r.sweeps) {
    std::string items;
    for (const auto& key : focus) items += sweep_sentence(r, s, key);
    if (items.empty()) continue;
    std::string what = r.scenarios.size() < 2
                           ? tr("The outcome at every value of {}:", sweep_name(s))
                           : tr("The difference {} against {} at every value of {}:", quoted(r.scenarios.back().name),
                                quoted(r.scenarios.front().name), sweep_name(s));
    out += block("li", what + "\n" + block("ul", "\n" + items));
  }
  return out.empty() ? "" : block("h3", tr("Does the outcome hold?")) + block("ul", "\n" + out);
}

std::string key_results_section(const SimulationResult& r, const std::vector<std::string>& focus) {
  if (r.scenarios.empty()) return section("kernuitkomsten", block("p", tr("No scenarios simulated.")));
  std::string items;
  for (const auto& key : focus) items += key_sentences(r, key);
  std::string body = items.empty() ? block("p", tr("No outcomes to summarise.")) : block("ul", "\n" + items);
  body += sweep_sentences(r, focus);
  if (!r.warnings.empty()) {
    std::string link = fmt::format("<a href=\"#kalibratie\">{}</a>", heading("kalibratie"));
    body += block("p",
                  trn("Note: the calibration gives {} warning; see {}.", "Note: the calibration gives {} warnings; see {}.",
                      r.warnings.size(), r.warnings.size(), link),
                  "class=\"let-op\"");
  }
  return section("kernuitkomsten", body);
}

// "365 days".
std::string days(int n) { return trn("{} day", "{} days", static_cast<unsigned long long>(std::max(n, 0)), n); }

std::string method_section(const SimulationResult& r) {
  const auto replications = static_cast<unsigned long long>(std::max(r.replications, 0));
  const auto cases = static_cast<unsigned long long>(std::max<std::int64_t>(r.cases_simulated, 0));
  std::string body = block(
      "p", trn("Each scenario was simulated once (one replication), with seed {1}.",
               "Each scenario was simulated {} times (replications), with seed {}.", replications, r.replications,
               r.seed) +
               " " +
               tr("Each replication measures the cases that arrive in a period of {}, after a warm-up of {}: cases "
                  "from the warm-up run along (so that queues and workload are realistic) but do not count in the "
                  "figures.",
                  days(r.period_days), days(r.warmup_days)) +
               " " + tr("Counts are per replication, over the whole measured period.") + " " +
               trn("In all, {} case was simulated.", "In all, {} cases were simulated.", cases,
                   number(static_cast<double>(r.cases_simulated), 0)));
  body += block("p", tr("All scenarios use common random numbers: the same case has the same arrival, data, durations "
                        "and outcomes in every scenario, so that a difference between scenarios comes from the "
                        "scenario and not from chance. Differences are paired: per replication, a scenario minus the "
                        "first scenario."));
  body += block("p", r.replications < 2 ? tr("Every interval is a 95% confidence interval over the replications, "
                                             "with Student’s t (n − 1 degrees of freedom); with one replication there "
                                             "is no interval (± 0).")
                                          : tr("Every interval is a 95% confidence interval over the replications, "
                                               "with Student’s t (n − 1 degrees of freedom)."));
  body += block("p", tr("The simulation uses the same process files and the same runtime as production, on a "
                        "virtual clock: every term, escalation and completion runs as in a real case. Only the "
                        "storage is left out."));
  std::string rows;
  for (const auto& s : r.scenarios) {
    rows += row({escape(s.name), escape(s.process), s.terms.empty() ? "—" : escape(joined(s.terms, "; "))});
  }
  return section("methode", body + table({tr("Scenario"), tr("Process"), tr("Changed terms")}, rows));
}

std::string calibration_row(const SimulationResult& r, const CalibrationResult& c) {
  const ScenarioResult* s = scenario_named(r, c.scenario);
  std::optional<std::size_t> at = s != nullptr ? index_of_kpi(s->kpis, c.key) : std::nullopt;
  std::string unit = at ? s->kpis[*at].unit : "";
  Unit u = unit_of(unit, std::max(std::abs(c.low), std::abs(c.high)), false);
  KpiSummary outcome;
  outcome.mean = c.mean;
  outcome.half_width = c.half_width;
  std::string target = number(c.low * u.scale, u.decimals) + "–" + number(c.high * u.scale, u.decimals);
  return row({escape(label(c.dutch, c.name)), escape(c.scenario),
              "<span class=\"nw\">" + u.with(target, false, true) + "</span>",
              c.cite.empty() ? assumption_tag() : escape(c.cite), u.with(with_interval(outcome, unit, false), false, true),
              c.met ? fmt::format("<span class=\"gehaald\">{}</span>", tr("✔ met"))
                    : fmt::format("<span class=\"niet-gehaald\">{}</span>", tr("✘ not met"))});
}

std::string calibration_section(const SimulationResult& r) {
  std::string body;
  if (!r.warnings.empty()) {
    std::string items;
    for (const auto& w : r.warnings) {
      std::string text = label(w.dutch, w.text);  // the scenario is named once
      items += block(
          "li", (text.rfind(w.scenario, 0) == 0 ? "" : "<strong>" + escape(w.scenario) + "</strong>: ") + escape(text));
    }
    body += block("div", block("h3", tr("Warning")) + block("ul", "\n" + items), "class=\"waarschuwing\" role=\"alert\"");
  }
  if (r.calibration.empty()) return section("kalibratie", body + block("p", tr("No calibration targets given.")));
  std::string rows;
  for (const auto& c : r.calibration) rows += calibration_row(r, c);
  body += block("p", tr("Known figures the model must reproduce: the mean must fall within the target."));
  return section("kalibratie", body + table({tr("Outcome"), tr("Scenario"), tr("Target"), tr("Source"),
                                             tr("Outcome in the model"), tr("Verdict")},
                                            rows));
}

// A paired difference in a table, marked when its interval excludes zero.
std::string difference_cell(const KpiSummary& d, const std::string& unit) {
  return with_interval(d, unit, true) + (differs(d) ? " <span class=\"markering\">*</span>" : "");
}

std::vector<std::string> scenario_header(std::vector<std::string> header, const std::vector<std::string>& names) {
  for (const auto& n : names) header.push_back(escape(n));
  for (std::size_t i = 1; i < names.size(); ++i) header.push_back(tr("Difference {} − {}", escape(names[i]), escape(names[0])));
  return header;
}

std::string outcomes_section(const SimulationResult& r) {
  if (r.scenarios.empty()) return section("uitkomsten", block("p", tr("No outcomes.")));
  std::vector<std::string> names;
  for (const auto& s : r.scenarios) names.push_back(s.name);
  std::string rows;
  for (std::size_t k = 0; k < r.scenarios[0].kpis.size(); ++k) {
    const KpiSummary& base = r.scenarios[0].kpis[k];
    std::vector<std::string> cells{escape(label(base)), unit_of(base.unit, 0, false).column()};
    for (const auto& s : r.scenarios) {
      cells.push_back(k < s.kpis.size() ? with_interval(s.kpis[k], base.unit, false) : "—");
    }
    for (std::size_t s = 1; s < r.scenarios.size(); ++s) {
      const auto& d = r.scenarios[s].difference;
      cells.push_back(k < d.size() ? difference_cell(d[k], base.unit) : "—");
    }
    rows += row(cells);
  }
  std::string note = tr("* the 95% confidence interval of the difference excludes zero: the scenarios differ in this "
                        "outcome. Differences in shares (%) are percentage points.");
  return section("uitkomsten", block("p", tr("Mean ± half-width of the 95% confidence interval.")) +
                                   table(scenario_header({tr("Outcome"), tr("Unit")}, names), rows) +
                                   (names.size() > 1 ? block("p", note, "class=\"voetnoot\"") : ""));
}

std::string distributions_section(const SimulationResult& r) {
  std::string body;
  for (const auto& s : r.scenarios) {
    if (s.distributions.empty()) continue;
    std::string rows, figures;
    for (const auto& d : s.distributions) {
      Unit u = unit_of(d.unit, 0, false);
      auto v = [&](double x) { return number(x, u.decimals); };
      rows += row({escape(label(d.dutch, d.name)), u.column(), number(static_cast<double>(d.count), 0), v(d.mean),
                   v(d.p50), v(d.p90), v(d.p99), v(d.max)});
      std::string caption = escape(label(d.dutch, d.name)) + " — " + escape(s.name);
      figures += block("figure", histogram(d) + element("figcaption", caption));
    }
    body += block("h3", escape(s.name)) +
            table({tr("Duration"), tr("Unit"), "n", tr("Mean"), "p50", "p90", "p99", tr("Max")}, rows) +
            block("div", "\n" + figures, "class=\"figuren\"");
  }
  if (body.empty()) body = block("p", tr("No distributions in the results."));
  return section("verdelingen",
                 block("p", tr("Over all measured cases of all replications together; p50, p90 and p99 are "
                               "percentiles.")) +
                     body);
}

// Per value, per focus KPI: every scenario's figure and the paired differences.
std::string sweep_table(const SimulationResult& r, const SweepResult& s, const std::vector<std::string>& focus) {
  if (s.points.empty()) return "";
  std::string rows;
  for (const auto& p : s.points) {
    std::string value = fmt::format("<td rowspan=\"{}\">{}</td>", focus.size(), escape(p.value));
    for (const auto& key : focus) {
      Headline h = headline(r, key);
      std::string unit = h.reference != nullptr ? h.reference->unit : "";
      std::vector<std::string> cells{escape(h.reference != nullptr ? label(*h.reference) : key),
                                     unit_of(unit, 0, false).column()};
      for (const auto& figures : p.kpis) {
        auto at = index_of_kpi(figures, key);
        cells.push_back(at ? with_interval(figures[*at], unit, false) : "—");
      }
      for (std::size_t sc = 1; sc < p.difference.size() && sc < p.kpis.size(); ++sc) {
        auto at = index_of_kpi(p.kpis[sc], key);
        cells.push_back(at && *at < p.difference[sc].size() ? difference_cell(p.difference[sc][*at], unit) : "—");
      }
      rows += row(cells, false, key == focus.front() ? value : "");
    }
  }
  return table(scenario_header({tr("Value"), tr("Outcome"), tr("Unit")}, s.points[0].scenarios), rows);
}

std::string sensitivity_section(const SimulationResult& r, const std::vector<std::string>& focus) {
  if (r.sweeps.empty()) return section("gevoeligheid", block("p", tr("No sensitivity analysis in this simulation.")));
  std::string body = block("p", tr("For every varied assumption, every scenario was simulated again with only that "
                                   "line changed; the differences are paired against the first scenario."));
  for (const auto& s : r.sweeps) body += block("h3", sweep_name(s)) + sweep_table(r, s, focus);
  std::string charts;
  for (const auto& key : focus) {
    std::string chart = tornado(r, key);
    if (!chart.empty()) charts += block("figure", chart, "class=\"tornado\"");
  }
  if (charts.empty()) return section("gevoeligheid", body);
  std::string bars = r.scenarios.size() > 1
                         ? tr("One bar per varied assumption, from the difference {} − {} (the dotted line is zero) "
                              "at the first value to that at the last value; the widest bar on top.",
                              quoted(r.scenarios.back().name), quoted(r.scenarios.front().name))
                         : tr("One bar per varied assumption, from the outcome at the first value to that at the last "
                              "value; the widest bar on top.");
  body += block("h3", tr("Tornado charts")) +
          block("p", bars + " " +
                         tr("The solid line is the main result, the grey band its 95% confidence interval. Orange bars "
                            "are assumptions without a source.")) +
          charts;
  return section("gevoeligheid", body);
}

std::vector<std::string> caveats() {
  return {
      tr("The cases are synthetic: drawn from the given distributions, not from real files."),
      tr("Figures without a source are assumptions (see Assumptions); the outcomes are only as reliable as those "
         "assumptions."),
      tr("The model knows only what the process files say: what is not in them (informal consultation, illness, "
         "the priorities of staff, waiting lists outside the chain) is not in the model."),
      tr("The confidence intervals cover only the chance between replications, not the error of the model itself or "
         "of its assumptions."),
  };
}

const char* kStyle = R"(<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;max-width:1100px;margin:0 auto;padding:24px;line-height:1.5}
h1{font-size:1.8em;margin-bottom:.2em}h2{border-bottom:2px solid #154273;color:#154273;margin-top:2em}h3{color:#333}
nav ol{columns:3;font-size:.95em}.vraag{font-size:1.2em;font-style:italic}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef2f7}td{font-variant-numeric:tabular-nums}
.gehaald,.niet-gehaald,.nw{white-space:nowrap}.gehaald{color:#1e6b2e;font-weight:bold}.niet-gehaald{color:#fff;background:#b3261e;font-weight:bold;padding:1px 6px;border-radius:3px}
.aanname{background:#fff0c2;border:1px solid #d9a400;border-radius:3px;padding:0 4px;font-size:.85em}
.waarschuwing{border:3px solid #b3261e;background:#fdecea;padding:8px 16px;margin:1em 0}.waarschuwing h3{color:#b3261e;margin:.3em 0}
.let-op{border-left:6px solid #b3261e;padding-left:10px;font-weight:bold}.markering{color:#b3261e;font-weight:bold}
.voetnoot{font-size:.9em;color:#444}.figuren{display:flex;flex-wrap:wrap;gap:12px}
figure{margin:.5em 0}figcaption{font-size:.9em;color:#444}svg{max-width:100%;height:auto;background:#fff}
@media print{nav{display:none}section{break-inside:avoid-page}}
</style>
)";

// The table of contents, laid out as it always was.
std::string contents() {
  auto item = [](std::string_view anchor) {
    return fmt::format("<li><a href=\"#{}\">{}</a></li>", anchor, heading(anchor));
  };
  return fmt::format("<nav aria-label=\"{}\"><ol>\n", tr("Contents")) + item("vraag") + item("kernuitkomsten") + "\n" +
         item("methode") + item("bronnen") + item("aannames") + "\n" + item("kalibratie") + item("uitkomsten") + "\n" +
         item("verdelingen") + item("gevoeligheid") + "\n" + item("kanttekeningen") + "\n</ol></nav>\n";
}

}  // namespace

std::string html_report(const SimulationResult& r) {
  const std::vector<std::string> focus = focus_keys(r);
  std::string title = escape(r.title.empty() ? std::string(tr("Simulation")) : r.title);
  std::string out = fmt::format("<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n", to_string(language())) + kStyle +
                    block("title", title) + "</head>\n<body>\n";
  out += block("header", block("h1", title) + block("p", tr("Simulation report of termijn"))) + contents() + "<main>\n";
  out += question_section(r) + key_results_section(r, focus) + method_section(r);
  out += section("bronnen", escaped_list(r.sources, tr("No figures with a source.")));
  out += section("aannames", block("p", tr("Figures without a source, and defaults the simulator chose itself:")) +
                                 escaped_list(r.assumptions, tr("No assumptions.")));
  out += calibration_section(r) + outcomes_section(r) + distributions_section(r) + sensitivity_section(r, focus);
  out += section("kanttekeningen", escaped_list(caveats(), ""));
  return out + "</main>\n</body>\n</html>\n";
}

}  // namespace termijn::simulation
