// The scenario format: what a coordinator's mistakes look like, and what a failing scenario says.
#include "engine/scenario/scenario.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace termijn {
namespace {

std::vector<scenario::Scenario> parse(const std::string& text, DiagnosticList& d) {
  std::string path = std::string(TERMIJN_SOURCE_DIR) + "/processes/scenarios/test.scenario";
  return scenario::parse(std::make_shared<SourceFile>(path, text), d);
}

const char* kHeader =
    "scenario \"x\"\n"
    "process landelijk from \"../landelijk.wth\"\n"
    "start 2026-10-20 14:00 on crisismelding with aanhouding=false, kindermishandeling=false\n";

TEST(Scenario, ParsesTimesRelativeToTheStartDay) {
  DiagnosticList d;
  auto s = parse(std::string(kHeader) + "day 10 14:35 expect running\nday 11 expect level 0\n", d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  ASSERT_EQ(s.size(), 1u);
  ASSERT_EQ(s[0].steps.size(), 2u);
  EXPECT_EQ(to_iso_utc(s[0].steps[0].at), "2026-10-30T13:35:00Z") << "day 10, after summer time ended";
  EXPECT_EQ(to_iso_utc(s[0].steps[1].at), "2026-10-31T13:00:00Z") << "the start's clock time";
  EXPECT_EQ(s[0].data.at("aanhouding"), false);
}

TEST(Scenario, MistakesAreDiagnosticsWithTheirPlace) {
  DiagnosticList d;
  parse(std::string(kHeader) + "day 2 expect running\nday 1 expect running\nweek 3 nothing\nday 4 complete\n", d);
  std::string text = render(d);
  EXPECT_NE(text.find("test.scenario:5:1: error: this line goes back in time"), std::string::npos) << text;
  EXPECT_NE(text.find("test.scenario:6:1: error: unknown line 'week'"), std::string::npos) << text;
  EXPECT_NE(text.find("test.scenario:7:15: error: expected the task's step name here"), std::string::npos) << text;
}

TEST(Scenario, AFailingExpectationNamesItsLineAndShowsTheTimeline) {
  DiagnosticList d;
  auto s = parse(std::string(kHeader) + "day 0 15:00 expect task rihg open\n", d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  auto outcomes = scenario::run(s, {TERMIJN_STDLIB_DIR}, std::filesystem::temp_directory_path(), d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_FALSE(outcomes[0].passed);
  ASSERT_EQ(outcomes[0].failures.size(), 1u);
  EXPECT_NE(outcomes[0].failures[0].find("test.scenario:4:1: expected task 'rihg' open, but it is not"), std::string::npos)
      << outcomes[0].failures[0];
  bool shows_open_task = false;
  for (const auto& line : outcomes[0].timeline) shows_open_task |= line.find("task opened step=criteria_toetsen") != std::string::npos;
  EXPECT_TRUE(shows_open_task);
}

TEST(Scenario, NamesAreCheckedAgainstTheProcess) {
  DiagnosticList d;
  auto s = parse(std::string(kHeader) + "day 0 complete criteria_toetsn by hovj\n", d);
  scenario::run(s, {TERMIJN_STDLIB_DIR}, std::filesystem::temp_directory_path(), d);
  EXPECT_NE(render(d).find("has no task 'criteria_toetsn' (did you mean 'criteria_toetsen'?)"), std::string::npos)
      << render(d);
}

TEST(Scenario, AnHourOf25OrAMinuteOf60IsAMistakeWhereItIsWritten) {
  DiagnosticList d;
  parse(std::string(kHeader) + "day 1 25:00 expect running\nday 2 14:60 expect running\nat 2026-10-25 24:00 expect running\n", d);
  std::string text = render(d);
  EXPECT_NE(text.find("test.scenario:4:7: error: '25:00' is not a time of day"), std::string::npos) << text;
  EXPECT_NE(text.find("test.scenario:5:7: error: '14:60' is not a time of day"), std::string::npos) << text;
  EXPECT_NE(text.find("test.scenario:6:15: error: '24:00' is not a time of day"), std::string::npos) << text;
}

TEST(Scenario, OneBadLineStopsOnlyItsOwnScenario) {
  DiagnosticList d;
  std::string second = std::string(kHeader);
  second.replace(second.find("\"x\""), 3, "\"y\"");
  auto s = parse(std::string(kHeader) + "day 1 complete\n" + second + "day 0 14:10 expect task criteria_toetsen open\n", d);
  ASSERT_TRUE(d.has_errors());
  ASSERT_EQ(s.size(), 2u);
  EXPECT_TRUE(s[0].broken);
  EXPECT_FALSE(s[1].broken);
  auto outcomes = scenario::run(s, {TERMIJN_STDLIB_DIR}, std::filesystem::temp_directory_path(), d);
  ASSERT_EQ(outcomes.size(), 1u) << "the broken scenario is not run, the other one is";
  EXPECT_EQ(outcomes[0].scenario, "y");
  EXPECT_TRUE(outcomes[0].passed);
}

TEST(Scenario, ExpectNeverFailsWhenTheTaskOpensLaterInTheTimeline) {
  DiagnosticList d;
  auto s = parse(std::string(kHeader) + "day 0 14:05 expect task rihg never\n"
                 "day 0 14:10 complete criteria_toetsen by hovj with meerderjarig=true, "
                 "ernstig_en_onmiddellijk_gevaar=true, woont_anders_dan_incidenteel=true\n"
                 "day 0 14:20 expect task zsm_bespreking never\n", d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  auto outcomes = scenario::run(s, {TERMIJN_STDLIB_DIR}, std::filesystem::temp_directory_path(), d);
  ASSERT_EQ(outcomes.size(), 1u);
  ASSERT_EQ(outcomes[0].failures.size(), 1u);
  EXPECT_NE(outcomes[0].failures[0].find("test.scenario:4:1: expected task 'rihg' never to open, but it opened at"),
            std::string::npos) << outcomes[0].failures[0];
}

}  // namespace
}  // namespace termijn
