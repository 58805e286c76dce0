// `termijn diff` over the shipped variants: what each changes in steps, terms and time.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/diff/diff.h"
#include "engine/driver/compilation.h"
#include "tests/unit/test_support.h"

namespace termijn {
namespace {

struct Shipped {
  Compilation compilation;
  const model::Process& process(const std::string& name) const {
    const model::Process* p = compilation.model->find(name);
    if (p == nullptr) throw std::runtime_error("no process " + name + ":\n" + render(compilation.diagnostics));
    return *p;
  }
};

Shipped shipped(const std::string& file) {
  return {compile_paths({std::string(TERMIJN_SOURCE_DIR) + "/processes/" + file}, {TERMIJN_STDLIB_DIR})};
}

const diff::StepDiff* step(const diff::ProcessDiff& d, const std::string& name) {
  auto it = std::find_if(d.steps.begin(), d.steps.end(), [&](const diff::StepDiff& s) { return s.name == name; });
  return it == d.steps.end() ? nullptr : &*it;
}

const diff::TimelineEntry* entry(const diff::ProcessDiff& d, const std::string& text_start) {
  for (const auto& e : d.timeline) {
    if (e.text.rfind(text_start, 0) == 0) return &e;
  }
  return nullptr;
}

TEST(Diff, RotterdamAddsTheWeighingTeamAndAFasterRihg) {
  Shipped s = shipped("rotterdam.wth");
  diff::ProcessDiff d = diff::compare(s.process("landelijk"), s.process("rotterdam"));
  for (const char* added : {"weegteam_beoordeling", "juridisch_advies", "besluit_screening", "screening_bpz",
                            "screening_hulpverlening"}) {
    ASSERT_NE(step(d, added), nullptr) << added << "\n" << diff::render_text(d);
    EXPECT_EQ(step(d, added)->status, diff::StepStatus::kAdded) << added;
  }
  const diff::StepDiff* rihg = step(d, "rihg");
  ASSERT_NE(rihg, nullptr);
  ASSERT_EQ(rihg->changes.size(), 1u) << diff::render_text(d);
  EXPECT_EQ(rihg->changes[0].what, "deadline");
  EXPECT_EQ(rihg->changes[0].before, "within Praktijk.rihg_landelijk (8 hours)");
  EXPECT_EQ(rihg->changes[0].after, "within Praktijk.rihg_rotterdam (4 hours)");
  // Nothing else of the baseline changed.
  EXPECT_EQ(std::count_if(d.steps.begin(), d.steps.end(), [](const auto& x) { return x.status != diff::StepStatus::kAdded; }), 1);
  // In time: the RiHG opens after the screenings, so only its distance from opening is known.
  const diff::TimelineEntry* due = entry(d, "rihg due");
  ASSERT_NE(due, nullptr) << diff::render_text(d);
  EXPECT_FALSE(due->when.known);
  EXPECT_EQ(due->when.at, "4 hours after rihg opens");
  EXPECT_NE(due->text.find("(was 8 hours after rihg opens)"), std::string::npos) << due->text;
  EXPECT_NE(due->when.condition.find("screening_bpz is done"), std::string::npos) << due->when.condition;
  // The weighing team's rung fires at its deadline, counted from the start of the case.
  const diff::TimelineEntry* rung = entry(d, "weegteam_beoordeling escalates: notify jurist (added)");
  ASSERT_NE(rung, nullptr) << diff::render_text(d);
  EXPECT_TRUE(rung->when.known);
  EXPECT_EQ(rung->when.anchor, "start");
}

TEST(Diff, Voorstel2024MovesTheEndAndEverythingCountedFromIt) {
  Shipped s = shipped("voorstel_2024.wth");
  diff::ProcessDiff d = diff::compare(s.process("landelijk"), s.process("voorstel_2024"));
  auto term = std::find_if(d.terms.begin(), d.terms.end(), [](const auto& t) { return t.term == "Wth.eerste_termijn"; });
  ASSERT_NE(term, d.terms.end()) << diff::render_text(d);
  EXPECT_EQ(term->before, "10 days");
  EXPECT_EQ(term->after, "14 days");
  const diff::TimelineEntry* end = entry(d, "timer einde goes off");
  ASSERT_NE(end, nullptr) << diff::render_text(d);
  EXPECT_TRUE(end->when.known);
  EXPECT_EQ(end->when.anchor, "opgelegd");
  EXPECT_EQ(end->when.at, "day 14");
  EXPECT_NE(end->text.find("(was day 10)"), std::string::npos) << end->text;
  // The care advice is due two days before the end (Aanname.zorgadvies_voor_einde): day 12, not 8.
  const diff::TimelineEntry* advice = entry(d, "zorgadvies due");
  ASSERT_NE(advice, nullptr) << diff::render_text(d);
  EXPECT_EQ(advice->when.at, "day 12");
  EXPECT_NE(advice->text.find("(was day 8)"), std::string::npos) << advice->text;
  // The extension to 28 days counts from the imposition, not from the end: it does not move.
  EXPECT_EQ(entry(d, "timer einde when moved"), nullptr) << diff::render_text(d);
  // The RiHG's new items are new outputs of its task, listed once, not as two whole lists.
  ASSERT_NE(step(d, "rihg"), nullptr);
  EXPECT_EQ(step(d, "rihg")->changes.at(0).what, "outputs");
  EXPECT_EQ(step(d, "rihg")->changes.at(0).after.rfind("added eerste_incident: one of (rood, blauw, geel), ", 0), 0u);
  // The steps counted from the end were not edited: they are no step changes.
  EXPECT_EQ(step(d, "zorgadvies"), nullptr);
}

TEST(Diff, AProcessAgainstItselfHasNoDifferences) {
  Shipped s = shipped("landelijk.wth");
  diff::ProcessDiff d = diff::compare(s.process("landelijk"), s.process("landelijk"));
  EXPECT_TRUE(d.empty()) << diff::render_text(d);
  EXPECT_NE(diff::render_text(d).find("no differences"), std::string::npos);
  EXPECT_FALSE(diff::to_json(d)["differences"].get<bool>());
}

TEST(Diff, ANewVersionThatEscalatesElsewhereSaysSoAtItsMoment) {
  const char* before = R"(
process p version 1 {
  roles a, b, c
  events melding
  start on melding
  milestone begin
  timer einde = begin + 10 days
  task advies by a due einde - 2 days {
    escalate { at due: reassign to b }
  }
}
)";
  std::string after = before;
  after.replace(after.find("version 1"), 9, "version 2");
  after.replace(after.find("reassign to b"), 13, "reassign to c");
  auto old_version = testing::compile_text(before);
  auto new_version = testing::compile_text(after);
  diff::ProcessDiff d = diff::compare(old_version.process("p"), new_version.process("p"));
  ASSERT_EQ(d.timeline.size(), 1u) << diff::render_text(d);
  EXPECT_EQ(d.timeline[0].when.at, "day 8");
  EXPECT_EQ(d.timeline[0].text, "advies escalates: reassign to c instead of reassign to b");
  ASSERT_NE(step(d, "advies"), nullptr);
  EXPECT_EQ(step(d, "advies")->changes.at(0).what, "escalation rung 1");
  ASSERT_EQ(d.process.size(), 1u);
  EXPECT_EQ(d.process[0].what, "version");
}

}  // namespace
}  // namespace termijn
