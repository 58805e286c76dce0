// Behaviour a simulation must model for its answer to be trusted: outcomes that depend on the
// case, work done toward deadlines, queues taken in a declared order, calibration targets and the
// warning when a configured share is not what happened, sweeps, and the 10-versus-14 result
// moving the right way when the care-advice assumption is swept.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/simulation/simulation.h"
#include "engine/time/holidays.h"
#include "engine/time/legal_time.h"
#include "tests/simulation/simulation_support.h"

namespace termijn::simulation {
namespace {

namespace fs = std::filesystem;

const KpiSummary* find(const std::vector<KpiSummary>& kpis, const std::string& key) {
  for (const auto& k : kpis) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

double mean(const ScenarioResult& s, const std::string& key) {
  const KpiSummary* k = find(s.kpis, key);
  return k == nullptr ? 0 : k->mean;
}

// A ban of two days that the mayor may extend to four, on an advice; and two tasks of one
// worker, the first with three days to go, the second with an hour and a half.
class Behaviour : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / fmt::format("termijn-{}-behaviour", getpid());
    fs::create_directories(dir);
    std::ofstream(dir / "verbod.wth") << R"(process verbod version 1 {
  roles medewerker, burgemeester
  events melding by medewerker
  start on melding
  milestone opgelegd "Opgelegd"
  timer einde = opgelegd + 2 days
  stage looptijd "Looptijd" until einde {
    task advies "Advies" by medewerker within 1 day {
      output nodig: bool
    }
    task besluit "Besluit" by burgemeester due einde - 1 hour {
      output besluit: one of (ja, nee)
    }
    decide verlengen {
      when besluit.besluit == ja { set einde = opgelegd + 4 days }
      otherwise { }
    }
  }
}
)";
    std::ofstream(dir / "rij.wth") << R"(process rij version 1 {
  roles medewerker
  events melding by medewerker
  start on melding
  beside later { task lang "Lang" by medewerker within 3 days }
  task kort "Kort" by medewerker within 90 minutes
}
)";
  }
  void TearDown() override { fs::remove_all(dir); }

  std::optional<SimulationResult> run(const std::string& sim, DiagnosticList& d,
                                      RunOptions options = RunOptions{0, false, 0, {}}) {
    Spec spec = parse_spec(std::make_shared<SourceFile>((dir / "t.sim").string(), sim), d);
    if (d.has_errors()) return std::nullopt;
    return simulate(spec, stdlib(), d, options);
  }

  static std::string header(const std::string& process) {
    return fmt::format("simulation \"gedrag\"\nprocess {0} from \"{0}.wth\"\n"
                       "period 120 days\nwarmup 0 days\ndrain 10 days\nreplications 3\nseed 11\narrivals 8 per day\n",
                       process);
  }
  fs::path dir;
};

TEST_F(Behaviour, AnOutcomeFollowsAnEarlierOutcomeOfTheSameCase) {
  DiagnosticList d;
  auto r = run(header("verbod") +
                   "duration advies = 2 hours\nduration besluit = 1 hour\n"
                   "output advies.nodig = true 30%\n"
                   "output besluit.besluit = ja 100% when advies.nodig = true\n"
                   "output besluit.besluit = nee 100% when advies.nodig = false\n",
               d);
  ASSERT_TRUE(r) << render(d);
  // Every extension follows an advice that says it is needed, and every such advice gets one.
  EXPECT_NEAR(mean(r->scenarios[0], "moved einde"), 0.30, 0.03);
  for (const auto& o : r->scenarios[0].outcomes) {
    if (o.task == "besluit" && o.value == "ja") {
      EXPECT_NEAR(o.realised, 0.30, 0.03);
    }
  }
  EXPECT_TRUE(r->warnings.empty()) << r->warnings.front().text;
}

TEST_F(Behaviour, ALineWithMoreConditionsWinsAndTheTermInForceIsACondition) {
  DiagnosticList d;
  auto r = run(header("verbod") +
                   "duration advies = 2 hours\nduration besluit = 1 hour\n"
                   "output advies.nodig = true 100%\n"
                   "output besluit.besluit = nee 100%\n"
                   "output besluit.besluit = ja 100% when advies.nodig = true\n"
                   "output besluit.besluit = nee 100% when advies.nodig = true and elapsed >= 1 day\n",
               d);
  ASSERT_TRUE(r) << render(d);
  EXPECT_NEAR(mean(r->scenarios[0], "moved einde"), 1.0, 1e-9) << "decided within hours: the two-condition line never holds";
}

