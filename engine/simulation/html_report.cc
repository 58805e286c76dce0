// The report for a ministry analyst: one HTML document in Dutch, built from a SimulationResult.
// Every text that came from a .sim file is escaped; every number goes through `dutch`, which
// never prints NaN or infinity. No timestamps and no wall time, so the same result gives the
// same bytes.
#include "engine/simulation/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

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

// Dutch notation: decimal comma, a point between thousands, a real minus sign; "–" for a value
// that is not a number.
std::string dutch(double v, int decimals) {
  if (!std::isfinite(v)) return "–";
  std::string digits = fmt::format("{:.{}f}", std::abs(v), decimals);
  bool negative = v < 0 && digits.find_first_not_of("0.") != std::string::npos;
  std::size_t point = std::min(digits.find('.'), digits.size());
  std::string whole = digits.substr(0, point), grouped;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += '.';
    grouped += whole[i];
  }
  std::string fraction = point < digits.size() ? "," + digits.substr(point + 1) : "";
  return (negative ? "−" : "") + grouped + fraction;
}

// How a KPI's unit is written. Shares are percentages and their differences percentage points.
struct Unit {
  double scale = 1;
  int decimals = 1;
  std::string value;                          // after a value in a sentence: " %", " dagen"
  std::string difference;                     // after a difference in a sentence: " procentpunt"
  std::string short_value, short_difference;  // in charts: " %", " pp", " d", " u"
  std::string column;                         // in tables
};

// `magnitude` is the size of the figure in the KPI's own unit; sentences round shares of 10 %
// and more to whole percents, tables keep one decimal.
Unit unit_of(const std::string& unit, double magnitude, bool sentence) {
  magnitude = std::abs(finite_or_zero(magnitude));
  if (unit == "share") {
    return {100, sentence && magnitude >= 0.1 ? 0 : 1, "\u00A0%", "\u00A0procentpunt", "\u00A0%", "\u00A0pp", "%"};
  }
  if (unit == "days") return {1, 1, " dagen", " dagen", " d", " d", "dagen"};
  if (unit == "hours") return {1, 1, " uur", " uur", " u", " u", "uur"};
  int decimals = magnitude >= 10 ? 0 : 1;
  if (unit == "count") return {1, decimals, "", "", "", "", "aantal"};
  return {1, magnitude >= 100 ? 0 : (magnitude >= 1 ? 2 : 3), "", "", "", "", escape(unit)};
}

std::string amount(double v, const std::string& unit) {
  Unit u = unit_of(unit, v, true);
  return dutch(v * u.scale, u.decimals) + u.value;
}

// "16 procentpunt meer", "0,8 dagen minder", "0 uur".
std::string change_words(double v, const Unit& u) {
  std::string size = dutch(std::abs(v) * u.scale, u.decimals);
  bool zero = size.find_first_not_of("0,.") == std::string::npos;
  return size + u.difference + (zero ? "" : (v > 0 ? " meer" : " minder"));
}

// "+16 pp", "+15,7": a difference gets its sign.
std::string signed_number(double v, const Unit& u) {
  std::string text = dutch(v * u.scale, u.decimals);
  return (std::isfinite(v) && v > 0 && text.find_first_not_of("0,.") != std::string::npos ? "+" : "") + text;
}

// "44,1 ± 0,4"; a difference gets its sign.
std::string with_interval(const KpiSummary& k, const std::string& unit, bool difference) {
  Unit u = unit_of(unit, k.mean, false);
  return (difference ? signed_number(k.mean, u) : dutch(k.mean * u.scale, u.decimals)) + "\u00A0±\u00A0" +
         dutch(k.half_width * u.scale, u.decimals);
}

bool differs(const KpiSummary& d) {
  return std::isfinite(d.mean) && std::isfinite(d.half_width) &&
         (d.mean - d.half_width > 0 || d.mean + d.half_width < 0);
}

