// The checker as a compiler: what a valid program compiles to. (What it says about broken
// programs is in the golden files under tests/golden/diagnostics.)
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/model/model.h"
#include "test_support.h"

namespace termijn {
namespace {

using testing::compile_text;
using model::NodeKind;

const char* kBase = R"(
import wth
process basis {
  roles hovj, burgemeester, hulpverlening
  events melding, intrekking
  case { kinderen: list<person> }
  start on melding
  task rihg by hovj within 8 hours { output uitkomst: one of (opleggen, niet_opleggen) }
  decide besluit {
    when rihg.uitkomst == opleggen -> opgelegd
    when rihg.uitkomst == niet_opleggen { end "geen huisverbod" }
  }
  milestone opgelegd
  stage uitvoeren {
    timer einde = opgelegd + Wth.eerste_termijn
    for each kind in kinderen { task jeugdhulp by hulpverlening within 3 days }
    task zorgadvies by hulpverlening due einde - 2 days {
      escalate {
        1 day before due: notify burgemeester
        at due: reassign to burgemeester and raise level 1
      }
    }
    wait until einde
    on intrekking interrupting { notify hovj "ingetrokken" }
  }
}
)";

TEST(Checker, CompilesAGraphWithResolvedReferences) {
  auto c = compile_text(kBase);
  ASSERT_FALSE(c.diagnostics.has_errors()) << c.errors();
  const model::Process& p = c.process("basis");
  EXPECT_EQ(p.version, 1);
  ASSERT_EQ(p.starts.size(), 1u);
  EXPECT_EQ(p.nodes[p.starts[0]].next.at(0).target, p.find_node("rihg")->id);

  const model::Node* besluit = p.find_node("besluit");
  ASSERT_NE(besluit, nullptr);
  EXPECT_EQ(besluit->kind, NodeKind::kDecision);
  ASSERT_EQ(besluit->next.size(), 2u);
  EXPECT_EQ(besluit->next[0].target, p.find_node("opgelegd")->id);
  EXPECT_EQ(model::to_source(*besluit->next[0].condition), "rihg.uitkomst == opleggen");
  EXPECT_EQ(besluit->next[0].condition->operands[0].node, p.find_node("rihg")->id);

  const model::Node* zorgadvies = p.find_node("zorgadvies");
  ASSERT_TRUE(zorgadvies->due.has_value());
  EXPECT_EQ(model::to_source(*zorgadvies->due), "einde - 2 days");
  EXPECT_EQ(zorgadvies->due->operands[0].kind, model::Expr::Kind::kReached);
  EXPECT_EQ(zorgadvies->due->operands[0].node, p.find_node("einde")->id);
  ASSERT_EQ(zorgadvies->escalation.size(), 2u);
  EXPECT_EQ(zorgadvies->escalation[0].offset.days, -1);
  EXPECT_EQ(zorgadvies->escalation[1].reassign_to, "burgemeester");
  EXPECT_EQ(zorgadvies->escalation[1].raise_level, 1);
}

TEST(Checker, UsedTermsCarryValueAndCitation) {
  auto c = compile_text(kBase);
  const model::Process& p = c.process("basis");
  const model::LegalTerm* term = p.find_term("Wth.eerste_termijn");
  ASSERT_NE(term, nullptr);
  EXPECT_EQ(term->value.days, 10);
  EXPECT_EQ(term->cite, "art. 2 lid 1 Wth");
  EXPECT_EQ(p.find_term("Wth.verlengd_totaal"), nullptr) << "only terms the process uses";
}

TEST(Checker, ForEachHasABodyAndAnEmptyListRoute) {
  auto c = compile_text(kBase);
  const model::Process& p = c.process("basis");
  const model::Node* split = nullptr;
  for (const auto& n : p.nodes) {
    if (n.kind == NodeKind::kForEachSplit) split = &n;
  }
  ASSERT_NE(split, nullptr);
  EXPECT_EQ(split->target, "kind");
  ASSERT_EQ(split->next.size(), 2u);
  EXPECT_EQ(split->next[0].target, p.find_node("jeugdhulp")->id);
  EXPECT_EQ(split->next[1].target, split->partner);
  EXPECT_EQ(p.nodes[split->partner].kind, NodeKind::kForEachJoin);
}

TEST(Checker, StagesAreScopesWithTheirHandlers) {
  auto c = compile_text(kBase);
  const model::Process& p = c.process("basis");
  ASSERT_EQ(p.scopes.size(), 2u);
  const model::Scope& stage = p.scopes[1];
  EXPECT_EQ(stage.name, "uitvoeren");
  ASSERT_EQ(stage.handlers.size(), 1u);
  EXPECT_TRUE(stage.handlers[0].interrupting);
  const model::Node& entry = p.nodes[stage.handlers[0].entry];
  EXPECT_EQ(entry.kind, NodeKind::kNotify);
  EXPECT_EQ(entry.scope, 0) << "an interrupting handler's steps run outside the stage it ends";
  EXPECT_EQ(entry.next.at(0).target, stage.exit);
  EXPECT_EQ(p.find_node("zorgadvies")->scope, 1);
}

TEST(Checker, HashIgnoresLayoutButNotMeaning) {
  auto a = compile_text(kBase);
  std::string reformatted = std::string("// a comment\n") + kBase;
  for (auto pos = reformatted.find("  "); pos != std::string::npos; pos = reformatted.find("  ", pos + 1)) {
    reformatted.replace(pos, 2, " ");
  }
  auto b = compile_text(reformatted);
  std::string changed = kBase;
  changed.replace(changed.find("8 hours"), 7, "4 hours");
  auto d = compile_text(changed);
  ASSERT_FALSE(b.diagnostics.has_errors()) << b.errors();
  EXPECT_EQ(a.process("basis").hash, b.process("basis").hash);
  EXPECT_NE(a.process("basis").hash, d.process("basis").hash);
  EXPECT_EQ(a.process("basis").hash.size(), 64u);
}

TEST(Checker, VariantMarksWhatItAddsOverridesAndRemoves) {
  std::string text = std::string(kBase) + R"(
process regio extends basis {
  roles teamleider
  terms { Wth.eerste_termijn = 14 days cite "voorstel 2024" }
  override task rihg within 4 hours
  remove jeugdhulp
  add after opgelegd { notify teamleider "opgelegd" }
}
)";
  auto c = compile_text(text);
  ASSERT_FALSE(c.diagnostics.has_errors()) << c.errors();
  const model::Process& p = c.process("regio");
  EXPECT_EQ(p.parent, "basis");
  const model::Node* rihg = p.find_node("rihg");
  EXPECT_EQ(rihg->origin, model::Origin::kOverridden);
  EXPECT_EQ(model::to_source(*rihg->within), "4 hours");
  EXPECT_EQ(rihg->role, "hovj") << "an override keeps what it does not change";
  EXPECT_EQ(rihg->outputs.size(), 1u);
  EXPECT_EQ(p.find_node("zorgadvies")->origin, model::Origin::kInherited);
  EXPECT_EQ(p.find_node("jeugdhulp"), nullptr);
  EXPECT_EQ(p.removed, std::vector<std::string>{"jeugdhulp"});
  const model::Node& after = p.nodes[p.find_node("opgelegd")->next.at(0).target];
  EXPECT_EQ(after.kind, NodeKind::kNotify);
  EXPECT_EQ(after.origin, model::Origin::kAdded);
  const model::LegalTerm* term = p.find_term("Wth.eerste_termijn");
  EXPECT_EQ(term->value.days, 14);
  EXPECT_TRUE(term->overridden);
  EXPECT_EQ(term->cite, "voorstel 2024");
  EXPECT_EQ(c.process("basis").find_term("Wth.eerste_termijn")->value.days, 10) << "the parent keeps its own term";
}