TEST_F(Behaviour, WorkDoneTowardItsDeadlineIsOnTimeUnlessDrawnLate) {
  DiagnosticList d;
  auto r = run(header("verbod") +
                   "duration advies = 2 hours\n"
                   "duration besluit = before due uniform 10 min, 50 min\n"
                   "output advies.nodig = true 100%\n"
                   "output besluit.besluit = ja 100%\n"
                   "scenario \"op tijd\"\n"
                   "scenario \"soms te laat\"\n"
                   "duration besluit = before due uniform 10 min, 50 min late 40% uniform 2 hours, 3 hours\n",
               d);
  ASSERT_TRUE(r) << render(d);
  EXPECT_EQ(mean(r->scenarios[0], "missed besluit"), 0);
  EXPECT_NEAR(mean(r->scenarios[0], "moved einde"), 1.0, 1e-9);
  // Late by two hours or more, a decision due an hour before the end comes after it: it lapses.
  EXPECT_NEAR(mean(r->scenarios[1], "moved einde"), 0.60, 0.04);
  ASSERT_FALSE(r->warnings.empty()) << "100 % configured, 60 % realised";
  EXPECT_NE(r->warnings.front().text.find("besluit.besluit = ja is configured at 100 %"), std::string::npos)
      << r->warnings.front().text;
  EXPECT_EQ(r->warnings.front().scenario, "soms te laat");
}

TEST_F(Behaviour, CalibrationTargetsAreReportedMetOrNot) {
  DiagnosticList d;
  auto r = run(header("verbod") +
                   "duration advies = 2 hours\nduration besluit = 1 hour\n"
                   "output advies.nodig = true 50%\n"
                   "output besluit.besluit = ja 100% when advies.nodig = true\n"
                   "output besluit.besluit = nee 100% when advies.nodig = false\n"
                   "expect moved einde 40%..60% cite \"de helft\"\n"
                   "expect reached opgelegd 0..0.5\n",
               d);
  ASSERT_TRUE(r) << render(d);
  ASSERT_EQ(r->calibration.size(), 2u);
  EXPECT_TRUE(r->calibration[0].met) << r->calibration[0].mean;
  EXPECT_EQ(r->calibration[0].cite, "de helft");
  EXPECT_FALSE(r->calibration[1].met) << "every case reaches opgelegd";
  EXPECT_NE(std::find(r->sources.begin(), r->sources.end(), "calibration target moved einde: de helft"), r->sources.end());
}

TEST_F(Behaviour, AWorkerTakesTheEarliestDeadlineFirstWhenTheOrderSaysSo) {
  DiagnosticList d;
  auto r = run(header("rij") +
                   "duration lang = 1 hour\nduration kort = 1 hour\n"
                   "scenario \"wie eerst komt\"\n"
                   "capacity medewerker 1 order first-come\n"
                   "scenario \"vroegste termijn eerst\"\n"
                   "capacity medewerker 1 order earliest-due\n",
               d);
  ASSERT_TRUE(r) << render(d);
  double fifo = mean(r->scenarios[0], "missed kort"), edf = mean(r->scenarios[1], "missed kort");
  double cases = mean(r->scenarios[0], "started");
  // First come: the short task always waits for the long one opened a moment before it.
  EXPECT_GT(fifo, 0.9 * cases);
  EXPECT_LT(edf, 0.5 * fifo);
  EXPECT_EQ(mean(r->scenarios[1], "missed lang"), 0);
}