int sign_of(const KpiSummary& d) { return !differs(d) ? 0 : (d.mean > 0 ? 1 : -1); }

// "16 procentpunt meer (95\u00A0%-betrouwbaarheidsinterval 15 tot 16)", or why there is no difference.
std::string change(const KpiSummary& d, const std::string& unit) {
  Unit u = unit_of(unit, d.mean, true);
  double lo = d.mean - d.half_width, hi = d.mean + d.half_width;
  if (d.mean == 0 && d.half_width == 0) return "geen aantoonbaar verschil: in elke replicatie precies gelijk";
  if (!differs(d)) {
    return fmt::format(
        "geen aantoonbaar verschil: het 95\u00A0%-betrouwbaarheidsinterval van het verschil loopt van {} tot {} "
        "en omvat nul",
        change_words(lo, u), change_words(hi, u));
  }
  double near = std::min(std::abs(lo), std::abs(hi)), far = std::max(std::abs(lo), std::abs(hi));
  return fmt::format("{} (95\u00A0%-betrouwbaarheidsinterval {} tot {})", change_words(d.mean, u),
                     dutch(near * u.scale, u.decimals), dutch(far * u.scale, u.decimals));
}

std::string label(const std::string& dutch, const std::string& name) { return dutch.empty() ? name : dutch; }
std::string label(const KpiSummary& k) { return label(k.dutch, k.name); }

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string quoted(const std::string& s) { return "‘" + escape(s) + "’"; }

// ---------------------------------------------------------------------------------------------
// Finding figures

std::optional<std::size_t> find_kpi(const std::vector<KpiSummary>& kpis, const std::string& key) {
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
  auto at = find_kpi(r.scenarios[0].kpis, key);
  if (!at) return {};
  const ScenarioResult& last = r.scenarios.back();
  const auto& figures = r.scenarios.size() > 1 ? last.difference : last.kpis;
  return {&r.scenarios[0].kpis[*at], *at < figures.size() ? &figures[*at] : nullptr};
}

// A sweep point's figure for a KPI, on the same footing as the headline.
const KpiSummary* point_figure(const SweepPoint& p, const std::string& key) {
  if (p.kpis.empty()) return nullptr;
  std::size_t last = p.kpis.size() - 1;
  auto at = find_kpi(p.kpis[last], key);
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

std::string section(std::string_view id, std::string_view heading, const std::string& body) {
  return fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n{}</section>\n", id, heading, body);
}

std::string assumption_tag() { return "<span class=\"aanname\">aanname</span>"; }

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
  if (d.bins.empty() || d.bin_edges.size() != d.bins.size() + 1) return block("p", "Geen histogram beschikbaar.");
  const double width = 560, height = 170, left = 60, right = 540, top = 16, base = 130;
  std::int64_t most = std::max<std::int64_t>(1, *std::max_element(d.bins.begin(), d.bins.end()));
  Scale x{d.bin_edges.front(), d.bin_edges.back(), left, right};
  Unit u = unit_of(d.unit, 0, false);
  std::string out = svg_open(width, height, "Histogram: " + escape(label(d.dutch, d.name)));
  for (std::size_t i = 0; i < d.bins.size(); ++i) {
    double h = static_cast<double>(d.bins[i]) / static_cast<double>(most) * (base - top);
    out += svg_rect(x(d.bin_edges[i]), base - h, std::max(1.0, x(d.bin_edges[i + 1]) - x(d.bin_edges[i]) - 1), h,
                    "#4e79a7");
  }
  out += svg_line(left, base, right, base, "stroke=\"#333\"");
  out += svg_text(left - 4, top + 4, dutch(static_cast<double>(most), 0), "end") + svg_text(left - 4, base, "0", "end");
  out += svg_text(left - 4, top + 16, "zaken", "end");
  for (double edge : {d.bin_edges.front(), d.bin_edges[d.bins.size() / 2], d.bin_edges.back()}) {
    out += svg_text(x(edge), base + 14, dutch(edge, u.decimals) + u.short_value, "middle");
  }
  const std::pair<double, const char*> marks[] = {{d.p50, "p50"}, {d.p90, "p90"}};
  for (const auto& [value, name] : marks) {
    out += svg_line(x(value), top, x(value), base, "stroke=\"#e15759\" stroke-dasharray=\"4 3\"");
    out += svg_text(x(value) + 3, top + 8, name);
  }
  return out + svg_text((left + right) / 2, base + 32, escape(u.column), "middle") + "</svg>\n";
}

