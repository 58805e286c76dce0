// The scenario format's shared set-ups (`given`, `include`) and persons (`person NAME with ...`),
// and the checks against a process that come with them: persons' attributes, required fields.
// Files are written to a folder of their own, since `include` and `process ... from` read disk.
#include <gtest/gtest.h>

#include <fstream>
#include <unistd.h>

#include <fmt/format.h>

#include "engine/base/limits.h"
#include "engine/frontend/source_text.h"
#include "engine/scenario/scenario.h"

namespace termijn {
namespace {

namespace fs = std::filesystem;
using model::Type;
using TK = model::Type::Kind;
using scenario::Json;

const char* kLandelijk = "process landelijk from \"" TERMIJN_SOURCE_DIR "/processes/landelijk.wth\"\n";

class ScenarioFormat : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("scenario-format-{}-{}", ::getpid(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name, std::ios::binary) << text; }

  // Writes `text` as main.scenario and reads it as `termijn test` does.
  std::vector<scenario::Scenario> parse(const std::string& text, DiagnosticList& d, const std::string& name = "main.scenario") {
    write(name, text);
    auto read = read_text_file(dir_ / name);
    return scenario::parse(std::make_shared<SourceFile>((dir_ / name).string(), *read), d);
  }

  // The rendered diagnostics of `text`, with the folder's path taken out: "main.scenario:3:1: error: ...".
  std::string errors(const std::string& text) {
    DiagnosticList d;
    parse(text, d);
    std::string out = render(d), prefix = dir_.string() + "/";
    for (auto at = out.find(prefix); at != std::string::npos; at = out.find(prefix)) out.erase(at, prefix.size());
    return out;
  }