TEST_F(Behaviour, ArrivalStreamsAddUpAndKeepTheirOwnCases) {
  std::ofstream(dir / "twee.wth") << R"(process twee version 1 {
  roles medewerker
  events melding by medewerker, verzoek by medewerker
  start on melding
  start on verzoek
  task werk "Werk" by medewerker within 1 day
}
)";
  DiagnosticList d;
  auto r = run(header("twee") +
                   "start on melding\nduration werk = 1 hour\n"
                   "scenario \"alleen meldingen\"\n"
                   "scenario \"met verzoeken\"\n"
                   "arrivals 2 per day on verzoek\n",
               d);
  ASSERT_TRUE(r) << render(d);
  const auto& alone = *find(r->scenarios[0].kpis, "started");
  const auto& both = *find(r->scenarios[1].kpis, "started");
  const auto& diff = *find(r->scenarios[1].difference, "started");
  EXPECT_NEAR(both.mean, 10.0 * 120, 10.0 * 120 * 0.06);
  EXPECT_NEAR(diff.mean, 2.0 * 120, 2.0 * 120 * 0.15);
  EXPECT_GT(alone.mean, 0);
}

TEST_F(Behaviour, DistributionsGivePercentilesAndAHistogram) {
  DiagnosticList d;
  auto r = run(header("verbod") +
                   "duration advies = 2 hours\nduration besluit = 1 hour\noutput besluit.besluit = nee 100%\n"
                   "measure \"tot besluit\" until besluit\n",
               d);
  ASSERT_TRUE(r) << render(d);
  const DurationDistribution* decided = nullptr;
  for (const auto& dist : r->scenarios[0].distributions) {
    if (dist.key == "measure tot besluit") decided = &dist;
  }
  ASSERT_NE(decided, nullptr);
  EXPECT_NEAR(decided->p50, 3.0, 1e-6) << "two hours of advice, then one of decision";
  EXPECT_NEAR(decided->p99, 3.0, 1e-6);
  EXPECT_EQ(decided->bins.size() + 1, decided->bin_edges.size());
  std::int64_t total = 0;
  for (auto n : decided->bins) total += n;
  EXPECT_EQ(total, decided->count);
}

TEST_F(Behaviour, ASweepRunsEveryScenarioForEachValue) {
  DiagnosticList d;
  auto r = run(header("verbod") +
                   "sweep replications 2\n"
                   "duration advies = 2 hours\nduration besluit = 1 hour\n"
                   "output advies.nodig = true 50%\n"
                   "output besluit.besluit = ja 100% when advies.nodig = true\n"
                   "output besluit.besluit = nee 100% when advies.nodig = false\n"
                   "focus moved einde\n"
                   "sweep output advies.nodig = true {10%, 90%}\n"
                   "sweep duration besluit = {1 hour | before due uniform 10 min, 20 min late 50% uniform 2 hours, 3 hours}\n",
               d);
  ASSERT_TRUE(r) << render(d);
  ASSERT_EQ(r->sweeps.size(), 2u);
  const SweepResult& need = r->sweeps[0];
  ASSERT_EQ(need.points.size(), 2u);
  EXPECT_EQ(need.points[0].value, "10%");
  EXPECT_NEAR(need.points[0].kpis[0][0].mean, 0.10, 0.04);
  EXPECT_NEAR(need.points[1].kpis[0][0].mean, 0.90, 0.04);
  EXPECT_EQ(need.points[0].kpis[0][0].values.size(), 2u) << "sweep replications 2";
  EXPECT_EQ(r->sweeps[1].points[1].value, "before due uniform 10 min, 20 min late 50% uniform 2 hours, 3 hours");
  EXPECT_NEAR(r->sweeps[1].points[1].kpis[0][0].mean, 0.25, 0.05) << "half the decisions lapse";
}