// "duration zorgadvies: 0% tot 60%": what a sweep varies, short enough for a chart's label.
std::string sweep_label(const SweepResult& s) {
  std::string subject = shorten(s.parameter.substr(0, s.parameter.find(" = ")), 22);
  if (s.points.empty()) return subject;
  return subject + ": " + shorten(s.points.front().value, 11) + " tot " + shorten(s.points.back().value, 11);
}

// One bar per sweep, spanning the figure at its first and last point, widest on top; a vertical
// line at the main result, a grey band for its interval and a dotted line at zero.
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
    return difference ? signed_number(v, u) + u.short_difference : dutch(v * u.scale, u.decimals) + u.short_value;
  };
  std::string title = "Tornado: " + escape(label(*main.reference));
  std::string out = svg_open(width, height, title) + svg_text(10, 16, title, "start", "font-weight=\"bold\"");
  out += svg_rect(x(mean - half), top - 6, x(mean + half) - x(mean - half), height - top + 2, "#e8e8e8");
  out += svg_text(x(mean), 38, "hoofdresultaat " + figure(mean), "middle");
  if (difference) out += svg_line(x(0), top - 6, x(0), height - 4, "stroke=\"#999\" stroke-dasharray=\"2 3\"");
  out += svg_line(x(mean), top - 6, x(mean), height - 4, "stroke=\"#222\" stroke-width=\"2\"");
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const SweepResult& s = *bars[i].sweep;
    const bool rising = bars[i].first <= bars[i].last;
    const SweepPoint &low_point = rising ? s.points.front() : s.points.back(),
                     &high_point = rising ? s.points.back() : s.points.front();
    const double low = std::min(bars[i].first, bars[i].last), high = std::max(bars[i].first, bars[i].last);
    const double y = top + row_h * static_cast<double>(i);
    out += "<g><title>" + escape(s.parameter) + (s.cite.empty() ? " (aanname)" : " (bron: " + escape(s.cite) + ")") +
           "</title>\n" + svg_text(10, y + 12, escape(sweep_label(s)));
    out += s.cite.empty() ? svg_text(10, y + 25, "aanname", "start", "fill=\"#b35c00\" font-weight=\"bold\"")
                          : svg_text(10, y + 25, "bron: " + escape(shorten(s.cite, 44)), "start", "fill=\"#555\"");
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
    q = fmt::format("Hoe verlopen de zaken in {}?", scenario_phrase(r.scenarios[0]));
  } else if (!r.scenarios.empty()) {
    std::vector<std::string> others;
    for (std::size_t s = 1; s < r.scenarios.size(); ++s) others.push_back(scenario_phrase(r.scenarios[s]));
    q = fmt::format("Wat verandert er als {} geldt in plaats van {}?", joined(others, " of "),
                    quoted(r.scenarios[0].name));
  }
  return section("vraag", "Vraag", block("p", q, "class=\"vraag\""));
}

