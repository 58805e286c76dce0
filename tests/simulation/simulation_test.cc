// Simulation: reproducible to the byte, honest in comparison (the same cases in every scenario,
// so a 14-day term changes only cases that reach day 10), right on models small enough to
// compute by hand (an M/M/1 queue), and clear about mistakes in a .sim file.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "engine/simulation/internal/replication.h"
#include "engine/simulation/report.h"
#include "engine/simulation/simulation.h"
#include "engine/time/legal_time.h"
#include "tests/simulation/simulation_support.h"

namespace termijn::simulation {
namespace {

namespace fs = std::filesystem;

Spec read(const std::string& path, DiagnosticList& d) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_spec(std::make_shared<SourceFile>(path, std::move(text)), d);
}

// The shipped 10-versus-14-days comparison, shortened so a test runs it in a second.
Spec ten_vs_fourteen(int period_days, int replications) {
  DiagnosticList d;
  Spec spec = read(std::string(TERMIJN_SOURCE_DIR) + "/examples/simulation/termijn_10_vs_14.sim", d);
  EXPECT_FALSE(d.has_errors()) << render(d);
  spec.period_days = period_days;
  spec.warmup_days = 5;
  spec.drain_days = 60;
  spec.replications = replications;
  spec.sweeps.clear();  // the comparison itself; sweeps have tests of their own
  return spec;
}

const KpiSummary& kpi(const ScenarioResult& s, const std::string& name) {
  for (const auto& k : s.kpis) {
    if (k.key == name) return k;
  }
  static KpiSummary none;
  ADD_FAILURE() << "no KPI '" << name << "'";
  return none;
}

TEST(Simulation, TheSameSeedGivesByteIdenticalOutputWhateverTheThreads) {
  Spec spec = ten_vs_fourteen(30, 3);
  DiagnosticList d;
  RunOptions one_thread{1, false, 0, {}}, two_threads{2, false, 0, {}};
  auto a = simulate(spec, stdlib(), d, one_thread);
  auto b = simulate(spec, stdlib(), d, two_threads);
  ASSERT_TRUE(a && b) << render(d);
  EXPECT_EQ(to_json(*a).dump(), to_json(*b).dump());
  EXPECT_EQ(csv(*a), csv(*b));
  EXPECT_EQ(svg(*a), svg(*b));
  spec.seed += 1;
  auto c = simulate(spec, stdlib(), d, two_threads);
  EXPECT_NE(to_json(*a).dump(), to_json(*c).dump()) << "another seed, other cases";
}

TEST(Simulation, FourteenDaysChangesOnlyCasesThatReachDayTen) {
  Spec spec = ten_vs_fourteen(20, 2);
  DiagnosticList d;
  auto result = simulate(spec, stdlib(), d, RunOptions{0, true, 0, {}});
  ASSERT_TRUE(result) << render(d);
  const auto& ten = result->scenarios[0].replications[0].cases;
  const auto& fourteen = result->scenarios[1].replications[0].cases;
  ASSERT_EQ(ten.size(), fourteen.size()) << "the same arrivals";
  int short_cases = 0, changed_long_cases = 0;
  for (std::size_t i = 0; i < ten.size(); ++i) {
    ASSERT_EQ(ten[i].index, fourteen[i].index);
    EXPECT_EQ(ten[i].arrival, fourteen[i].arrival);
    bool short_case = ten[i].ended && *ten[i].ended - ten[i].arrival < std::chrono::hours(24 * 9);
    if (short_case) {
      ++short_cases;
      EXPECT_EQ(ten[i].trace(), fourteen[i].trace()) << "case " << ten[i].index;
      EXPECT_EQ(ten[i].end_reason, fourteen[i].end_reason);
    } else if (ten[i].trace() != fourteen[i].trace()) {
      ++changed_long_cases;
    }
  }
  EXPECT_GT(short_cases, 5) << "cases that ended without a ban (the RiHG said no) are there to compare";
  EXPECT_GT(changed_long_cases, 50) << "and the longer term does change the bans";
  // A ban that is not extended lasts its term: four days longer under 14 days.
  EXPECT_GT(kpi(result->scenarios[1], "days uitvoeren").mean, kpi(result->scenarios[0], "days uitvoeren").mean + 1);
}

class TinyModel : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / fmt::format("termijn-{}-sim", getpid());
    fs::create_directories(dir);
    std::ofstream(dir / "wachtrij.wth") << "process wachtrij {\n"
                                           "  roles medewerker\n"
                                           "  events melding\n"
                                           "  start on melding\n"
                                           "  task werk \"Werk\" by medewerker within 1 hour\n"
                                           "}\n";
  }
  void TearDown() override { fs::remove_all(dir); }
  // Reads `sim` as t.sim in the folder and runs it; `keep_cases` keeps each case's trace.
  std::optional<SimulationResult> run(const std::string& sim, DiagnosticList& d, bool keep_cases = false) {
    Spec spec = from_text((dir / "t.sim").string(), sim, d);
    if (d.has_errors()) return std::nullopt;
    return simulate(spec, stdlib(), d, RunOptions{0, keep_cases, 0, {}});
  }
  fs::path dir;
};