TEST(Checker, KeepsGoingAfterTheFirstError) {
  auto c = compile_text(R"(
process p {
  roles hovj
  events melding
  start on melding
  task a by hovjj within 2 hours
  task b by hovj within 10 dayss
  task c by hovj due 2 hours
}
)");
  EXPECT_EQ(c.diagnostics.error_count(), 3) << c.errors();
  EXPECT_EQ(c.model->find("p"), nullptr) << "a process with errors is not compiled";
}

TEST(Checker, ParallelJoinKnowsAllBranchesHaveRun) {
  // A deadline after the join may use a milestone from any branch: all of them finished.
  auto c = compile_text(R"(
process p {
  roles hovj
  events melding
  start on melding
  parallel {
    branch a { milestone gehoord }
    branch b { task t by hovj within 1 hour }
  }
  task na by hovj due gehoord + 1 day
}
)");
  EXPECT_FALSE(c.diagnostics.has_errors()) << c.errors();
}

TEST(Checker, EnumValueWinsOverAStepOfTheSameName) {
  auto c = compile_text(R"(
process p {
  roles burgemeester
  events melding
  start on melding
  task besluit by burgemeester within 1 day { output keuze: one of (verlengen, stoppen) }
  decide verlengen {
    when besluit.keuze == verlengen { end "verlengd" }
    when besluit.keuze == stoppen { end "gestopt" }
  }
}
)");
  EXPECT_FALSE(c.diagnostics.has_errors()) << c.errors();
}

