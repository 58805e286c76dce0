// The analyst's report: sentences with units and intervals, honest about differences that are not
// there and about conclusions that hang on an assumption; escaped, deterministic, and rendered by a
// real browser (Debian's chromium, skipped where it is not installed). In Dutch when the language
// is Dutch (the tests written against the Dutch text set it), in English otherwise.
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
#include <utility>

#include "tests/simulation/simulation_support.h"
#include "tests/support/chromium.h"
#include "tests/support/in_language.h"
#include "tests/support/run_command.h"

namespace termijn::simulation {
namespace {

namespace fs = std::filesystem;
using termijn::testing::chromium;
using termijn::testing::InLanguage;
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

// The report as a Dutch analyst reads it (LANG=nl): these tests hold the Dutch text to its words.
class HtmlReport : public ::testing::Test {
  InLanguage dutch_{Language::kDutch};
};

TEST_F(HtmlReport, SaysTheMainDifferenceInWordsWithUnitsAndInterval) {
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

TEST_F(HtmlReport, SaysThereIsNoDemonstrableDifferenceWhenTheIntervalIncludesZero) {
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

TEST_F(HtmlReport, SaysAConclusionHangsOnAnAssumptionWhenASweepFlipsItsSign) {
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

TEST_F(HtmlReport, SaysAConclusionSurvivesWhenEveryPointKeepsItsSign) {
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

TEST_F(HtmlReport, FormatsPercentagesCountsAndThousandsTheDutchWay) {
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

TEST_F(HtmlReport, DescribesTheMethod) {
  std::string html = html_report(ten_vs_fourteen());
  for (const char* text : {"10 keer gesimuleerd", "startgetal (seed) 20261128", "periode van 365 dagen",
                           "opwarmperiode van 30 dagen", "gemeenschappelijke toevalsgetallen", "Student’s t",
                           "dezelfde procesbestanden en dezelfde runtime", "Wth.eerste_termijn = 14 days"}) {
    EXPECT_TRUE(has(html, text)) << text;
  }
}

TEST_F(HtmlReport, ListsEverySourceAndAssumption) {
  SimulationResult r = ten_vs_fourteen();
  std::string html = html_report(r);
  for (const auto& text : r.sources) EXPECT_TRUE(has(html, "<li>" + text + "</li>")) << text;
  for (const auto& text : r.assumptions) EXPECT_TRUE(has(html, "<li>" + text + "</li>")) << text;
}

TEST_F(HtmlReport, ShowsCalibrationMetAndNotMetAndALoudWarning) {
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

TEST_F(HtmlReport, ShowsEveryDistributionWithPercentilesAndAHistogram) {
  std::string html = html_report(ten_vs_fourteen());
  EXPECT_TRUE(has(html,
                  "<td>dagen onder huisverbod</td><td>dagen</td><td>3.650</td><td>16,3</td><td>10,0</td>"
                  "<td>28,0</td><td>28,4</td><td>29,9</td>"))
      << html;
  EXPECT_EQ(count(html, "aria-label=\"Histogram: dagen onder huisverbod\""), 2u) << "one per scenario";
}

TEST_F(HtmlReport, DrawsATornadoChartPerFocusKpi) {
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

TEST_F(HtmlReport, ShowsEverySweepPointInATable) {
  std::string html = html_report(ten_vs_fourteen());
  EXPECT_TRUE(has(html,
                  "<tr><td rowspan=\"3\">11 days</td><td>aandeel verlengde huisverboden</td><td>%</td>"
                  "<td>30,0\u00A0±\u00A01,0</td>"
                  "<td>25,0\u00A0±\u00A01,0</td><td>−5,0\u00A0±\u00A01,0 <span class=\"markering\">*</span></td></tr>"))
      << html;
}

TEST_F(HtmlReport, DerivesTheQuestionFromTheScenariosWhenNoneIsGiven) {
  SimulationResult r = ten_vs_fourteen();
  EXPECT_TRUE(has(html_report(r),
                  "Wat verandert er als ‘14 dagen (voorstel)’ (Wth.eerste_termijn = 14 days) geldt in "
                  "plaats van ‘10 dagen (wet)’?"));
  r.question = "Wat als de eerste termijn 14 dagen is?";
  EXPECT_TRUE(has(html_report(r), "<p class=\"vraag\">Wat als de eerste termijn 14 dagen is?</p>"));
}

TEST_F(HtmlReport, EscapesEveryTextFromTheSimulationFile) {
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

TEST_F(HtmlReport, IsASelfContainedDutchDocument) {
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

TEST_F(HtmlReport, IsByteIdenticalForTheSameInput) {
  SimulationResult r = ten_vs_fourteen();
  std::string first = html_report(r);
  r.seconds = 99;  // wall time is not part of the report
  EXPECT_EQ(first, html_report(r));
}

TEST_F(HtmlReport, PrintsNoNanOrInfinity) {
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

TEST_F(HtmlReport, CopesWithOneScenarioAndNoExtras) {
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
// In English, the language of anyone whose environment does not ask for Dutch

TEST(HtmlReportInEnglish, IsAnEnglishDocumentByDefault) {
  std::string html = html_report(ten_vs_fourteen());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">", 0), 0u);
  EXPECT_TRUE(has(html, "<nav aria-label=\"Contents\"><ol>\n<li><a href=\"#vraag\">Question</a></li>"))
      << "the anchors stay the same in both languages";
  for (const char* heading : {"Question", "Key outcomes", "Method", "Sources", "Assumptions", "Calibration",
                              "All outcomes", "Distributions", "Sensitivity", "Caveats"}) {
    EXPECT_TRUE(has(html, fmt::format("<h2>{}</h2>", heading))) << heading;
  }
  for (const char* dutch : {"Kernuitkomsten", "procentpunt", "betrouwbaarheidsinterval", ">aanname<", "gehaald<",
                            "zaken", "aandeel verlengde huisverboden", "ingesteld 55 %"}) {
    EXPECT_FALSE(has(html, dutch)) << dutch;
  }
  EXPECT_TRUE(has(html, "not the error of the model itself")) << "the caveats are honest in English too";
}

TEST(HtmlReportInEnglish, SaysTheMainDifferenceInWordsWithUnitsAndInterval) {
  std::string html = html_report(ten_vs_fourteen());
  EXPECT_TRUE(has(html,
                  "<strong>Moved einde (English)</strong>: with ‘14 dagen (voorstel)’ 44%, against 29% with ‘10 dagen "
                  "(wet)’ — 16 percentage points more (95% confidence interval 15 to 16)."))
      << html;
  EXPECT_TRUE(has(html, "6.6 days more (95% confidence interval 6.6 to 6.7)")) << "days with a decimal point";
  EXPECT_TRUE(has(html,
                  "— no demonstrable difference: the 95% confidence interval of the difference runs from "
                  "0.1 percentage points less to 0.1 percentage points more and includes zero."));
  EXPECT_TRUE(has(html,
                  "<li><strong>Moved einde (English)</strong>: the difference depends on the assumption — at ‘3 "
                  "days’: 12 percentage points more; at ‘5 days’: no demonstrable difference; at ‘11 days’: 5.0 "
                  "percentage points less.</li>"));
  EXPECT_TRUE(has(html, "What changes if ‘14 dagen (voorstel)’ (Wth.eerste_termijn = 14 days) applies instead of "
                        "‘10 dagen (wet)’?"));
}

TEST(HtmlReportInEnglish, FormatsNumbersWithADecimalPointAndPercentAgainstTheNumber) {
  std::string html = html_report(ten_vs_fourteen());
  EXPECT_TRUE(has(html,
                  "<td>28.6\u00A0±\u00A00.3</td><td>44.2\u00A0±\u00A00.4</td><td>+15.7\u00A0±\u00A00.4 <span "
                  "class=\"markering\">*</span></td>"))
      << html;
  EXPECT_TRUE(has(html, "In all, 73,000 cases were simulated.")) << "a comma between thousands";
  EXPECT_TRUE(has(html, "Each scenario was simulated 10 times (replications), with seed 20261128."));
  EXPECT_TRUE(has(html, "in a period of 365 days, after a warm-up of 30 days:"));
  EXPECT_TRUE(has(html, "<td><span class=\"nw\">80.0–100.0%</span></td><td>rapport 2024 [4.1]</td>"
                        "<td>82.0\u00A0±\u00A00.4%</td><td><span class=\"gehaald\">✔ met</span>"));
  EXPECT_TRUE(has(html, "<span class=\"niet-gehaald\">✘ not met</span>"));
  EXPECT_TRUE(has(html, "Note: the calibration gives 1 warning; see <a href=\"#kalibratie\">Calibration</a>."));
  EXPECT_TRUE(has(html, "configured 55 % verlengen, realised 31 %")) << "the warning's English text";
  EXPECT_TRUE(has(html, "<td>days under ban</td><td>days</td><td>3,650</td><td>16.3</td><td>10.0</td>"));
  EXPECT_TRUE(has(html, "main result +16 pp"));
  EXPECT_TRUE(has(html, "+12 pp · 3 days"));
}

TEST(HtmlReportInEnglish, CountsOneReplicationAndOneWarningInTheSingular) {
  SimulationResult r = ten_vs_fourteen();
  r.replications = 1;
  r.cases_simulated = 1;
  r.period_days = 1;
  std::string html = html_report(r);
  EXPECT_TRUE(has(html, "Each scenario was simulated once (one replication), with seed 20261128.")) << html;
  EXPECT_TRUE(has(html, "in a period of 1 day, after a warm-up of 30 days:"));
  EXPECT_TRUE(has(html, "In all, 1 case was simulated."));
  EXPECT_TRUE(has(html, "with one replication there is no interval (± 0)."));
  r.warnings.push_back(r.warnings[0]);
  EXPECT_TRUE(has(html_report(r), "Note: the calibration gives 2 warnings;"));
  InLanguage dutch(Language::kDutch);
  std::string dutch_html = html_report(r);
  EXPECT_TRUE(has(dutch_html, "Elk scenario is één keer gesimuleerd (één replicatie)")) << dutch_html;
  EXPECT_TRUE(has(dutch_html, "in een periode van 1 dag, na een opwarmperiode van 30 dagen:"));
  EXPECT_TRUE(has(dutch_html, "In totaal is 1 zaak gesimuleerd."));
  EXPECT_TRUE(has(dutch_html, "de kalibratie geeft 2 waarschuwingen;"));
}

// ---------------------------------------------------------------------------------------------
// In a real browser

// A report written into a directory of its own and opened in headless Chromium; the directory
// (page, screenshot, profile) goes when the test ends, unless TERMIJN_KEEP_REPORT is set.
class InChromium {
 public:
  InChromium(std::string browser, const std::string& name, const std::string& html)
      : browser_(std::move(browser)), dir_(fs::temp_directory_path() / fmt::format("termijn-{}-{}", getpid(), name)) {
    remove_profile(dir_.string());
    fs::create_directories(dir_);
    std::ofstream(page(), std::ios::binary) << html;
  }
  ~InChromium() {
    if (std::getenv("TERMIJN_KEEP_REPORT") == nullptr) remove_profile(dir_.string());
  }
  InChromium(const InChromium&) = delete;
  InChromium& operator=(const InChromium&) = delete;

  fs::path page() const { return dir_ / "rapport.html"; }
  fs::path file(const std::string& name) const { return dir_ / name; }
  // What the browser prints when it opens the page with `args`.
  std::string run(const std::string& args) const {
    return run_command(
        fmt::format("'{}' --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir='{}' {} "
                    "'file://{}' 2>/dev/null",
                    browser_, (dir_ / "profile").string(), args, page().string()));
  }

 private:
  std::string browser_;
  fs::path dir_;
};

TEST_F(HtmlReport, ChromiumRendersTheSectionsAndCharts) {
  std::string browser = chromium();
  if (browser.empty()) GTEST_SKIP() << "Debian's chromium is not installed (tools/install-deps.sh --test installs it)";
  InChromium chrome(browser, "html-report", html_report(ten_vs_fourteen()));
  std::string dom = chrome.run("--dump-dom");
  ASSERT_FALSE(dom.empty()) << "chromium printed nothing";
  for (const char* heading :
       {"Kernuitkomsten", "Methode", "Kalibratie", "Verdelingen", "Gevoeligheid", "Kanttekeningen"}) {
    EXPECT_TRUE(has(dom, fmt::format("<h2>{}</h2>", heading))) << heading;
  }
  EXPECT_EQ(count(dom, "<svg"), 5u) << "two histograms and three tornado charts";
  EXPECT_TRUE(has(dom, "role=\"alert\""));
  EXPECT_TRUE(has(dom, "met ‘14 dagen (voorstel)’ 44&nbsp;%")) << "the text arrives as UTF-8";

  fs::path png = chrome.file("rapport.png");
  chrome.run(fmt::format("--screenshot='{}' --window-size=1200,3000 --hide-scrollbars", png.string()));
  std::ifstream in(png, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 24u) << "no screenshot at " << png;
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  EXPECT_GT(bytes.size(), 50'000u) << "a page with tables and charts, not an empty canvas";
}

TEST(HtmlReportInEnglish, ChromiumRendersTheEnglishReport) {
  std::string browser = chromium();
  if (browser.empty()) GTEST_SKIP() << "Debian's chromium is not installed (tools/install-deps.sh --test installs it)";
  InChromium chrome(browser, "html-report-en", html_report(ten_vs_fourteen()));
  std::string dom = chrome.run("--dump-dom");
  ASSERT_FALSE(dom.empty()) << "chromium printed nothing";
  EXPECT_TRUE(has(dom, "<html lang=\"en\">"));
  for (const char* heading : {"Key outcomes", "Method", "Calibration", "Distributions", "Sensitivity", "Caveats"}) {
    EXPECT_TRUE(has(dom, fmt::format("<h2>{}</h2>", heading))) << heading;
  }
  EXPECT_EQ(count(dom, "<svg"), 5u) << "two histograms and three tornado charts";
  EXPECT_TRUE(has(dom, "with ‘14 dagen (voorstel)’ 44%, against 29%"));
}

}  // namespace
}  // namespace termijn::simulation