TEST_F(TinyModel, AnMM1QueueWaitsAsTheFormulaSays) {
  // λ = 0.5 per hour, μ = 1 per hour: Wq = λ / (μ (μ − λ)) = 1 hour.
  DiagnosticList d;
  auto r = run("simulation \"M/M/1\"\n"
               "process wachtrij from \"wachtrij.wth\"\n"
               "period 300 days\nwarmup 10 days\ndrain 30 days\nreplications 6\nseed 7\n"
               "arrivals 12 per day\n"
               "duration werk = exponential mean 1 hour\n"
               "capacity medewerker 1\n",
               d);
  ASSERT_TRUE(r) << render(d);
  const KpiSummary& wait = kpi(r->scenarios[0], "wait medewerker");
  EXPECT_NEAR(wait.mean, 1.0, 0.12) << "± " << wait.half_width;
  EXPECT_NEAR(kpi(r->scenarios[0], "started").mean, 12.0 * 300, 12.0 * 300 * 0.03);
}

TEST_F(TinyModel, FiguresMatchWhatIsComputedByHand) {
  // Two hours for a task due in one: every deadline is missed, and each case is two hours of work.
  DiagnosticList d;
  auto r = run("simulation \"met de hand\"\n"
               "process wachtrij from \"wachtrij.wth\"\n"
               "period 50 days\nwarmup 0 days\ndrain 5 days\nreplications 2\n"
               "arrivals 4 per day\n"
               "duration werk = fixed 2 hours\n"
               "scenario \"twee uur\"\n"
               "scenario \"half uur\"\n"
               "duration werk = 30 min effort 10 min\n",
               d);
  ASSERT_TRUE(r) << render(d);
  const auto& slow = r->scenarios[0];
  for (std::size_t i = 0; i < slow.kpis.front().values.size(); ++i) {
    double cases = kpi(slow, "started").values[i];
    EXPECT_EQ(kpi(slow, "missed werk").values[i], cases);
    EXPECT_DOUBLE_EQ(kpi(slow, "workload medewerker").values[i], 2 * cases);
    EXPECT_NEAR(kpi(r->scenarios[1], "workload medewerker").values[i], cases / 6, 1e-9);
  }
  EXPECT_EQ(kpi(r->scenarios[1], "missed werk").mean, 0);
  EXPECT_EQ(kpi(slow, "open").mean, 0);
}