TEST(Checker, IncidentsGoToTheAdministratorsUnlessTheProcessNamesOneOfItsRoles) {
  auto plain = compile_text(kBase);
  ASSERT_FALSE(plain.diagnostics.has_errors()) << plain.errors();
  EXPECT_EQ(plain.process("basis").incident_role, "beheer");
  auto named = compile_text(std::string(kBase) + R"(
process regio extends basis {
  incidents to hulpverlening
}
process elders extends regio {
  incidents to beheer
}
process erft extends regio {
}
)");
  ASSERT_FALSE(named.diagnostics.has_errors()) << named.errors();
  EXPECT_EQ(named.process("regio").incident_role, "hulpverlening");
  EXPECT_EQ(named.process("erft").incident_role, "hulpverlening");  // a variant inherits it
  EXPECT_EQ(named.process("elders").incident_role, "beheer");       // the administrators need no declaring
  // Naming another role is part of the definition's identity; naming the default is not, so the
  // definitions written before `incidents to` keep their hashes.
  auto with = [](const std::string& line) {
    std::string text = kBase;
    text.insert(text.find("  events melding"), line);
    return compile_text(text);
  };
  EXPECT_NE(with("  incidents to hulpverlening\n").process("basis").hash, plain.process("basis").hash);
  EXPECT_EQ(with("  incidents to beheer\n").process("basis").hash, plain.process("basis").hash);
  auto unknown = compile_text(std::string(kBase) + R"(
process regio extends basis {
  incidents to hulpverleninq
}
)");
  EXPECT_NE(unknown.errors().find("unknown role 'hulpverleninq' (did you mean 'hulpverlening'?)"), std::string::npos)
      << unknown.errors();
}

// What a variant's re-check says about a parent's step is its own: the parent's complaint, said
// again, still keeps the variant out of the model; a complaint the parent does not have is placed
// in the variant. Both whichever of the two the program declares first.
TEST(Checker, AVariantIsJudgedByWhatItsOwnCheckSays) {
  const std::string broken = R"(
process basis {
  roles hovj
  events melding
  start on melding
  task rihg by burgemeester within 8 hours
}
)";
  const std::string variant = R"(
process regio extends basis {
  title "Regio"
}
)";
  for (const auto& text : {broken + variant, variant + broken}) {
    auto c = compile_text(text);
    EXPECT_EQ(c.diagnostics.error_count(), 1) << c.errors();
    EXPECT_EQ(c.model->find("basis"), nullptr);
    EXPECT_EQ(c.model->find("regio"), nullptr) << "a variant of a process with errors is left out";
  }

  const std::string clean = R"(
process basis {
  roles hovj
  events melding
  start on melding
  task rihg by hovj within 8 hours { output opleggen: bool }
  decide besluit {
    when rihg.opleggen -> opgelegd
    otherwise -> niet_opgelegd
  }
  milestone opgelegd
  end "opgelegd"
  task niet_opgelegd by hovj within 1 day
}
)";
  const std::string removes = R"(
process regio extends basis {
  remove niet_opgelegd
}
)";
  for (const auto& text : {clean + removes, removes + clean}) {
    auto c = compile_text(text);
    ASSERT_EQ(c.diagnostics.all().size(), 1u) << c.errors();
    const Diagnostic& d = c.diagnostics.all()[0];
    EXPECT_EQ(d.message, "step 'niet_opgelegd' was removed by process 'regio', but a step still goes to it; "
                         "remove or override that step too");
    EXPECT_EQ(d.range.text(), "basis") << "placed at the variant's 'extends basis'";
    EXPECT_LT(text.find("process regio"), text.find("extends basis"));
    ASSERT_EQ(d.notes.size(), 1u);
    EXPECT_EQ(d.notes[0].range.text(), "niet_opgelegd");
    EXPECT_NE(c.model->find("basis"), nullptr) << "the parent checks clean on its own";
    EXPECT_EQ(c.model->find("regio"), nullptr);
  }
  // A variant of that variant inherits the complaint; it is said once, where the parent's is.
  auto chain = compile_text(clean + removes + "process wijk extends regio {\n  title \"Wijk\"\n}\n");
  ASSERT_EQ(chain.diagnostics.all().size(), 1u) << chain.errors();
  EXPECT_NE(chain.errors().find("was removed by process 'regio'"), std::string::npos) << chain.errors();
  EXPECT_EQ(chain.diagnostics.all()[0].range.begin.line, 16);
  EXPECT_EQ(chain.model->find("wijk"), nullptr);

  // Each inherited step the change breaks is said, all at the `extends`, each with its own note;
  // a step nested in the removed one is named as removed with it.
  const std::string uses = R"(