std::string key_sentences(const SimulationResult& r, const std::string& key) {
  auto at = find_kpi(r.scenarios[0].kpis, key);
  if (!at) return block("li", "Geen uitkomst " + quoted(key) + " in de resultaten.");
  const KpiSummary& base = r.scenarios[0].kpis[*at];
  std::string name = "<strong>" + escape(capitalised(label(base))) + "</strong>: ";
  if (r.scenarios.size() == 1) {
    return block("li", name + fmt::format("{} in {} (95\u00A0%-betrouwbaarheidsinterval {} tot {}).",
                                          amount(base.mean, base.unit), quoted(r.scenarios[0].name),
                                          amount(base.mean - base.half_width, base.unit),
                                          amount(base.mean + base.half_width, base.unit)));
  }
  std::string out;
  for (std::size_t s = 1; s < r.scenarios.size(); ++s) {
    const ScenarioResult& other = r.scenarios[s];
    if (*at >= other.kpis.size() || *at >= other.difference.size()) continue;
    out += block("li", name + fmt::format("met {} {}, tegen {} met {} — {}.", quoted(other.name),
                                          amount(other.kpis[*at].mean, base.unit), amount(base.mean, base.unit),
                                          quoted(r.scenarios[0].name), change(other.difference[*at], base.unit)));
  }
  return out;
}

std::string point_words(const KpiSummary& f, const std::string& unit, bool difference) {
  if (!difference) return amount(f.mean, unit);
  return differs(f) ? change_words(f.mean, unit_of(unit, f.mean, true)) : "geen aantoonbaar verschil";
}

std::string sweep_name(const SweepResult& s) {
  return quoted(s.parameter) + (s.cite.empty() ? " " + assumption_tag() : " (bron: " + escape(s.cite) + ")");
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
    parts.push_back("bij " + quoted(p.value) + ": " + point_words(*f, main.reference->unit, difference));
    same = same && sign_of(*f) == expected;
  }
  if (parts.empty()) return "";
  std::string what = "<strong>" + escape(capitalised(label(*main.reference))) + "</strong>: ";
  std::string verdict = !difference     ? "over het bereik"
                        : !same         ? "het verschil hangt af van de aanname"
                        : expected == 0 ? "over het hele bereik geen aantoonbaar verschil"
                                        : "het verschil blijft bestaan over het hele bereik";
  return block("li", what + verdict + " — " + joined(parts, "; ") + ".");
}

std::string sweep_sentences(const SimulationResult& r, const std::vector<std::string>& focus) {
  std::string out;
  for (const auto& s : r.sweeps) {
    std::string items;
    for (const auto& key : focus) items += sweep_sentence(r, s, key);
    if (items.empty()) continue;
    std::string pair = r.scenarios.size() < 2 ? "De uitkomst"
                                              : "Het verschil " + quoted(r.scenarios.back().name) + " tegen " +
                                                    quoted(r.scenarios.front().name);
    out += block("li", pair + " bij elke waarde van " + sweep_name(s) + ":\n" + block("ul", "\n" + items));
  }
  return out.empty() ? "" : block("h3", "Houdt de uitkomst stand?") + block("ul", "\n" + out);
}

std::string key_results_section(const SimulationResult& r, const std::vector<std::string>& focus) {
  if (r.scenarios.empty())
    return section("kernuitkomsten", "Kernuitkomsten", block("p", "Geen scenario’s gesimuleerd."));
  std::string items;
  for (const auto& key : focus) items += key_sentences(r, key);
  std::string body = items.empty() ? block("p", "Geen uitkomsten om samen te vatten.") : block("ul", "\n" + items);
  body += sweep_sentences(r, focus);
  if (!r.warnings.empty()) {
    body +=
        block("p",
              fmt::format("Let op: de kalibratie geeft {} waarschuwing{}; zie <a href=\"#kalibratie\">Kalibratie</a>.",
                          r.warnings.size(), r.warnings.size() == 1 ? "" : "en"),
              "class=\"let-op\"");
  }
  return section("kernuitkomsten", "Kernuitkomsten", body);
}

