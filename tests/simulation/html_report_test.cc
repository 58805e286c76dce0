// The analyst's report: Dutch sentences with units and intervals, honest about differences that
// are not there and about conclusions that hang on an assumption; escaped, deterministic, and
// rendered by a real browser (Debian's chromium, skipped where it is not installed).
#include "engine/simulation/html_report.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>

#include "tests/support/chromium.h"
#include "tests/support/run_command.h"

namespace termijn::simulation {
namespace {

namespace fs = std::filesystem;
using termijn::testing::chromium;
using termijn::testing::remove_profile;
using termijn::testing::run_command;

KpiSummary figure(const std::string& key, const std::string& dutch, const std::string& unit, double mean,
                  double half_width) {
  KpiSummary k;
  k.key = key;
  k.name = key + " (English)";
  k.dutch = dutch;
  k.unit = unit;
  k.mean = mean;
  k.half_width = half_width;
  k.values = {mean - half_width / 2, mean + half_width / 2};
  return k;
}

DurationDistribution distribution(double scale) {
  DurationDistribution d;
  d.key = "days uitvoeren";
  d.name = "days under ban";
  d.dutch = "dagen onder huisverbod";
  d.unit = "days";
  d.count = 3650;
  d.mean = 16.27 * scale;
  d.p50 = 10 * scale;
  d.p90 = 28 * scale;
  d.p99 = 28.4 * scale;
  d.max = 29.9 * scale;
  d.bin_edges = {0, 5 * scale, 10 * scale, 15 * scale, 20 * scale, 25 * scale, 30 * scale};
  d.bins = {12, 40, 1800, 300, 90, 1408};
  return d;
}

ScenarioResult scenario(const std::string& name, std::vector<KpiSummary> kpis, std::vector<KpiSummary> difference) {
  ScenarioResult s;
  s.name = name;
  s.process = "landelijk";
  s.kpis = std::move(kpis);
  s.difference = std::move(difference);
  s.distributions = {distribution(name == "10 dagen (wet)" ? 1.0 : 1.3)};
  return s;
}

SweepPoint point(const std::string& value, double extended_difference, double half_width) {
  SweepPoint p;
  p.value = value;
  p.scenarios = {"10 dagen (wet)", "14 dagen (voorstel)"};
  p.kpis = {{figure("moved einde", "aandeel verlengde huisverboden", "share", 0.30, 0.01),
             figure("days uitvoeren", "dagen onder huisverbod", "days", 16.0, 0.1),
             figure("reached opgelegd", "aandeel opgelegde huisverboden", "share", 0.82, 0.004)},
            {figure("moved einde", "aandeel verlengde huisverboden", "share", 0.30 + extended_difference, 0.01),
             figure("days uitvoeren", "dagen onder huisverbod", "days", 21.0, 0.1),
             figure("reached opgelegd", "aandeel opgelegde huisverboden", "share", 0.82, 0.004)}};
  p.difference = {{},
                  {figure("moved einde", "aandeel verlengde huisverboden", "share", extended_difference, half_width),
                   figure("days uitvoeren", "dagen onder huisverbod", "days", 5.0, 0.2),
                   figure("reached opgelegd", "aandeel opgelegde huisverboden", "share", 0.0, 0.001)}};
  return p;
}

// Two scenarios as the 10-versus-14-days comparison gives them, with one calibration target met
// and one not, a warning, and a sweep whose difference in extensions flips sign.
SimulationResult ten_vs_fourteen() {
  SimulationResult r;
  r.title = "Landelijk: eerste termijn 10 of 14 dagen";
  r.seed = 20261128;
  r.replications = 10;
  r.period_days = 365;
  r.warmup_days = 30;
  r.cases_simulated = 73000;
  r.scenarios = {
      scenario("10 dagen (wet)",
               {figure("moved einde", "aandeel verlengde huisverboden", "share", 0.2857, 0.0031),
                figure("days uitvoeren", "dagen onder huisverbod", "days", 16.27, 0.076),
                figure("reached opgelegd", "aandeel opgelegde huisverboden", "share", 0.82, 0.004),
                figure("late zorgadvies", "zorgadvies na de termijn", "count", 602, 9.82)},
               {}),
      scenario("14 dagen (voorstel)",
               {figure("moved einde", "aandeel verlengde huisverboden", "share", 0.4422, 0.0041),
                figure("days uitvoeren", "dagen onder huisverbod", "days", 22.9, 0.07),
                figure("reached opgelegd", "aandeel opgelegde huisverboden", "share", 0.8203, 0.004),
                figure("late zorgadvies", "zorgadvies na de termijn", "count", 0, 0)},
               {figure("moved einde", "aandeel verlengde huisverboden", "share", 0.1565, 0.0035),
                figure("days uitvoeren", "dagen onder huisverbod", "days", 6.63, 0.06),
                figure("reached opgelegd", "aandeel opgelegde huisverboden", "share", 0.0003, 0.0009),
                figure("late zorgadvies", "zorgadvies na de termijn", "count", -602, 9.82)}),
  };
  r.scenarios[0].terms = {};
  r.scenarios[1].terms = {"Wth.eerste_termijn = 14 days"};
  r.focus = {"moved einde", "days uitvoeren", "reached opgelegd"};
  r.sources = {"duration rihg: rapport 2024, 6 h 37 min"};
  r.assumptions = {"duration: zorgadvies (no source given)", "outcome: besluit_verlenging.besluit (no source given)"};

  CalibrationResult met;
  met.key = "reached opgelegd";
  met.name = "bans imposed";
  met.dutch = "aandeel opgelegde huisverboden";
  met.scenario = "10 dagen (wet)";
  met.low = 0.80;
  met.high = 1.0;
  met.cite = "rapport 2024 [4.1]";
  met.mean = 0.82;
  met.half_width = 0.004;
  met.met = true;
  CalibrationResult missed = met;
  missed.key = "moved einde";
  missed.dutch = "aandeel verlengde huisverboden";
  missed.low = 0.45;
  missed.high = 0.60;
  missed.cite = "";
  missed.mean = 0.2857;
  missed.met = false;
  r.calibration = {met, missed};

  CalibrationWarning warning;
  warning.scenario = "10 dagen (wet)";
  warning.text = "besluit_verlenging: configured 55 % verlengen, realised 31 %";
  warning.dutch = "besluit_verlenging: ingesteld 55 % verlengen, gerealiseerd 31 %";
  r.warnings = {warning};

  SweepResult sweep;
  sweep.parameter = "duration zorgadvies = triangular {3 days, 5 days, 11 days}, 4 days, 12 days";
  sweep.points = {point("3 days", 0.12, 0.01), point("5 days", 0.02, 0.03), point("11 days", -0.05, 0.01)};
  r.sweeps = {sweep};
  return r;
}

bool has(const std::string& html, const std::string& text) { return html.find(text) != std::string::npos; }

std::size_t count(const std::string& html, const std::string& text) {
  std::size_t n = 0;
  for (std::size_t at = html.find(text); at != std::string::npos; at = html.find(text, at + 1)) ++n;
  return n;
}

TEST(HtmlReport, SaysTheMainDifferenceInWordsWithUnitsAndInterval) {
  std::string html = html_report(ten_vs_fourteen());
  EXPECT_TRUE(
      has(html,
          "<strong>Aandeel verlengde huisverboden</strong>: met ‘14 dagen (voorstel)’ 44\u00A0%, tegen 29\u00A0% "
          "met ‘10 dagen (wet)’ — 16\u00A0procentpunt meer (95\u00A0%-betrouwbaarheidsinterval 15 tot 16)."))
      << html;
  EXPECT_TRUE(has(html, "6,6 dagen meer (95\u00A0%-betrouwbaarheidsinterval 6,6 tot 6,7)"))
      << "days with a decimal comma";
  EXPECT_TRUE(has(html, "met ‘14 dagen (voorstel)’ 22,9 dagen, tegen 16,3 dagen"));
}

TEST(HtmlReport, SaysThereIsNoDemonstrableDifferenceWhenTheIntervalIncludesZero) {
  std::string html = html_report(ten_vs_fourteen());
  EXPECT_TRUE(
      has(html,
          "<strong>Aandeel opgelegde huisverboden</strong>: met ‘14 dagen (voorstel)’ 82\u00A0%, tegen 82\u00A0% met "
          "‘10 dagen (wet)’ — geen aantoonbaar verschil: het 95\u00A0%-betrouwbaarheidsinterval van het "
          "verschil loopt van 0,1\u00A0procentpunt minder tot 0,1\u00A0procentpunt meer en omvat nul."))
      << html;
  SimulationResult same = ten_vs_fourteen();
  same.scenarios[1].difference[2].mean = 0;
  same.scenarios[1].difference[2].half_width = 0;
  EXPECT_TRUE(has(html_report(same), "— geen aantoonbaar verschil: in elke replicatie precies gelijk."));
}

TEST(HtmlReport, SaysAConclusionHangsOnAnAssumptionWhenASweepFlipsItsSign) {
  std::string html = html_report(ten_vs_fourteen());
  EXPECT_TRUE(has(html,
                  "Het verschil ‘14 dagen (voorstel)’ tegen ‘10 dagen (wet)’ bij elke waarde van ‘duration "
                  "zorgadvies = triangular {3 days, 5 days, 11 days}, 4 days, 12 days’ <span class=\"aanname\">"
                  "aanname</span>:"))
      << html;
  EXPECT_TRUE(has(html,
                  "<li><strong>Aandeel verlengde huisverboden</strong>: het verschil hangt af van de aanname — "
                  "bij ‘3 days’: 12\u00A0procentpunt meer; bij ‘5 days’: geen aantoonbaar verschil; bij ‘11 days’: "
                  "5,0\u00A0procentpunt minder.</li>"));
  EXPECT_TRUE(has(html,
                  "<li><strong>Dagen onder huisverbod</strong>: het verschil blijft bestaan over het hele bereik "
                  "— bij ‘3 days’: 5,0 dagen meer;"))
      << "the days difference keeps its sign at every point";
  EXPECT_TRUE(has(html,
                  "<li><strong>Aandeel opgelegde huisverboden</strong>: over het hele bereik geen aantoonbaar "
                  "verschil — "))
      << "no difference in imposed bans at the main result, nor at any point";
}

TEST(HtmlReport, SaysAConclusionSurvivesWhenEveryPointKeepsItsSign) {
  SimulationResult r = ten_vs_fourteen();
  r.sweeps[0].cite = "rapport 2024 [4.3.4]";
  r.sweeps[0].points = {point("3 days", 0.12, 0.01), point("5 days", 0.15, 0.01), point("11 days", 0.2, 0.01)};
  std::string html = html_report(r);
  EXPECT_TRUE(has(
      html,
      "<li><strong>Aandeel verlengde huisverboden</strong>: het verschil blijft bestaan over het "
      "hele bereik — bij ‘3 days’: 12\u00A0procentpunt meer; bij ‘5 days’: 15\u00A0procentpunt meer; bij ‘11 days’: "
      "20\u00A0procentpunt meer.</li>"))
      << html;
  EXPECT_TRUE(has(html, "(bron: rapport 2024 [4.3.4])"));
  EXPECT_FALSE(has(html, "hangt af van de aanname"));
}

TEST(HtmlReport, FormatsPercentagesCountsAndThousandsTheDutchWay) {
  SimulationResult r = ten_vs_fourteen();
  std::string html = html_report(r);
  EXPECT_TRUE(has(html,
                  "<td>28,6\u00A0±\u00A00,3</td><td>44,2\u00A0±\u00A00,4</td><td>+15,7\u00A0±\u00A00,4 <span "
                  "class=\"markering\">*</span></td>"))
      << "shares as percentages with one decimal in the table, the difference marked";
  EXPECT_TRUE(has(html,
                  "<td>602\u00A0±\u00A010</td><td>0,0\u00A0±\u00A00,0</td><td>−602\u00A0±\u00A010 <span "
                  "class=\"markering\">*</span></td>"))
      << "counts whole, a real minus sign";
  EXPECT_TRUE(has(html, "<td>+0,0\u00A0±\u00A00,1</td>") || has(html, "<td>0,0\u00A0±\u00A00,1</td>"))
      << "no marker when zero is inside";
  EXPECT_TRUE(has(html, "In totaal zijn 73.000 zaken gesimuleerd.")) << "a point between thousands";
}

TEST(HtmlReport, DescribesTheMethod) {
  std::string html = html_report(ten_vs_fourteen());
  for (const char* text : {"10 keer gesimuleerd", "startgetal (seed) 20261128", "periode van 365 dagen",
                           "opwarmperiode van 30 dagen", "gemeenschappelijke toevalsgetallen", "Student’s t",
                           "dezelfde procesbestanden en dezelfde runtime", "Wth.eerste_termijn = 14 days"}) {
    EXPECT_TRUE(has(html, text)) << text;
  }
}

TEST(HtmlReport, ListsEverySourceAndAssumption) {
  SimulationResult r = ten_vs_fourteen();
  std::string html = html_report(r);
  for (const auto& text : r.sources) EXPECT_TRUE(has(html, "<li>" + text + "</li>")) << text;
  for (const auto& text : r.assumptions) EXPECT_TRUE(has(html, "<li>" + text + "</li>")) << text;
}

TEST(HtmlReport, ShowsCalibrationMetAndNotMetAndALoudWarning) {
  std::string html = html_report(ten_vs_fourteen());
  EXPECT_TRUE(has(
      html,
      "<td>aandeel opgelegde huisverboden</td><td>10 dagen (wet)</td><td><span "
      "class=\"nw\">80,0–100,0\u00A0%</span></td>"
      "<td>rapport 2024 [4.1]</td><td>82,0\u00A0±\u00A00,4\u00A0%</td><td><span class=\"gehaald\">✔ gehaald</span>"))
      << html;
  EXPECT_TRUE(has(html,
                  "<td><span class=\"nw\">45,0–60,0\u00A0%</span></td><td><span "
                  "class=\"aanname\">aanname</span></td><td>28,6\u00A0±\u00A00,4\u00A0%</td>"
                  "<td><span class=\"niet-gehaald\">✘ niet gehaald</span>"));
  EXPECT_TRUE(has(html, "<div class=\"waarschuwing\" role=\"alert\">"));
  EXPECT_TRUE(has(html, "ingesteld 55 % verlengen, gerealiseerd 31 %"));
  EXPECT_TRUE(has(html, "de kalibratie geeft 1 waarschuwing;")) << "the headline points to it";
}

TEST(HtmlReport, ShowsEveryDistributionWithPercentilesAndAHistogram) {
  std::string html = html_report(ten_vs_fourteen());
  EXPECT_TRUE(has(html,
                  "<td>dagen onder huisverbod</td><td>dagen</td><td>3.650</td><td>16,3</td><td>10,0</td>"
                  "<td>28,0</td><td>28,4</td><td>29,9</td>"))
      << html;
  EXPECT_EQ(count(html, "aria-label=\"Histogram: dagen onder huisverbod\""), 2u) << "one per scenario";
}

TEST(HtmlReport, DrawsATornadoChartPerFocusKpi) {
  std::string html = html_report(ten_vs_fourteen());
  EXPECT_EQ(count(html, "<figure class=\"tornado\">"), 3u);
  EXPECT_TRUE(has(html, "aria-label=\"Tornado: aandeel verlengde huisverboden\""));
  EXPECT_TRUE(has(html, "+12\u00A0pp · 3 days")) << "the ends are labelled";
  EXPECT_TRUE(has(html, "−5\u00A0pp · 11 days"));
  EXPECT_TRUE(has(html, "hoofdresultaat +16\u00A0pp"));
  EXPECT_TRUE(has(html, ">duration zorgadvies: 3 days tot 11 days</text>")) << "what the sweep varies, short";
  EXPECT_TRUE(has(html, "<title>duration zorgadvies = triangular {3 days, 5 days, 11 days}, 4 days, 12 days (aanname)"))
      << "the whole line as a tooltip";
}

TEST(HtmlReport, ShowsEverySweepPointInATable) {
  std::string html = html_report(ten_vs_fourteen());
  EXPECT_TRUE(has(html,
                  "<tr><td rowspan=\"3\">11 days</td><td>aandeel verlengde huisverboden</td><td>%</td>"
                  "<td>30,0\u00A0±\u00A01,0</td>"
                  "<td>25,0\u00A0±\u00A01,0</td><td>−5,0\u00A0±\u00A01,0 <span class=\"markering\">*</span></td></tr>"))
      << html;
}

TEST(HtmlReport, DerivesTheQuestionFromTheScenariosWhenNoneIsGiven) {
  SimulationResult r = ten_vs_fourteen();
  EXPECT_TRUE(has(html_report(r),
                  "Wat verandert er als ‘14 dagen (voorstel)’ (Wth.eerste_termijn = 14 days) geldt in "
                  "plaats van ‘10 dagen (wet)’?"));
  r.question = "Wat als de eerste termijn 14 dagen is?";
  EXPECT_TRUE(has(html_report(r), "<p class=\"vraag\">Wat als de eerste termijn 14 dagen is?</p>"));
}

TEST(HtmlReport, EscapesEveryTextFromTheSimulationFile) {
  SimulationResult r = ten_vs_fourteen();
  r.title = "<script>alert('x')</script> & \"co\"";
  r.scenarios[1].name = "<b>14</b>";
  r.assumptions.push_back("<img src=x onerror=alert(1)>");
  r.warnings[0].dutch = "<script>";
  r.sweeps[0].parameter = "a < b";
  std::string html = html_report(r);
  EXPECT_FALSE(has(html, "<script")) << html;
  EXPECT_FALSE(has(html, "<b>14</b>"));
  EXPECT_FALSE(has(html, "<img"));
  EXPECT_TRUE(has(html, "<h1>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;</h1>"));
  EXPECT_TRUE(has(html, "‘a &lt; b’"));
}

TEST(HtmlReport, IsASelfContainedDutchDocument) {
  std::string html = html_report(ten_vs_fourteen());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">", 0), 0u);
  EXPECT_FALSE(has(html, "<script"));
  EXPECT_FALSE(has(html, "src="));
  EXPECT_FALSE(has(html, "<link"));
  EXPECT_EQ(count(html, "http"), count(html, "xmlns=\"http://www.w3.org/2000/svg\"")) << "no external resources";
  for (const char* heading : {"Vraag", "Kernuitkomsten", "Methode", "Bronnen", "Aannames", "Kalibratie",
                              "Alle uitkomsten", "Verdelingen", "Gevoeligheid", "Kanttekeningen"}) {
    EXPECT_TRUE(has(html, fmt::format("<h2>{}</h2>", heading))) << heading;
  }
  EXPECT_TRUE(has(html, "niet de fout van het model")) << "the caveats are honest";
}