// An instrument is answered item by item; its outcome is the engine's, unless a line draws the
// decision, which is then given with the motivation a deviation needs (nothing is refused).
TEST_F(TinyModel, AnInstrumentIsAnsweredItemByItemOrItsDecisionIsDrawn) {
  std::ofstream(dir / "toets.wth") << "process toets {\n"
                                      "  roles medewerker\n"
                                      "  events melding\n"
                                      "  instrument lijst {\n"
                                      "    scale rood, groen\n"
                                      "    outcomes ja, nee\n"
                                      "    part p { item a item b }\n"
                                      "    rules { when 2 rood -> ja  otherwise -> nee }\n"
                                      "  }\n"
                                      "  start on melding\n"
                                      "  task beoordelen by medewerker within 1 hour { instrument lijst }\n"
                                      "  decide uitkomst { when beoordelen.outcome == ja { end \"ja\" } otherwise { end \"nee\" } }\n"
                                      "}\n";
  DiagnosticList d;
  auto r = run("process toets from \"toets.wth\"\n"
               "period 100 days\nwarmup 0 days\ndrain 2 days\nreplications 2\nseed 3\n"
               "arrivals 10 per day\nduration beoordelen = 10 min\n"
               "scenario \"berekend\"\n"
               "output beoordelen.a = groen 100%\n"
               "scenario \"getrokken\"\n"
               "output beoordelen.outcome = ja 30%, nee 70%\n",
               d, /*keep_cases=*/true);
  ASSERT_TRUE(r) << render(d);
  int computed_ja = 0, drawn_ja = 0, drawn = 0;
  for (const auto& c : r->scenarios[0].replications[0].cases) computed_ja += c.end_reason == "ja";
  for (const auto& c : r->scenarios[1].replications[0].cases) {
    drawn_ja += c.end_reason == "ja";
    ++drawn;
  }
  EXPECT_EQ(computed_ja, 0) << "a is green, b the scale's first value: one red, so 'nee' by the rules";
  EXPECT_NEAR(static_cast<double>(drawn_ja) / drawn, 0.30, 0.05) << drawn_ja << " of " << drawn;
  for (const auto& s : r->scenarios) EXPECT_EQ(kpi(s, "refused").mean, 0) << s.name;
  bool said = false;
  for (const auto& a : r->assumptions) said |= a.find("instrument 'lijst'") != std::string::npos;
  EXPECT_TRUE(said) << "the default answer is listed as an assumption";
}

// Refused half way: after `nee` the flow adds one to a number the case never got, which the
// runtime refuses after it has moved the case on; and a timer whose consequence fails the same way
// (an incident). The simulator sends such commands without an undo log; a refusal half way makes
// the replication start over keeping every log, and its figures are those of a run that kept them
// from the start.
TEST_F(TinyModel, ACommandRefusedHalfWayStartsTheReplicationOverWithTheSameFigures) {
  std::ofstream(dir / "lus.wth") << "process lus {\n"
                                    "  roles medewerker\n"
                                    "  events melding\n"
                                    "  case { teller: int }\n"
                                    "  start on melding\n"
                                    "  task eerst by medewerker within 1 days { output ok: bool }\n"
                                    "  decide verder { when eerst.ok == false { set teller = teller + 1 } otherwise { milestone goed } }\n"
                                    "  task tweede by medewerker within 1 days\n"
                                    "}\n";
  std::ofstream(dir / "storing.wth") << "process storing {\n"
                                        "  roles medewerker\n"
                                        "  events melding\n"
                                        "  case { dagen: int }\n"
                                        "  start on melding\n"
                                        "  milestone gemeld\n"
                                        "  wait until gemeld + 2 days\n"
                                        "  set dagen = dagen + 1\n"
                                        "  task toets by medewerker within 1 days\n"
                                        "}\n";
  for (const char* lines : {"process lus from \"lus.wth\"\nduration eerst = 2 hours\nduration tweede = 3 hours\n"
                            "output eerst.ok = true 80%, false 20%\n",
                            "process storing from \"storing.wth\"\nduration toets = 2 hours\n"}) {
    DiagnosticList d;
    Spec spec = from_text((dir / "t.sim").string(),
                          std::string(lines) + "period 30 days\nwarmup 0 days\ndrain 5 days\nreplications 2\n"
                                               "seed 11\narrivals 6 per day\n",
                          d);
    ASSERT_FALSE(d.has_errors()) << render(d);
    auto prepared = internal::prepare("baseline", spec.baseline, spec, stdlib(), "0", d);
    ASSERT_TRUE(prepared) << render(d);
    std::set<std::string> said_again, said_always;
    ReplicationResult again = internal::run_replication(*prepared, spec, 0, false, said_again);
    ReplicationResult always =
        internal::run_replication(*prepared, spec, 0, false, said_always, internal::UndoLogs::kAlways);
    EXPECT_TRUE(again.started_over) << lines;
    EXPECT_FALSE(always.started_over) << lines;
    EXPECT_GT(again.kpis.at("started"), 100) << lines;
    EXPECT_EQ(again.kpis, always.kpis) << lines;
    EXPECT_EQ(said_again, said_always) << lines;
    ASSERT_EQ(again.outcomes.size(), always.outcomes.size()) << lines;
    for (std::size_t i = 0; i < again.outcomes.size(); ++i) {
      EXPECT_EQ(again.outcomes[i].realised, always.outcomes[i].realised) << again.outcomes[i].value;
    }
    if (spec.baseline.process == std::optional<std::string>("lus")) {
      EXPECT_GT(again.kpis.at("refused"), 10) << "completions were refused half way";
    } else {
      EXPECT_EQ(again.kpis.at("reached gemeld"), 1) << "every case reached the wait";
      EXPECT_EQ(again.kpis.at("open"), again.kpis.at("started")) << "and stays there: its timer failed";
    }
  }
}

