#include "engine/simulation/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace termijn::simulation {

namespace {

std::string number(double v) {
  if (v != 0 && std::abs(v) < 0.1) return fmt::format("{:.4f}", v);
  return std::abs(v) < 100 ? fmt::format("{:.2f}", v) : fmt::format("{:.0f}", v);
}

std::string with_interval(const KpiSummary& k) { return fmt::format("{} ± {}", number(k.mean), number(k.half_width)); }

// A difference whose interval excludes zero is marked: the scenarios differ in this figure.
std::string difference(const KpiSummary& k) {
  bool differs = k.mean - k.half_width > 0 || k.mean + k.half_width < 0;
  return fmt::format("{}{} ± {}{}", k.mean > 0 ? "+" : "", number(k.mean), number(k.half_width), differs ? " *" : "");
}

std::string escape_xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string table(const SimulationResult& r) {
  std::string out = fmt::format("{}\n{} replications, seed {}, {} days measured after {} days of warm-up; "
                                "95 % confidence intervals\n\n",
                                r.title, r.replications, r.seed, r.period_days, r.warmup_days);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header{"KPI"};
  for (std::size_t s = 0; s < r.scenarios.size(); ++s) {
    header.push_back(r.scenarios[s].name);
    if (s > 0) header.push_back(fmt::format("Δ vs {}", r.scenarios[0].name));
  }
  rows.push_back(header);
  for (std::size_t k = 0; k < r.scenarios[0].kpis.size(); ++k) {
    std::vector<std::string> row{r.scenarios[0].kpis[k].name};
    for (std::size_t s = 0; s < r.scenarios.size(); ++s) {
      row.push_back(with_interval(r.scenarios[s].kpis[k]));
      if (s > 0) row.push_back(difference(r.scenarios[s].difference[k]));
    }
    rows.push_back(row);
  }
  std::vector<std::size_t> width(header.size(), 0);
  auto length = [](const std::string& s) {  // code points, for the Δ and ±
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
  };
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], length(row[c]));
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t c = 0; c < rows[i].size(); ++c) {
      std::string pad(width[c] - length(rows[i][c]), ' ');
      out += c == 0 ? rows[i][c] + pad : "  " + pad + rows[i][c];
    }
    out += "\n";
    if (i == 0) {
      std::size_t total = 0;
      for (std::size_t w : width) total += w + 2;
      out += std::string(total - 2, '-') + "\n";
    }
  }
  if (r.scenarios.size() > 1) out += "\n* the interval of the difference excludes zero\n";
  for (const auto& s : r.scenarios) {
    if (!s.terms.empty()) out += fmt::format("{}: {} with {}\n", s.name, s.process, fmt::join(s.terms, ", "));
  }
  for (const auto& s : r.scenarios) {
    if (s.distributions.empty()) continue;
    out += fmt::format("\nDistributions, {} (pooled over the replications): n, mean, p50, p90, p99, max\n", s.name);
    for (const auto& d : s.distributions) {
      out += fmt::format("  {}: {}, {}, {}, {}, {}, {}\n", d.name, d.count, number(d.mean), number(d.p50), number(d.p90),
                         number(d.p99), number(d.max));
    }
  }
  if (!r.calibration.empty()) {
    out += "\nCalibration targets:\n";
    for (const auto& c : r.calibration) {
      out += fmt::format("  {} {} ({}): {} in {}..{}? {} [{}]\n", c.met ? "met    " : "NOT MET", c.name, c.scenario,
                         fmt::format("{} ± {}", number(c.mean), number(c.half_width)), number(c.low), number(c.high),
                         c.met ? "yes" : "no", c.cite.empty() ? "assumption" : c.cite);
    }
  }
  if (!r.warnings.empty()) {
    out += "\nWARNING: configured and realised shares diverge:\n";
    for (const auto& w : r.warnings) out += "  ! " + w.text + "\n";
  }
  for (const auto& sweep : r.sweeps) {
    out += fmt::format("\nSweep: {}{}\n", sweep.parameter, sweep.cite.empty() ? " (assumption)" : " [" + sweep.cite + "]");
    for (const auto& point : sweep.points) {
      for (std::size_t s = 0; s < point.scenarios.size(); ++s) {
        for (std::size_t k = 0; k < point.kpis[s].size(); ++k) {
          out += fmt::format("  {:<12} {:<28} {}: {}", point.value, point.scenarios[s], point.kpis[s][k].key,
                             with_interval(point.kpis[s][k]));
          if (s > 0) out += fmt::format("  (Δ {})", difference(point.difference[s][k]));
          out += "\n";
        }
      }
    }
  }
  if (!r.assumptions.empty()) {
    out += "\nAssumptions (figures without a source, and defaults):\n";
    for (const auto& a : r.assumptions) out += "  - " + a + "\n";
  }
  return out;
}