TEST(HtmlReport, IsByteIdenticalForTheSameInput) {
  SimulationResult r = ten_vs_fourteen();
  std::string first = html_report(r);
  r.seconds = 99;  // wall time is not part of the report
  EXPECT_EQ(first, html_report(r));
}

TEST(HtmlReport, PrintsNoNanOrInfinity) {
  SimulationResult r = ten_vs_fourteen();
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  r.scenarios[1].kpis[0].mean = nan;
  r.scenarios[1].difference[0].mean = inf;
  r.scenarios[1].difference[1].half_width = nan;
  r.scenarios[0].distributions[0].p90 = -inf;
  r.scenarios[0].distributions[0].bin_edges.back() = nan;
  r.sweeps[0].points[2].difference[1][0].mean = nan;
  r.calibration[0].mean = inf;
  std::string html = html_report(r);
  EXPECT_FALSE(std::regex_search(html, std::regex("[^a-z](nan|inf)[^a-z]", std::regex::icase))) << html;
  EXPECT_TRUE(has(html, "–"));
}

TEST(HtmlReport, CopesWithOneScenarioAndNoExtras) {
  SimulationResult r;
  r.title = "Eén scenario";
  r.replications = 1;
  r.scenarios = {scenario("landelijk", {figure("moved einde", "", "share", 0.3, 0)}, {})};
  std::string html = html_report(r);
  EXPECT_TRUE(has(html, "Hoe verlopen de zaken in ‘landelijk’?"));
  EXPECT_TRUE(has(html, "<strong>Moved einde (English)</strong>: 30\u00A0% in ‘landelijk’"))
      << "the English name stands in";
  EXPECT_TRUE(has(html, "met één replicatie is er geen interval"));
  EXPECT_FALSE(has(html, "waarschuwing\" role"));
  EXPECT_EQ(html_report(SimulationResult{}).find("<h2>Kanttekeningen</h2>") != std::string::npos, true);
}