  fs::path dir_;
};

const std::string kOpgelegd =
    std::string("given \"opgelegd\"\n") + kLandelijk +
    "start 2026-10-20 14:00 on crisismelding with aanhouding=false, kindermishandeling=false\n"
    "day 0 14:10  complete criteria_toetsen by hovj with meerderjarig=true\n"
    "day 0 14:35  complete rihg by hovj with bedreiging=rood, fysiek=rood\n";

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

TEST_F(ScenarioFormat, AGivenSetUpComesBeforeTheScenariosOwnLines) {
  DiagnosticList d;
  auto s = parse(kOpgelegd + "\nscenario \"verlenging\"\ngiven \"opgelegd\"\nday 9 12:00 expect running\n", d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  ASSERT_EQ(s.size(), 1u) << "a set-up is not a scenario of its own";
  EXPECT_FALSE(s[0].broken);
  EXPECT_EQ(s[0].process, "landelijk");
  EXPECT_EQ(s[0].event, "crisismelding");
  EXPECT_EQ(s[0].data.at("aanhouding"), false);
  ASSERT_EQ(s[0].steps.size(), 3u);
  EXPECT_EQ(s[0].steps[0].name, "criteria_toetsen");
  EXPECT_EQ(s[0].steps[0].range.begin.line, 4) << "a set-up's line keeps its place, for failures and the timeline";
  EXPECT_EQ(s[0].steps[2].range.begin.line, 9);
  EXPECT_EQ(to_iso_utc(s[0].steps[2].at), "2026-10-29T11:00:00Z") << "day 9 counts from the set-up's start";
}

TEST_F(ScenarioFormat, ASetUpMayBuildOnOneAboveItAndAScenarioMayUseSeveral) {
  DiagnosticList d;
  auto s = parse(
      "given \"huishouden\"\nperson vader\n\n" + kOpgelegd +
          "\ngiven \"verlengd\"\ngiven \"opgelegd\"\nday 9 12:00 complete besluit_verlenging by burgemeester with besluit=verlengen\n"
          "\nscenario \"a\"\ngiven \"huishouden\"\ngiven \"verlengd\"\nday 10 expect running\n"
          "\nscenario \"b\"\ngiven \"opgelegd\"\ngiven \"huishouden\"\n",
      d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].event, "crisismelding") << "a set-up without a start leaves the start as it is";
  EXPECT_EQ(s[1].persons.size(), 1u);
  ASSERT_EQ(s[0].persons.size(), 1u);
  EXPECT_EQ(s[0].persons[0].name.text, "vader");
  ASSERT_EQ(s[0].steps.size(), 4u) << "opgelegd's two lines, verlengd's one, the scenario's one";
  EXPECT_EQ(s[0].steps[2].name, "besluit_verlenging");
}

TEST_F(ScenarioFormat, AnUnknownGivenIsLocatedWithTheNearestNameAndStopsOnlyItsScenario) {
  DiagnosticList d;
  auto s = parse(kOpgelegd + "\nscenario \"a\"\ngiven \"opgelegt\"\nday 1 expect running\n"
                             "\nscenario \"b\"\ngiven \"opgelegd\"\nday 1 expect running\n", d);
  EXPECT_HAS(render(d), "main.scenario:8:7: error: there is no given \"opgelegt\" above this line (did you mean 'opgelegd'?)");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_TRUE(s[0].broken);
  EXPECT_FALSE(s[1].broken);
}

TEST_F(ScenarioFormat, AGivenIsUsedAfterItIsWritten) {
  EXPECT_HAS(errors("given \"a\"\ngiven \"b\"\nperson x\n\ngiven \"b\"\nperson y\n"),
             "main.scenario:2:7: error: there is no given \"b\" above this line");
}

TEST_F(ScenarioFormat, AGivenDefinedTwiceIsAMistakeWithTheOtherPlace) {
  std::string text = errors(kOpgelegd + kOpgelegd);
  EXPECT_HAS(text, "main.scenario:6:1: error: given \"opgelegd\" is defined twice");
  EXPECT_HAS(text, "main.scenario:1:1: note: it is defined here");
}

TEST_F(ScenarioFormat, AGivenCannotUseItself) {
  EXPECT_HAS(errors("given \"a\"\ngiven \"a\"\nperson x\n"), "main.scenario:2:7: error: given \"a\" cannot use itself");
}

TEST_F(ScenarioFormat, GivenLinesHaveTheirPlace) {
  EXPECT_HAS(errors(kOpgelegd + "\nscenario \"a\"\ngiven \"opgelegd\"\nday 1 expect running\ngiven \"opgelegd\"\n"),
             "main.scenario:10:1: error: a given line comes right after a scenario's heading (to use a set-up) or before the "
             "first scenario (to write one)");
}

TEST_F(ScenarioFormat, AScenarioRunsOneProcess) {
  std::string own = errors(kOpgelegd + "\nscenario \"a\"\ngiven \"opgelegd\"\nprocess rotterdam from \"r.wth\"\n");
  EXPECT_HAS(own, "main.scenario:9:1: error: this line runs process 'rotterdam' from 'r.wth', but 'landelijk' from "
                  "'landelijk.wth' is named already; a scenario runs one process");
  EXPECT_HAS(own, "main.scenario:2:1: note: named here");
  std::string two = errors(kOpgelegd + "\ngiven \"rotterdam\"\nprocess rotterdam from \"r.wth\"\n"
                                       "\nscenario \"a\"\ngiven \"opgelegd\"\ngiven \"rotterdam\"\n");
  EXPECT_HAS(two, "main.scenario:12:1: error: given \"rotterdam\" runs process 'rotterdam'");
  // The same process named twice is no conflict.
  EXPECT_EQ(errors(kOpgelegd + "\nscenario \"a\"\ngiven \"opgelegd\"\n" + kLandelijk), "");
}

TEST_F(ScenarioFormat, ACaseStartsOnce) {
  std::string text = errors(kOpgelegd + "\nscenario \"a\"\ngiven \"opgelegd\"\nstart 2026-10-21 14:00 on crisismelding\n");
  EXPECT_HAS(text, "main.scenario:9:1: error: this line starts the case, but it has started already; a scenario starts its case once");
  EXPECT_HAS(text, "main.scenario:3:1: note: it starts here");
  EXPECT_HAS(errors(kOpgelegd + "\ngiven \"ook\"\ngiven \"opgelegd\"\n\nscenario \"a\"\ngiven \"opgelegd\"\ngiven \"ook\"\n"),
             "main.scenario:12:1: error: given \"ook\" starts the case, but it has started already");
}

TEST_F(ScenarioFormat, AScenarioLineMayNotGoBackBeforeItsGivensLastLine) {
  std::string text = errors(kOpgelegd + "\nscenario \"a\"\ngiven \"opgelegd\"\nday 0 14:20 expect running\n");
  EXPECT_HAS(text, "main.scenario:9:1: error: this line goes back in time: the line before it (main.scenario:5) is at 2026-10-20 14:35");
}

TEST_F(ScenarioFormat, ATimelineLineNeedsAStartAbove) {
  EXPECT_HAS(errors(std::string("scenario \"a\"\n") + kLandelijk + "day 1 expect running\n"),
             "main.scenario:3:1: error: a timeline line needs the start line above it");
}

TEST_F(ScenarioFormat, ASetUpsMistakeIsReportedOnceAndStopsEveryScenarioUsingIt) {
  DiagnosticList d;
  auto s = parse(std::string("given \"kapot\"\n") + kLandelijk + "start 2026-10-20 14:00 on crisismelding\nday 1 frobnicate\n"
                 "\nscenario \"a\"\ngiven \"kapot\"\n\nscenario \"b\"\ngiven \"kapot\"\n", d);
  EXPECT_EQ(d.error_count(), 1) << render(d);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_TRUE(s[0].broken);
  EXPECT_TRUE(s[1].broken);
}

TEST_F(ScenarioFormat, AnIncludeBringsItsFilesGivensNotItsScenarios) {
  write("common.scenario", kOpgelegd + "\nscenario \"van common\"\ngiven \"opgelegd\"\n");
  DiagnosticList d;
  auto s = parse("include \"common.scenario\"\n\nscenario \"a\"\ngiven \"opgelegd\"\nday 9 expect running\n", d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].name, "a");
  ASSERT_EQ(s[0].steps.size(), 3u);
  EXPECT_EQ(fs::path(s[0].steps[0].range.file->path()).filename(), "common.scenario");
}