std::string method_section(const SimulationResult& r) {
  std::string body = block(
      "p", fmt::format("Elk scenario is {} keer gesimuleerd (replicaties), met startgetal (seed) {}. Elke replicatie "
                       "meet de zaken die binnenkomen in een periode van {} dagen, na een opwarmperiode van {} dagen: "
                       "zaken uit de opwarmperiode lopen mee (zodat wachtrijen en werklast realistisch zijn) maar "
                       "tellen niet mee in de cijfers. Aantallen gelden per replicatie, over de hele meetperiode. In "
                       "totaal zijn {} zaken gesimuleerd.",
                       r.replications, r.seed, r.period_days, r.warmup_days,
                       dutch(static_cast<double>(r.cases_simulated), 0)));
  body += block("p",
                "Alle scenario’s gebruiken gemeenschappelijke toevalsgetallen: dezelfde zaak heeft in elk scenario "
                "dezelfde aankomst, gegevens, duur en uitkomsten, zodat een verschil tussen scenario’s door het "
                "scenario komt en niet door toeval. Verschillen zijn gepaard: per replicatie een scenario min het "
                "eerste scenario.");
  body += block("p", std::string("Elk interval is een 95\u00A0%-betrouwbaarheidsinterval over de replicaties, met "
                                 "Student’s t (n − 1 vrijheidsgraden)") +
                         (r.replications < 2 ? "; met één replicatie is er geen interval (± 0)." : "."));
  body += block("p",
                "De simulatie gebruikt dezelfde procesbestanden en dezelfde runtime als de productie, op een virtuele "
                "klok: elke termijn, escalatie en afhandeling loopt zoals in een echte zaak. Alleen de opslag "
                "ontbreekt.");
  std::string rows;
  for (const auto& s : r.scenarios) {
    rows += row({escape(s.name), escape(s.process), s.terms.empty() ? "—" : escape(joined(s.terms, "; "))});
  }
  return section("methode", "Methode", body + table({"Scenario", "Proces", "Gewijzigde termijnen"}, rows));
}

std::string calibration_row(const SimulationResult& r, const CalibrationResult& c) {
  const ScenarioResult* s = scenario_named(r, c.scenario);
  std::optional<std::size_t> at = s != nullptr ? find_kpi(s->kpis, c.key) : std::nullopt;
  std::string unit = at ? s->kpis[*at].unit : "";
  Unit u = unit_of(unit, std::max(std::abs(c.low), std::abs(c.high)), false);
  KpiSummary outcome;
  outcome.mean = c.mean;
  outcome.half_width = c.half_width;
  return row(
      {escape(label(c.dutch, c.name)), escape(c.scenario),
       "<span class=\"nw\">" + dutch(c.low * u.scale, u.decimals) + "–" + dutch(c.high * u.scale, u.decimals) +
           u.short_value + "</span>",
       c.cite.empty() ? assumption_tag() : escape(c.cite), with_interval(outcome, unit, false) + u.short_value,
       c.met ? "<span class=\"gehaald\">✔ gehaald</span>" : "<span class=\"niet-gehaald\">✘ niet gehaald</span>"});
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
    body +=
        block("div", block("h3", "Waarschuwing") + block("ul", "\n" + items), "class=\"waarschuwing\" role=\"alert\"");
  }
  if (r.calibration.empty()) {
    return section("kalibratie", "Kalibratie", body + block("p", "Geen kalibratiedoelen opgegeven."));
  }
  std::string rows;
  for (const auto& c : r.calibration) rows += calibration_row(r, c);
  body += block("p", "Bekende cijfers die het model moet nabootsen: het gemiddelde moet binnen het doel vallen.");
  return section("kalibratie", "Kalibratie",
                 body + table({"Uitkomst", "Scenario", "Doel", "Bron", "Uitkomst in het model", "Oordeel"}, rows));
}

// A paired difference in a table, marked when its interval excludes zero.
std::string difference_cell(const KpiSummary& d, const std::string& unit) {
  return with_interval(d, unit, true) + (differs(d) ? " <span class=\"markering\">*</span>" : "");
}

std::vector<std::string> scenario_header(std::vector<std::string> header, const std::vector<std::string>& names) {
  for (const auto& n : names) header.push_back(escape(n));
  for (std::size_t i = 1; i < names.size(); ++i) {
    header.push_back("Verschil " + escape(names[i]) + " − " + escape(names[0]));
  }
  return header;
}