// ---------------------------------------------------------------------------------------------
// In a real browser


TEST(HtmlReport, ChromiumRendersTheSectionsAndCharts) {
  std::string browser = chromium();
  if (browser.empty()) GTEST_SKIP() << "Debian's chromium is not installed (tools/install-deps.sh --test installs it)";
  fs::path dir = fs::temp_directory_path() / fmt::format("termijn-{}-html-report", getpid());
  remove_profile(dir.string());
  fs::create_directories(dir);
  fs::path page = dir / "rapport.html", png = dir / "rapport.png";
  std::ofstream(page, std::ios::binary) << html_report(ten_vs_fourteen());
  auto chrome = [&](const std::string& args) {
    return run_command(
        fmt::format("'{}' --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir='{}' {} "
                    "'file://{}' 2>/dev/null",
                    browser, (dir / "profile").string(), args, page.string()));
  };
  std::string dom = chrome("--dump-dom");
  ASSERT_FALSE(dom.empty()) << "chromium printed nothing";
  for (const char* heading :
       {"Kernuitkomsten", "Methode", "Kalibratie", "Verdelingen", "Gevoeligheid", "Kanttekeningen"}) {
    EXPECT_TRUE(has(dom, fmt::format("<h2>{}</h2>", heading))) << heading;
  }
  EXPECT_EQ(count(dom, "<svg"), 5u) << "two histograms and three tornado charts";
  EXPECT_TRUE(has(dom, "role=\"alert\""));
  EXPECT_TRUE(has(dom, "met ‘14 dagen (voorstel)’ 44&nbsp;%")) << "the text arrives as UTF-8";

  chrome(fmt::format("--screenshot='{}' --window-size=1200,3000 --hide-scrollbars", png.string()));
  std::ifstream in(png, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 24u) << "no screenshot at " << png;
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  EXPECT_GT(bytes.size(), 50'000u) << "a page with tables and charts, not an empty canvas";
  if (std::getenv("TERMIJN_KEEP_REPORT") == nullptr) remove_profile(dir.string());
}

}  // namespace
}  // namespace termijn::simulation