TEST_F(TinyModel, ArrivalsFollowTheWeekdayAndHourProfile) {
  // No cases at the weekend; by day, twice as many in the afternoon as in the morning.
  DiagnosticList d;
  auto r = run("process wachtrij from \"wachtrij.wth\"\n"
               "period 140 days\nwarmup 0 days\ndrain 2 days\nreplications 2\n"
               "arrivals 10 per day\n"
               "arrivals by weekday sat 0, sun 0\n"
               "arrivals by hour 0-7 0, 8-11 1, 12-15 2, 16-23 0\n"
               "duration werk = 10 min\n",
               d, /*keep_cases=*/true);
  ASSERT_TRUE(r) << render(d);
  LegalTime legal;
  int morning = 0, afternoon = 0, weekend = 0;
  for (const auto& c : r->scenarios[0].replications[0].cases) {
    auto local = legal.to_local(c.arrival);
    auto day = date::floor<date::days>(local);
    unsigned wd = date::weekday(day).c_encoding();
    auto hour = std::chrono::duration_cast<std::chrono::hours>(local - day).count();
    weekend += wd == 0 || wd == 6;
    morning += hour >= 8 && hour < 12;
    afternoon += hour >= 12 && hour < 16;
  }
  EXPECT_EQ(weekend, 0);
  EXPECT_EQ(morning + afternoon, static_cast<int>(r->scenarios[0].replications[0].cases.size()));
  EXPECT_NEAR(static_cast<double>(afternoon) / morning, 2.0, 0.25);
  // The mean stays `arrivals N per day`: 10 a day over 140 days.
  EXPECT_NEAR(kpi(r->scenarios[0], "started").mean, 1400, 1400 * 0.08);
}