process basis {
  roles hovj
  events melding
  start on melding
  stage uitvoeren { milestone opgelegd }
  task zorgadvies by hovj due opgelegd + 8 days
  task evaluatie by hovj due opgelegd + 9 days
}
)";
  for (const std::string removed : {"opgelegd", "uitvoeren"}) {
    auto c = compile_text(uses + "process regio extends basis {\n  remove " + removed + "\n}\n");
    ASSERT_EQ(c.diagnostics.all().size(), 2u) << c.errors();
    for (const auto& d : c.diagnostics.all()) {
      EXPECT_EQ(d.message, "'opgelegd' was removed by process 'regio', but a step still uses it; remove or override "
                           "that step too");
      EXPECT_EQ(d.range.begin.line, 10);
    }
    EXPECT_EQ(c.diagnostics.all()[0].notes.at(0).range.begin.line, 7);
    EXPECT_EQ(c.diagnostics.all()[1].notes.at(0).range.begin.line, 8);
  }
}

// A stage a variant overrides takes with it the parent's steps its replacement does not have;
// what the checker says about them is placed in the variant, with no quick fix at its `extends`.
TEST(Checker, AnOverriddenStageRemovesWhatItNoLongerHas) {
  auto c = compile_text(R"(
process p {
  roles hovj
  events melding
  start on melding
  stage s "S" { milestone p }
  task b by hovj due p + 8 days
}
process x extends p {
  override stage s "S2" { milestone q }
}
)");
  ASSERT_EQ(c.diagnostics.all().size(), 1u) << c.errors();
  const Diagnostic& d = c.diagnostics.all()[0];
  EXPECT_EQ(d.message, "'p' was removed by process 'x', but a step still uses it; remove or override that step too");
  EXPECT_EQ(d.range.text(), "p");
  EXPECT_EQ(d.range.begin.line, 9);
  EXPECT_FALSE(d.fixable);
}

// A variant of a process with errors stays out of the model even where it removes the step that
// has them, and what its check would add about the parent's steps is not said.
TEST(Checker, AVariantOfABrokenParentIsLeftOut) {
  auto c = compile_text(R"(
process basis {
  roles hovj
  events melding
  start on melding
  task rihg by burgemeester within 8 hours
  task zorgadvies by hovj within 3 working days
}
process regio extends basis {
  remove rihg
}
)");
  EXPECT_EQ(c.diagnostics.error_count(), 2) << c.errors();  // the unknown role, the missing calendar
  EXPECT_EQ(c.errors().find("'regio'"), std::string::npos) << c.errors();
  EXPECT_EQ(c.model->find("basis"), nullptr);
  EXPECT_EQ(c.model->find("regio"), nullptr);
}

// Past limits::kDiagnostics the checker counts what it does not keep, in one process as in many.
TEST(Checker, CountsTheDiagnosticsItDoesNotKeep) {
  std::string text = "process basis {\n  roles hovj\n  events melding\n  start on melding\n";
  for (int i = 0; i < 1200; ++i) text += fmt::format("  task t{} by niemand{} within 1 day\n", i, i);
  text += "}\n";
  auto c = compile_text(text);
  EXPECT_EQ(c.diagnostics.error_count(), 1200);
  EXPECT_EQ(c.diagnostics.not_kept(), 200);
  // A variant repeats its parent's complaints: they are not counted again.
  auto variant = compile_text(text + "process regio extends basis {\n  title \"Regio\"\n}\n");
  EXPECT_EQ(variant.diagnostics.error_count(), 1200);
  EXPECT_EQ(variant.diagnostics.not_kept(), 200);
}

}  // namespace
}  // namespace termijn