TEST_F(Behaviour, MistakesInTheNewLinesAreLocated) {
  DiagnosticList d;
  auto r = run(header("verbod") +
                   "output besluit.besluit = ja 100% when advise.nodig = true\n"   // 9
                   "output besluit.besluit = nee 100% when advies.nodig = misschien\n"  // 10
                   "duration advies = before due 1 hour\n"                          // 11
                   "expect moved eind 0..1\n"                                        // 12
                   "capacity medewerker 1 order random\n"                            // 13
                   "sweep capacity medewerker 1, 2\n"                                // 14
                   "expect moved einde 0.6..0.4\n",                                  // 15
               d);
  EXPECT_FALSE(r);
  std::string text = render(d);
  EXPECT_NE(text.find("t.sim:13:29: error: 'random' is not an order of work"), std::string::npos) << text;
  EXPECT_NE(text.find("t.sim:14:1: error: a sweep names its values once, between braces"), std::string::npos) << text;
  EXPECT_NE(text.find("t.sim:15:20: error: '0.6..0.4' is not a range"), std::string::npos) << text;
  d = DiagnosticList();
  r = run(header("verbod") +
              "output besluit.besluit = ja 100% when advise.nodig = true\n"
              "output besluit.besluit = nee 100% when advies.nodig = misschien\n"
              "duration advies = before due 1 hour\n"
              "expect moved eind 0..1\n",
          d);
  EXPECT_FALSE(r);
  text = render(d);
  EXPECT_NE(text.find("t.sim:9:39: error: process 'verbod' has no task 'advise' (did you mean 'advies'?)"), std::string::npos) << text;
  EXPECT_NE(text.find("t.sim:10:40: error: output 'advies.nodig' cannot be \"misschien\""), std::string::npos) << text;
  EXPECT_EQ(text.find("'before due' needs one"), std::string::npos) << "`within 1 day` is a deadline too" << text;
  // A figure is looked for once the rules fit the process.
  d = DiagnosticList();
  r = run(header("verbod") + "expect moved eind 0..1\nfocus days looptijd\nfocus wait niemand\n", d);
  EXPECT_FALSE(r);
  text = render(d);
  EXPECT_NE(text.find("t.sim:9:1: error: expect 'moved eind': process 'verbod' has no timer 'eind'"), std::string::npos) << text;
  EXPECT_NE(text.find("t.sim:11:1: error: focus 'wait niemand': no scenario's process has it (no role 'niemand')"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("looptijd"), std::string::npos) << text;
}

// Work on task `step`, each taking `minutes`: from its start to its end, in the first replication
// of the first scenario.
std::vector<std::pair<Instant, Instant>> work_on(const SimulationResult& r, const std::string& step, int minutes) {
  std::vector<std::pair<Instant, Instant>> work;
  for (const auto& c : r.scenarios[0].replications[0].cases) {
    for (const auto& e : c.events) {
      if (e.kind == "task completed" && e.activity == step) work.emplace_back(e.at - std::chrono::minutes(minutes), e.at);
    }
  }
  return work;
}

// A moment in Amsterdam time: whether its day is a workday, and its minute of the day.
struct LocalMoment {
  bool workday;
  long minute;
};
LocalMoment local_moment(Instant t) {
  static const LegalTime legal;
  auto local = legal.to_local(t);
  auto day = date::floor<date::days>(local);
  return LocalMoment{HolidayCalendar::find("NL")->is_working_day(date::sys_days(day.time_since_epoch())),
                     std::chrono::duration_cast<std::chrono::minutes>(local - day).count()};
}

// The work in hand as `from` starts, itself included.
int in_hand(const std::vector<std::pair<Instant, Instant>>& work, Instant from) {
  int n = 0;
  for (const auto& [other_from, other_to] : work) n += other_from <= from && from < other_to ? 1 : 0;
  return n;
}

// Every piece of work starts while a worker is on duty and free: `on_duty` says how many are on
// duty, worked out in the test from the .sim line on its own.
template <typename OnDuty>
void expect_within_duty(const std::vector<std::pair<Instant, Instant>>& work, OnDuty on_duty) {
  for (const auto& [from, to] : work) {
    int n = in_hand(work, from);
    ASSERT_LE(n, on_duty(local_moment(from))) << "work started at " << to_iso_utc(from) << " with " << n << " in hand";
  }
}

constexpr const char* kDienst = R"(process dienst version 1 {
  roles medewerker
  events melding by medewerker
  start on melding
  task werk "Werk" by medewerker within 7 days
}
)";