std::string outcomes_section(const SimulationResult& r) {
  if (r.scenarios.empty()) return section("uitkomsten", "Alle uitkomsten", block("p", "Geen uitkomsten."));
  std::vector<std::string> names;
  for (const auto& s : r.scenarios) names.push_back(s.name);
  std::string rows;
  for (std::size_t k = 0; k < r.scenarios[0].kpis.size(); ++k) {
    const KpiSummary& base = r.scenarios[0].kpis[k];
    std::vector<std::string> cells{escape(label(base)), unit_of(base.unit, 0, false).column};
    for (const auto& s : r.scenarios) {
      cells.push_back(k < s.kpis.size() ? with_interval(s.kpis[k], base.unit, false) : "—");
    }
    for (std::size_t s = 1; s < r.scenarios.size(); ++s) {
      const auto& d = r.scenarios[s].difference;
      cells.push_back(k < d.size() ? difference_cell(d[k], base.unit) : "—");
    }
    rows += row(cells);
  }
  std::string note =
      "* het 95\u00A0%-betrouwbaarheidsinterval van het verschil sluit nul uit: de scenario’s verschillen "
      "in deze uitkomst. Verschillen in aandelen (%) zijn procentpunten.";
  return section("uitkomsten", "Alle uitkomsten",
                 block("p", "Gemiddelde ± halve breedte van het 95\u00A0%-betrouwbaarheidsinterval.") +
                     table(scenario_header({"Uitkomst", "Eenheid"}, names), rows) +
                     (names.size() > 1 ? block("p", note, "class=\"voetnoot\"") : ""));
}

std::string distributions_section(const SimulationResult& r) {
  std::string body;
  for (const auto& s : r.scenarios) {
    if (s.distributions.empty()) continue;
    std::string rows, figures;
    for (const auto& d : s.distributions) {
      Unit u = unit_of(d.unit, 0, false);
      auto v = [&](double x) { return dutch(x, u.decimals); };
      rows += row({escape(label(d.dutch, d.name)), u.column, dutch(static_cast<double>(d.count), 0), v(d.mean),
                   v(d.p50), v(d.p90), v(d.p99), v(d.max)});
      std::string caption = escape(label(d.dutch, d.name)) + " — " + escape(s.name);
      figures += block("figure", histogram(d) + element("figcaption", caption));
    }
    body += block("h3", escape(s.name)) +
            table({"Duur", "Eenheid", "n", "Gemiddelde", "p50", "p90", "p99", "Max"}, rows) +
            block("div", "\n" + figures, "class=\"figuren\"");
  }
  if (body.empty()) body = block("p", "Geen verdelingen in de resultaten.");
  return section(
      "verdelingen", "Verdelingen",
      block("p", "Over alle gemeten zaken van alle replicaties samen; p50, p90 en p99 zijn percentielen.") + body);
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
                                     unit_of(unit, 0, false).column};
      for (const auto& figures : p.kpis) {
        auto at = find_kpi(figures, key);
        cells.push_back(at ? with_interval(figures[*at], unit, false) : "—");
      }
      for (std::size_t sc = 1; sc < p.difference.size() && sc < p.kpis.size(); ++sc) {
        auto at = find_kpi(p.kpis[sc], key);
        cells.push_back(at && *at < p.difference[sc].size() ? difference_cell(p.difference[sc][*at], unit) : "—");
      }
      rows += row(cells, false, key == focus.front() ? value : "");
    }
  }
  return table(scenario_header({"Waarde", "Uitkomst", "Eenheid"}, s.points[0].scenarios), rows);
}