TEST_F(TinyModel, MistakesInASimulationFileAreDiagnosticsWithLineAndColumn) {
  DiagnosticList d;
  auto r = run("simulation \"fouten\"\n"
               "process wachtrij from \"wachtrij.wth\"\n"
               "arrivals 4 per day\n"
               "duration werkk = fixed 2 hours\n"
               "duration werk = triangular 3 hours, 1 hour, 2 hours\n"
               "event meldng 10% after 1 day\n"
               "capacity medewerkr 2\n"
               "scenario \"anders\"\n"
               "term Wth.eerste_termijn = 14 days\n",
               d);
  EXPECT_FALSE(r);
  std::string text = render(d);
  EXPECT_NE(text.find("t.sim:5:17: error: these figures do not make a distribution"), std::string::npos) << text;
  d = DiagnosticList();
  r = run("simulation \"fouten\"\n"
          "process wachtrij from \"wachtrij.wth\"\n"
          "arrivals 4 per day\n"
          "duration werkk = fixed 2 hours\n"
          "event meldng 10% after 1 day\n"
          "capacity medewerkr 2\n"
          "data onbekend = true 50%\n"
          "scenario \"anders\"\n"
          "term Wth.eerste_termijn = 14 days\n",
          d);
  EXPECT_FALSE(r);
  text = render(d);
  EXPECT_NE(text.find("t.sim:4:10: error: process 'wachtrij' has no task 'werkk' (did you mean 'werk'?)"), std::string::npos) << text;
  EXPECT_NE(text.find("t.sim:5:7: error: process 'wachtrij' has no event 'meldng' (did you mean 'melding'?)"), std::string::npos) << text;
  EXPECT_NE(text.find("t.sim:6:10: error: process 'wachtrij' has no role 'medewerkr' (did you mean 'medewerker'?)"), std::string::npos) << text;
  EXPECT_NE(text.find("t.sim:7:6: error: process 'wachtrij' has no case field 'onbekend'"), std::string::npos) << text;
  EXPECT_NE(text.find("t.sim:9:6: error: process 'wachtrij' uses no term 'Wth.eerste_termijn'"), std::string::npos) << text;
  d = DiagnosticList();
  from_text("x.sim", "arrivals 4 per dag\ndata a = true 50%, false 40%\nduration w = 2 uur\nfoo\n", d);
  text = render(d);
  EXPECT_NE(text.find("x.sim:1:16: error: expected 'day' here"), std::string::npos) << text;
  EXPECT_NE(text.find("x.sim:2:10: error: the percentages add up to 90%, not 100%"), std::string::npos) << text;
  EXPECT_NE(text.find("x.sim:3:16: error: unknown unit 'uur'"), std::string::npos) << text;
  EXPECT_NE(text.find("x.sim:4:1: error: 'foo' does not start a line"), std::string::npos) << text;
  EXPECT_NE(text.find("the file names no process"), std::string::npos) << text;
}

TEST(Summary, AConfidenceIntervalFromStudentsT) {
  KpiSummary s = summarise("x", {1, 2, 3, 4});
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  // sd = 1.29099; t(3) = 3.182; half-width = 3.182 * 1.29099 / 2
  EXPECT_NEAR(s.half_width, 2.0540, 1e-3);
  EXPECT_EQ(summarise("y", {5}).half_width, 0);
}

// The 95 % half-width is t(0.975, n-1) s / sqrt(n), with Student's t for every n: also between 31
// and infinity, where a table that jumps to the normal's 1.96 is too narrow.
TEST(Summary, TheIntervalUsesStudentsTForEveryNumberOfReplications) {
  auto half_width_factor = [](int n) {
    std::vector<double> values(static_cast<std::size_t>(n), 0.0);
    values[0] = 1.0;  // mean 1/n; s = sqrt(1/n) exactly
    KpiSummary s = summarise("x", values);
    return s.half_width / (std::sqrt(1.0 / n) / std::sqrt(static_cast<double>(n)));
  };
  EXPECT_NEAR(half_width_factor(2), 12.7062, 1e-4);
  EXPECT_NEAR(half_width_factor(10), 2.2622, 1e-4);
  EXPECT_NEAR(half_width_factor(31), 2.0423, 1e-4);
  EXPECT_NEAR(half_width_factor(41), 2.0211, 1e-4) << "40 degrees of freedom, not the normal's 1.96";
  EXPECT_NEAR(half_width_factor(121), 1.9799, 1e-4);
}

}  // namespace
}  // namespace termijn::simulation