TEST_F(ScenarioFormat, AMistakeInAnIncludedFileIsLocatedThere) {
  write("common.scenario", "given \"kapot\"\nperson x with a=\"open\n");
  std::string text = errors("include \"common.scenario\"\n\nscenario \"a\"\ngiven \"kapot\"\n");
  EXPECT_HAS(text, "common.scenario:2:17: error: this text has no closing quote");
  EXPECT_EQ(text.find("main.scenario"), std::string::npos) << "the scenario using it is stopped without a second error";
  write("big.scenario", "# " + std::string(limits::kSourceBytes, 'x') + "\n");
  // (Not printed on failure: the message shows the megabyte line.)
  EXPECT_NE(errors("include \"big.scenario\"\n").find("big.scenario:1:1048577: error: the file is 1048577 bytes"), std::string::npos);
}

TEST_F(ScenarioFormat, AnIncludedFilesMistakeIsReportedOnceWhenItIsAlsoReadOnItsOwn) {
  write("common.scenario", "given \"kapot\"\nperson\n");
  DiagnosticList d;
  auto read = read_text_file(dir_ / "common.scenario");
  scenario::parse(std::make_shared<SourceFile>((dir_ / "common.scenario").string(), *read), d);
  parse("include \"common.scenario\"\n", d);
  parse("include \"common.scenario\"\n", d, "other.scenario");
  EXPECT_EQ(d.error_count(), 1) << render(d);
}

TEST_F(ScenarioFormat, IncludesMayNotCycle) {
  write("a.scenario", "include \"b.scenario\"\n");
  write("b.scenario", "include \"main.scenario\"\n");
  EXPECT_HAS(errors("include \"a.scenario\"\n"),
             "b.scenario:1:1: error: this include makes a cycle: main.scenario -> a.scenario -> b.scenario -> main.scenario");
  EXPECT_HAS(errors("include \"main.scenario\"\n"), "main.scenario:1:1: error: this include makes a cycle");
}

// limits::kIncludeDepth, as tests/unit/limits_test.cc tests the others: main.scenario includes
// f1, f1 includes f2, ..., down to a file with a set-up.
TEST_F(ScenarioFormat, IncludeDepthLimit) {
  auto chain = [&](std::size_t depth) {
    for (std::size_t i = 1; i < depth; ++i) write(fmt::format("f{}.scenario", i), fmt::format("include \"f{}.scenario\"\n", i + 1));
    write(fmt::format("f{}.scenario", depth), "given \"diep\"\nperson x\n");
    return errors("include \"f1.scenario\"\n");
  };
  EXPECT_EQ(chain(limits::kIncludeDepth), "") << "at the limit";
  EXPECT_HAS(chain(limits::kIncludeDepth + 1),
             fmt::format("f{}.scenario:1:1: error: includes nest more than {} deep here (limit: include depth)",
                         limits::kIncludeDepth, limits::kIncludeDepth));
}