// Shifts: work starts only while a worker is on duty and free; the workers of shifts that are on
// together add up; a night shift runs past midnight; workdays skip weekends and public holidays.
TEST_F(Behaviour, WorkStartsOnlyWhileAWorkerOfAShiftIsOnDutyAndFree) {
  std::ofstream(dir / "dienst.wth") << kDienst;
  DiagnosticList d;
  auto r = run(header("dienst") +
                   "duration werk = 50 min\n"
                   "capacity medewerker shifts 2 workdays 09:00-17:00, 1 non-workdays 10:00-14:00, 1 daily 16:00-02:00\n",
               d, RunOptions{0, true, 1, {}});
  ASSERT_TRUE(r) << render(d);
  auto work = work_on(*r, "werk", 50);
  ASSERT_GT(work.size(), 500U);
  expect_within_duty(work, [](const LocalMoment& m) {
    int workers = 0;
    if (m.workday && m.minute >= 9 * 60 && m.minute < 17 * 60) workers += 2;
    if (!m.workday && m.minute >= 10 * 60 && m.minute < 14 * 60) workers += 1;
    if (m.minute >= 16 * 60 || m.minute < 2 * 60) workers += 1;
    return workers;
  });
  int at_night = 0, on_a_free_day = 0, three_at_once = 0;
  for (const auto& [from, to] : work) {
    LocalMoment m = local_moment(from);
    if (m.minute < 2 * 60) ++at_night;
    if (!m.workday && m.minute >= 10 * 60 && m.minute < 14 * 60) ++on_a_free_day;
    if (in_hand(work, from) == 3) ++three_at_once;
  }
  EXPECT_GT(at_night, 0) << "the night shift runs past midnight";
  EXPECT_GT(on_a_free_day, 0);
  EXPECT_GT(three_at_once, 0) << "the day and the evening shift add up from 16:00 to 17:00";
}

// Tasks open only from 07:00 to 08:00 and from 09:00 to 10:00, so shifts are served by wakes.
// At 09:30 the one worker coming on duty finds both of the early shift's workers still busy (till
// 10:30), and asks for a wake the next morning; the 11:00 shift must still get its wake.
TEST_F(Behaviour, AShiftThatFindsEveryoneBusyDoesNotKeepTheNextShiftWaiting) {
  std::ofstream(dir / "dienst.wth") << kDienst;
  DiagnosticList d;
  auto r = run(header("dienst") +
                   "arrivals by hour 0-6 0, 7 1, 8 0, 9 1, 10-23 0\n"
                   "duration werk = 150 min\n"
                   "capacity medewerker shifts 2 daily 08:00-09:00, 1 daily 09:30-10:00, 1 daily 11:00-12:00\n",
               d, RunOptions{0, true, 1, {}});
  ASSERT_TRUE(r) << render(d);
  auto work = work_on(*r, "werk", 150);
  ASSERT_GT(work.size(), 200U);
  expect_within_duty(work, [](const LocalMoment& m) {
    if (m.minute >= 8 * 60 && m.minute < 9 * 60) return 2;
    if (m.minute >= 9 * 60 + 30 && m.minute < 10 * 60) return 1;
    if (m.minute >= 11 * 60 && m.minute < 12 * 60) return 1;
    return 0;
  });
  int late_shift = 0;
  for (const auto& [from, to] : work) late_shift += local_moment(from).minute / 60 == 11 ? 1 : 0;
  // The queue never empties after the first morning: the 11:00 shift works every day.
  EXPECT_GT(late_shift, 100) << "the 11:00 shift took " << late_shift << " of " << work.size();
}

TEST_F(Behaviour, MistakesInShiftsAreLocated) {
  DiagnosticList d;
  auto r = run(header("verbod") +
                   "capacity medewerker shifts 2 weekdays 09:00-17:00\n"     // 9
                   "capacity medewerker shifts 2 daily 09:00-09:00\n"        // 10
                   "capacity medewerker shifts 2 daily 09:00-25:00\n"        // 11
                   "capacity medewerker shifts 0 daily 09:00-17:00\n",       // 12
               d);
  EXPECT_FALSE(r);
  std::string text = render(d);
  EXPECT_NE(text.find("t.sim:9:30: error: 'weekdays' is not a kind of day; write workdays, non-workdays or daily"),
            std::string::npos) << text;
  EXPECT_NE(text.find("t.sim:10:36: error: a shift must end at another time than it starts"), std::string::npos) << text;
  EXPECT_NE(text.find("t.sim:11:36: error: '09:00-25:00' is not hours like 09:00-17:00"), std::string::npos) << text;
  EXPECT_NE(text.find("t.sim:12:28: error: '0' is not a number of workers"), std::string::npos) << text;
  d = DiagnosticList();
  std::string many = "capacity medewerker shifts 1 daily 00:00-01:00";
  for (int i = 0; i < 24; ++i) many += ", 1 daily 01:00-02:00";
  r = run(header("verbod") + many + "\n", d);
  EXPECT_FALSE(r);
  text = render(d);
  EXPECT_NE(text.find("error: at most 24 shifts for a role"), std::string::npos) << text;
}