std::string sensitivity_section(const SimulationResult& r, const std::vector<std::string>& focus) {
  if (r.sweeps.empty()) {
    return section("gevoeligheid", "Gevoeligheid", block("p", "Geen gevoeligheidsanalyse in deze simulatie."));
  }
  std::string body = block("p",
                           "Per gevarieerde aanname is elk scenario opnieuw gesimuleerd met alleen die regel anders; "
                           "de verschillen zijn gepaard tegen het eerste scenario.");
  for (const auto& s : r.sweeps) body += block("h3", sweep_name(s)) + sweep_table(r, s, focus);
  std::string charts;
  for (const auto& key : focus) {
    std::string chart = tornado(r, key);
    if (!chart.empty()) charts += block("figure", chart, "class=\"tornado\"");
  }
  if (charts.empty()) return section("gevoeligheid", "Gevoeligheid", body);
  std::string what = r.scenarios.size() > 1 ? "het verschil " + quoted(r.scenarios.back().name) + " − " +
                                                  quoted(r.scenarios.front().name) + " (de stippellijn is nul)"
                                            : std::string("de uitkomst");
  body += block("h3", "Tornadodiagrammen") +
          block("p", "Eén balk per gevarieerde aanname, van " + what +
                         " bij de eerste tot die bij de laatste waarde; de breedste balk bovenaan. De doorgetrokken "
                         "lijn is het hoofdresultaat, het grijze vlak zijn 95\u00A0%-betrouwbaarheidsinterval. Oranje "
                         "balken zijn aannames zonder bron.") +
          charts;
  return section("gevoeligheid", "Gevoeligheid", body);
}

const std::vector<std::string> kCaveats = {
    "De zaken zijn synthetisch: getrokken uit de opgegeven verdelingen, niet uit echte dossiers.",
    "Cijfers zonder bron zijn aannames (zie Aannames); de uitkomsten zijn zo betrouwbaar als die aannames.",
    "Het model kent alleen wat de procesbestanden zeggen: wat daar niet in staat (informeel overleg, ziekte, "
    "prioriteiten van medewerkers, wachtlijsten buiten de keten) zit er niet in.",
    "De betrouwbaarheidsintervallen dekken alleen het toeval tussen replicaties, niet de fout van het model zelf of "
    "van zijn aannames.",
};

const char* kHead = R"(<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
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

const char* kContents = R"(<nav aria-label="Inhoud"><ol>
<li><a href="#vraag">Vraag</a></li><li><a href="#kernuitkomsten">Kernuitkomsten</a></li>
<li><a href="#methode">Methode</a></li><li><a href="#bronnen">Bronnen</a></li><li><a href="#aannames">Aannames</a></li>
<li><a href="#kalibratie">Kalibratie</a></li><li><a href="#uitkomsten">Alle uitkomsten</a></li>
<li><a href="#verdelingen">Verdelingen</a></li><li><a href="#gevoeligheid">Gevoeligheid</a></li>
<li><a href="#kanttekeningen">Kanttekeningen</a></li>
</ol></nav>
)";

}  // namespace

std::string html_report(const SimulationResult& r) {
  const std::vector<std::string> focus = focus_keys(r);
  std::string title = escape(r.title.empty() ? std::string("Simulatie") : r.title);
  std::string out = kHead + block("title", title) + "</head>\n<body>\n";
  out += block("header", block("h1", title) + block("p", "Simulatierapport van termijn")) + kContents + "<main>\n";
  out += question_section(r) + key_results_section(r, focus) + method_section(r);
  out += section("bronnen", "Bronnen", escaped_list(r.sources, "Geen cijfers met een bron."));
  out += section("aannames", "Aannames",
                 block("p", "Cijfers zonder bron en standaardwaarden die de simulator zelf koos:") +
                     escaped_list(r.assumptions, "Geen aannames."));
  out += calibration_section(r) + outcomes_section(r) + distributions_section(r) + sensitivity_section(r, focus);
  out += section("kanttekeningen", "Kanttekeningen", escaped_list(kCaveats, ""));
  return out + "</main>\n</body>\n</html>\n";
}

}  // namespace termijn::simulation