// limits::kScenarioMemory: a set-up with one long line, taken in by as many scenarios as fit, then
// by one more. Each copy counts, as it would be held in memory: a step's size and 16 bytes per
// byte of its text.
TEST_F(ScenarioFormat, ScenarioMemoryLimit) {
  const std::string line = "person x with naam=\"" + std::string(100'000, 'a') + "\"";
  const std::size_t memory = sizeof(scenario::Step) + 16 * line.size();
  const std::size_t fit = limits::kScenarioMemory / memory - 1;  // and the set-up itself
  auto taken_in = [&](std::size_t scenarios) {
    std::string text = "given \"groot\"\n" + line + "\n";
    for (std::size_t i = 0; i < scenarios; ++i) text += fmt::format("scenario \"s{}\"\ngiven \"groot\"\n", i);
    return errors(text);
  };
  const std::string refused = fmt::format(
      "error: with the givens they take in, the scenarios here would take more than {} MiB of memory (limit: "
      "scenario memory)",
      limits::kScenarioMemory >> 20);
  EXPECT_EQ(taken_in(fit).find(refused), std::string::npos) << "at the limit";
  EXPECT_HAS(taken_in(fit + 1), fmt::format("main.scenario:{}:1: {}", 2 * fit + 4, refused));
}

TEST_F(ScenarioFormat, IncludeMistakes) {
  EXPECT_HAS(errors("include \"nergens.scenario\"\n"), "main.scenario:1:1: error: cannot read '");
  EXPECT_HAS(errors("given \"a\"\nperson x\ninclude \"a.scenario\"\n"),
             "main.scenario:3:1: error: include lines come first in a scenario file, before any given or scenario");
  write("common.scenario", kOpgelegd);
  std::string twice = errors("include \"common.scenario\"\n" + kOpgelegd);
  EXPECT_HAS(twice, "main.scenario:2:1: error: given \"opgelegd\" is defined twice");
  EXPECT_HAS(twice, "common.scenario:1:1: note: it is defined here");
  // A failed include stops the file's scenarios, without a second error for each given they use.
  std::string failed = errors("include \"nergens.scenario\"\n\nscenario \"a\"\ngiven \"opgelegd\"\n");
  EXPECT_EQ(failed.find("there is no given"), std::string::npos) << failed;
}

TEST_F(ScenarioFormat, PersonLines) {
  DiagnosticList d;
  auto s = parse(std::string("scenario \"a\"\n") + kLandelijk +
                     "person vader with geboortedatum=1990-05-01, naam=\"Jan\"\nperson K1\n"
                     "start 2026-10-20 14:00 on crisismelding with aanhouding=false, kindermishandeling=false\n",
                 d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  ASSERT_EQ(s[0].persons.size(), 2u);
  EXPECT_EQ(s[0].persons[0].attributes, (Json{{"geboortedatum", "1990-05-01 00:00"}, {"naam", "Jan"}}));
  EXPECT_EQ(s[0].persons[0].attribute_words.size(), 2u);
  EXPECT_TRUE(s[0].persons[1].attributes.empty());

  std::string text = errors(std::string("scenario \"a\"\n") + kLandelijk + "person x with id=3\nperson y\nperson y\n"
                            "start 2026-10-20 14:00 on crisismelding\nperson z\n");
  EXPECT_HAS(text, "main.scenario:3:15: error: a person's id is its name, written after 'person'; it is not an attribute");
  EXPECT_HAS(text, "main.scenario:5:1: error: this line declares person 'y' again");
  EXPECT_HAS(text, "main.scenario:7:1: error: person lines come before the start line and the timeline");
  EXPECT_HAS(errors("given \"h\"\nperson y\n\nscenario \"a\"\ngiven \"h\"\ngiven \"h\"\n"),
             "main.scenario:6:1: error: given \"h\" declares person 'y' again");
}

// A process built by hand, with what the checker fills from `persons { ... }` and `required`.
model::Process process_with_persons() {
  model::Process p;
  p.name = "melding";
  p.events = {"melding"};
  p.roles = {"hovj"};
  p.fields = {{"uithuisgeplaatste", Type::of(TK::kPerson), {}, true},
              {"kinderen", Type::list_of(TK::kPerson), {}, false},
              {"adres", Type::of(TK::kText), {}, false}};
  p.person_attributes = {{"geboortedatum", Type::of(TK::kDateTime), {}, false}, {"naam", Type::of(TK::kText), {}, false}};
  model::Node task;
  task.kind = model::NodeKind::kTask;
  task.name = "beoordelen";
  task.outputs = {{"contactpersoon", Type::of(TK::kPerson), {}, false}};
  p.nodes = {task};
  return p;
}

TEST_F(ScenarioFormat, PersonNamesInPersonFieldsBecomeThePersons) {
  DiagnosticList d;
  auto s = parse(std::string("scenario \"a\"\n") + kLandelijk +
                     "person vader with naam=\"Jan\"\nperson K1\n"
                     "start 2026-10-20 14:00 on melding with uithuisgeplaatste=vader, kinderen=[K1, \"K2\"], adres=vader\n"
                     "day 1 update kinderen=[\"K1\"]\n"
                     "day 1 complete beoordelen by hovj with contactpersoon=vader\n",
                 d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  scenario::Scenario run = scenario::with_persons(s[0], process_with_persons());
  EXPECT_EQ(run.data.at("uithuisgeplaatste"), (Json{{"id", "vader"}, {"naam", "Jan"}}));
  EXPECT_EQ(run.data.at("kinderen"), (Json::array({Json{{"id", "K1"}}, "K2"}))) << "K2 is not declared: an id alone";
  EXPECT_EQ(run.data.at("adres"), "vader") << "a text field keeps its text";
  EXPECT_EQ(run.steps[0].data.at("kinderen"), Json::array({Json{{"id", "K1"}}})) << "quoted or bare, a name is a name";
  EXPECT_EQ(run.steps[1].data.at("contactpersoon"), (Json{{"id", "vader"}, {"naam", "Jan"}})) << "an output of type person";
}

TEST_F(ScenarioFormat, PersonsAttributesAreCheckedAgainstTheProcess) {
  DiagnosticList d;
  auto s = parse(std::string("scenario \"a\"\n") + kLandelijk +
                     "person vader with naam=\"Jan\", geboortedatm=1990-05-01\nperson moeder with geboortedatum=gisteren\n"
                     "start 2026-10-20 14:00 on melding with uithuisgeplaatste=vader\n",
                 d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  DiagnosticList checked;
  EXPECT_FALSE(scenario::check(s[0], process_with_persons(), checked));
  std::string text = render(checked);
  EXPECT_HAS(text, "main.scenario:3:31: error: process 'melding' has no person attribute 'geboortedatm' (did you mean 'geboortedatum'?)");
  EXPECT_HAS(text, "main.scenario:4:20: error: person 'moeder', geboortedatum: expected a moment");
  EXPECT_EQ(checked.error_count(), 2) << text;

  model::Process without = process_with_persons();
  without.person_attributes.clear();
  DiagnosticList none;
  scenario::check(s[0], without, none);
  EXPECT_HAS(render(none), "has no person attribute 'naam': it declares none (persons { ... })");
}

TEST_F(ScenarioFormat, AStartGivesEveryRequiredField) {
  DiagnosticList d;
  auto s = parse(std::string("scenario \"a\"\n") + kLandelijk + "start 2026-10-20 14:00 on melding with adres=\"x\"\n"
                 "\nscenario \"b\"\n" + kLandelijk + "start 2026-10-20 14:00 on melding with uithuisgeplaatste=iemand\n", d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  DiagnosticList checked;
  EXPECT_FALSE(scenario::check(s[0], process_with_persons(), checked));
  EXPECT_HAS(render(checked), "main.scenario:3:1: error: the start of process 'melding' requires uithuisgeplaatste; add uithuisgeplaatste=...");
  DiagnosticList clean;
  EXPECT_TRUE(scenario::check(s[1], process_with_persons(), clean)) << render(clean);
}

// The same checks on a compiled process (tests/constructs/scenarios/persons.wth), as `termijn test` runs them.
TEST_F(ScenarioFormat, ACompiledProcessesPersonsAndRequiredFieldsAreChecked) {
  DiagnosticList d;
  auto s = parse("scenario \"a\"\nprocess gezin from \"" TERMIJN_SOURCE_DIR "/tests/constructs/scenarios/persons.wth\"\n"
                 "person Sanne with relatie=kindje\nperson Daan with relatei=kind\n"
                 "start 2026-10-20 14:00 on melding with achterblijvers=[Sanne, Daan]\n", d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  auto outcomes = scenario::run(s, {TERMIJN_STDLIB_DIR}, fs::temp_directory_path(), d);
  EXPECT_TRUE(outcomes.empty()) << "a scenario that does not check is not run";
  std::string text = render(d);
  EXPECT_HAS(text, "main.scenario:3:19: error: person 'Sanne', relatie: expected one of kind, partner");
  EXPECT_HAS(text, "main.scenario:4:18: error: process 'gezin' has no person attribute 'relatei' (did you mean 'relatie'?)");
  EXPECT_HAS(text, "main.scenario:5:1: error: the start of process 'gezin' requires uithuisgeplaatste; add uithuisgeplaatste=...");
}

TEST_F(ScenarioFormat, ASetUpsMistakeAgainstTheProcessIsReportedOnce) {
  DiagnosticList d;
  auto s = parse(std::string("given \"g\"\n") + kLandelijk + "start 2026-10-20 14:00 on melding with uithuisgeplaatste=x, adress=1\n"
                 "\nscenario \"a\"\ngiven \"g\"\n\nscenario \"b\"\ngiven \"g\"\n", d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  DiagnosticList checked;
  scenario::check(s[0], process_with_persons(), checked);
  scenario::check(s[1], process_with_persons(), checked);
  EXPECT_EQ(checked.error_count(), 1) << render(checked);
  EXPECT_HAS(render(checked), "main.scenario:3:61: error: process 'melding' has no case field 'adress' (did you mean 'adres'?)");
}

TEST_F(ScenarioFormat, WhoIsNeverToldIsCheckedOnceTheTimelineHasRun) {
  DiagnosticList d;
  auto s = parse(std::string("scenario \"a\"\n") + kLandelijk +
                     "start 2026-10-20 14:00 on crisismelding\n"
                     "day 0 14:10 expect notified openbaar_ministerie never\n"
                     "day 0 14:10 expect notified person vader \"verlengd\" never\n"
                     "day 0 14:10 expect notified hovj \"te laat\"\n",
                 d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  ASSERT_EQ(s[0].steps.size(), 3u);
  EXPECT_EQ(s[0].steps[0].what, scenario::Step::What::kNotifiedNever);
  EXPECT_FALSE(s[0].steps[0].contains.has_value()) << "never told anything";
  EXPECT_EQ(s[0].steps[1].what, scenario::Step::What::kNotifiedNever);
  EXPECT_EQ(*s[0].steps[1].person, "vader");
  EXPECT_EQ(*s[0].steps[1].contains, "verlengd");
  EXPECT_EQ(s[0].steps[2].what, scenario::Step::What::kNotified);
  EXPECT_HAS(errors(std::string("scenario \"b\"\n") + kLandelijk + "start 2026-10-20 14:00 on crisismelding\n"
                    "day 0 14:10 expect notified hovj \"x\" nooit\n"),
             "unexpected 'nooit' at the end of the line");
}

TEST_F(ScenarioFormat, AStartThatMustBeRefusedHasNoTimelineAndNeedsNoRequiredFields) {
  DiagnosticList d;
  auto s = parse(std::string("scenario \"geweigerd\"\n") + kLandelijk +
                     "start 2026-10-20 14:00 on melding with adres=\"x\" fails \"requires case field 'uithuisgeplaatste'\"\n",
                 d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  ASSERT_EQ(s.size(), 1u);
  ASSERT_TRUE(s[0].start_fails.has_value());
  EXPECT_EQ(*s[0].start_fails, "requires case field 'uithuisgeplaatste'");
  DiagnosticList checked;
  EXPECT_TRUE(scenario::check(s[0], process_with_persons(), checked)) << "the refusal is the point: " << render(checked);
  EXPECT_EQ(errors(std::string("scenario \"x\"\n") + kLandelijk +
                   "start 2026-10-20 14:00 on crisismelding fails \"iets\"\nday 1 09:00 expect running\n"),
            "main.scenario:4:1: error: the start line says the start fails: there is no case for a timeline to run on\n"
            "  day 1 09:00 expect running\n  ^~~~~~~~~~~~~~~~~~~~~~~~~~\n");
}

}  // namespace
}  // namespace termijn