// A .sim file is untrusted: a line too long for a regular expression, a date that does not
// exist, a sweep whose copy is wrong, or a run too large to hold are located errors, not a
// crash or an endless run.
TEST_F(Behaviour, UntrustedSimulationFilesAreRefusedWithAReason) {
  DiagnosticList d;
  std::string long_cite(300'000, 'x');
  auto r = run(header("verbod") + "begin 2027-02-31\n" +                                   // 9
                   "sweep capacity medewerker {1, 2} cite \"" + long_cite + "\"\n" +       // 10
                   "sweep duration advies = {1 hour, 2 uur}\n" +                          // 11
                   "duration advies = " + std::string(200'000, '9') + " days\n" +          // 12
                   "output besluit.besluit = ja 100% when Wth.eerste_termijn = 99999999999999999 days\n",  // 13
               d);
  EXPECT_FALSE(r);
  std::string text = render(d);
  EXPECT_NE(text.find("t.sim:9:7: error: '2027-02-31' is not a date"), std::string::npos) << text.substr(0, 2000);
  EXPECT_NE(text.find("t.sim:11:1: error: with the sweep's value '2 uur': unknown unit 'uur'"), std::string::npos)
      << text.substr(0, 2000);
  EXPECT_NE(text.find("t.sim:12:19: error:"), std::string::npos) << text.substr(0, 2000);
  EXPECT_NE(text.find("t.sim:13:39: error: '99999999999999999' is not a term's amount"), std::string::npos)
      << text.substr(0, 2000);
  d = DiagnosticList();
  r = run(header("verbod") + "arrivals 100000 per day\nreplications 1000\nperiod 3000 days\n", d);
  EXPECT_FALSE(r);
  EXPECT_NE(render(d).find("cases in one replication"), std::string::npos) << render(d);
}

// The shipped comparison's old headline came from one assumption: care advices worked first come,
// first served, days after they open. Worked toward their deadline instead, the 14-day term no
// longer extends more bans than the 10-day term.
TEST(ShippedComparison, TheTenVersusFourteenResultMovesTheRightWayWhenTheCareAdviceIsSwept) {
  DiagnosticList d;
  std::string path = std::string(TERMIJN_SOURCE_DIR) + "/examples/simulation/termijn_10_vs_14.sim";
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Spec spec = parse_spec(std::make_shared<SourceFile>(path, std::move(text)), d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  spec.period_days = 60;
  spec.warmup_days = 5;
  spec.drain_days = 60;
  spec.replications = 2;
  spec.sweep_replications = 2;
  ASSERT_FALSE(spec.sweeps.empty());
  ASSERT_NE(spec.sweeps[0].text.find("triangular 3 days, 6 days, 11 days"), std::string::npos) << spec.sweeps[0].text;
  spec.sweeps.resize(1);
  auto r = simulate(spec, {TERMIJN_STDLIB_DIR}, d);
  ASSERT_TRUE(r) << render(d);
  const SweepResult& care = r->sweeps[0];
  ASSERT_EQ(care.points.size(), 3u);
  auto extended = [&](const SweepPoint& p) { return *find(p.difference[1], "moved einde"); };
  const KpiSummary on_time = extended(care.points[0]), first_come = extended(care.points[1]),
                   slower = extended(care.points[2]);
  EXPECT_LT(std::abs(on_time.mean), 0.02) << "toward the deadline: the same share extended under both terms";
  // The slower the advice, the more bans end under 10 days before the mayor can extend them,
  // while 14 days leaves time: 14 days extends more, and more so as the advice slows.
  EXPECT_GT(first_come.mean, on_time.mean);
  EXPECT_GT(slower.mean, first_come.mean + 0.05);
  EXPECT_GT(slower.mean - slower.half_width, 0.05) << "the difference is not chance";
}

}  // namespace
}  // namespace termijn::simulation