std::string csv(const SimulationResult& r) {
  std::string out = "kpi,key,unit,scenario,mean,ci95_low,ci95_high,difference_vs_first,difference_ci95_low,difference_ci95_high\n";
  auto quote = [](const std::string& s) {
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  for (std::size_t s = 0; s < r.scenarios.size(); ++s) {
    for (std::size_t k = 0; k < r.scenarios[s].kpis.size(); ++k) {
      const KpiSummary& v = r.scenarios[s].kpis[k];
      out += fmt::format("{},{},{},{},{:.6f},{:.6f},{:.6f}", quote(v.name), quote(v.key), v.unit, quote(r.scenarios[s].name), v.mean,
                         v.mean - v.half_width, v.mean + v.half_width);
      if (s > 0) {
        const KpiSummary& dv = r.scenarios[s].difference[k];
        out += fmt::format(",{:.6f},{:.6f},{:.6f}", dv.mean, dv.mean - dv.half_width, dv.mean + dv.half_width);
      } else {
        out += ",,,";
      }
      out += "\n";
    }
  }
  return out;
}

Json to_json(const SimulationResult& r) {
  auto round6 = [](double v) { return std::round(v * 1e6) / 1e6; };
  auto summary = [&](const KpiSummary& k) {
    Json values = Json::array();
    for (double v : k.values) values.push_back(round6(v));
    return Json{{"name", k.name}, {"unit", k.unit}, {"mean", round6(k.mean)}, {"ci95", round6(k.half_width)},
                {"replications", values}};
  };
  Json scenarios = Json::array();
  for (const auto& s : r.scenarios) {
    Json kpis = Json::object(), diff = Json::object();
    for (const auto& k : s.kpis) kpis[k.key] = summary(k);
    for (const auto& k : s.difference) diff[k.key] = summary(k);
    Json distributions = Json::object();
    for (const auto& d : s.distributions) {
      distributions[d.key] = Json{{"unit", d.unit}, {"n", d.count}, {"mean", round6(d.mean)}, {"p50", round6(d.p50)},
                                  {"p90", round6(d.p90)}, {"p99", round6(d.p99)}, {"max", round6(d.max)}};
    }
    Json one{{"name", s.name}, {"process", s.process}, {"terms", s.terms}, {"kpis", kpis}, {"distributions", distributions}};
    if (!s.difference.empty()) one["difference_vs_first"] = diff;
    scenarios.push_back(one);
  }
  Json calibration = Json::array(), warnings = Json::array(), sweeps = Json::array();
  for (const auto& c : r.calibration) {
    calibration.push_back(Json{{"kpi", c.key}, {"scenario", c.scenario}, {"low", c.low}, {"high", c.high}, {"cite", c.cite},
                               {"mean", round6(c.mean)}, {"ci95", round6(c.half_width)}, {"met", c.met}});
  }
  for (const auto& w : r.warnings) warnings.push_back(w.text);
  for (const auto& sweep : r.sweeps) {
    Json points = Json::array();
    for (const auto& point : sweep.points) {
      Json scenarios_at = Json::array();
      for (std::size_t s = 0; s < point.scenarios.size(); ++s) {
        Json kpis = Json::object();
        for (std::size_t k = 0; k < point.kpis[s].size(); ++k) {
          kpis[point.kpis[s][k].key] = summary(point.kpis[s][k]);
          if (s > 0) kpis[point.kpis[s][k].key]["difference_vs_first"] = summary(point.difference[s][k]);
        }
        scenarios_at.push_back(Json{{"scenario", point.scenarios[s]}, {"kpis", kpis}});
      }
      points.push_back(Json{{"value", point.value}, {"scenarios", scenarios_at}});
    }
    sweeps.push_back(Json{{"parameter", sweep.parameter}, {"cite", sweep.cite}, {"points", points}});
  }
  return Json{{"title", r.title},           {"question", r.question},
              {"seed", r.seed},             {"replications", r.replications},
              {"period_days", r.period_days}, {"warmup_days", r.warmup_days},
              {"cases_simulated", r.cases_simulated}, {"focus", r.focus},
              {"scenarios", scenarios},     {"calibration", calibration},
              {"warnings", warnings},       {"sweeps", sweeps},
              {"sources", r.sources},       {"assumptions", r.assumptions}};
}

// One row per KPI: a bar per scenario, scaled to that KPI's largest value, with its interval.
std::string svg(const SimulationResult& r) {
  static const char* kColours[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1"};
  const std::size_t kpis = r.scenarios[0].kpis.size();
  const std::size_t n = r.scenarios.size();
  const int label_w = 330, bar_w = 420, bar_h = 12, row_gap = 10, top = 60;
  const int row_h = static_cast<int>(n) * (bar_h + 2) + row_gap;
  const int height = top + static_cast<int>(kpis) * row_h + 20;
  const int width = label_w + bar_w + 170;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"11\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
      width, height, escape_xml(r.title));
  for (std::size_t s = 0; s < n; ++s) {
    int x = 10 + static_cast<int>(s) * 200;
    out += fmt::format("<rect x=\"{}\" y=\"32\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"42\">{}</text>\n",
                       x, kColours[s % 6], x + 16, escape_xml(r.scenarios[s].name));
  }
  for (std::size_t k = 0; k < kpis; ++k) {
    double max = 0;
    for (const auto& s : r.scenarios) max = std::max(max, s.kpis[k].mean + s.kpis[k].half_width);
    int y = top + static_cast<int>(k) * row_h;
    out += fmt::format("<text x=\"10\" y=\"{}\">{}</text>\n", y + bar_h, escape_xml(r.scenarios[0].kpis[k].name));
    for (std::size_t s = 0; s < n; ++s) {
      const KpiSummary& v = r.scenarios[s].kpis[k];
      auto scale = [&](double x) { return max > 0 ? x / max * bar_w : 0.0; };
      int by = y + static_cast<int>(s) * (bar_h + 2);
      out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"/>\n", label_w, by,
                         scale(v.mean), bar_h, kColours[s % 6]);
      double lo = label_w + scale(std::max(0.0, v.mean - v.half_width)), hi = label_w + scale(v.mean + v.half_width);
      out += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{}\" y2=\"{}\" stroke=\"black\"/>\n", lo, hi,
                         by + bar_h / 2, by + bar_h / 2);
      out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", label_w + bar_w + 8, by + bar_h - 2,
                         escape_xml(with_interval(v)));
    }
  }
  out += "</svg>\n";
  return out;
}

}  // namespace termijn::simulation
