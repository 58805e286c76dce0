// The parser builds termijn's own AST; these tests pin down shapes and source ranges. The golden
// file golden/ast/every_construct.wth covers every construct in one go.
#include "engine/frontend/parser.h"

#include <gtest/gtest.h>

#include "engine/frontend/ast_dump.h"
#include "engine/frontend/loader.h"

namespace termijn {
namespace {

ast::File parse(const std::string& text, DiagnosticList& diagnostics) {
  return parse_file(std::make_shared<SourceFile>("t.wth", text), diagnostics);
}

// Columns count bytes, as every range does (base/source.h), also where ANTLR counts characters:
// after "één" (3 characters, 5 bytes) a name's range still covers exactly the name, and a syntax
// error's caret stands under the mistake.
TEST(Parser, ColumnsCountBytesAfterAccentedText) {
  DiagnosticList d;
  ast::File f = parse("process p {\n  task t \"één\" by hovj within 2 days\n}\n", d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  const auto& role = *f.processes.at(0).steps.at(0).as<ast::TaskStep>().role;
  EXPECT_EQ(role.range.begin, (SourcePos{2, 21}));
  EXPECT_EQ(role.range.text(), "hovj");
  DiagnosticList broken;
  parse("process p {\n  task t \"één\" by ! within 2 days\n}\n", broken);
  ASSERT_TRUE(broken.has_errors());
  EXPECT_EQ(broken.all().front().range.begin, (SourcePos{2, 21}));
  EXPECT_EQ(broken.all().front().range.text(), "!");
}

TEST(Parser, TaskWithClausesOutputsAndLadder) {
  DiagnosticList d;
  ast::File f = parse(
      "process p {\n"
      "  task rihg \"RiHG\" by hovj within 8 hours {\n"
      "    output uitkomst: one of (opleggen, niet_opleggen)\n"
      "    escalate { 1 hour before due: notify teamleider \"x\" and raise level 2 }\n"
      "  }\n"
      "}\n",
      d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  ASSERT_EQ(f.processes.size(), 1u);
  const ast::Step& step = f.processes[0].steps.at(0);
  EXPECT_EQ(step.kind, ast::Step::Kind::kTask);
  EXPECT_EQ(step.name.name, "rihg");
  EXPECT_EQ(step.name.range.begin, (SourcePos{2, 8}));
  EXPECT_EQ(step.name.range.end, (SourcePos{2, 12}));
  EXPECT_EQ(step.range.begin, (SourcePos{2, 3}));
  EXPECT_EQ(step.range.end, (SourcePos{5, 4}));
  const auto& task = step.as<ast::TaskStep>();
  EXPECT_EQ(*task.title, "RiHG");
  EXPECT_EQ(task.role->name, "hovj");
  ASSERT_TRUE(task.within.has_value());
  EXPECT_EQ(task.within->duration.minutes, 8 * 60);
  EXPECT_EQ(task.within->range.begin, (SourcePos{2, 35}));
  ASSERT_EQ(task.outputs.size(), 1u);
  EXPECT_TRUE(task.outputs[0].type.is_enum);
  EXPECT_EQ(task.outputs[0].type.enum_members[1].name, "niet_opleggen");
  ASSERT_EQ(task.escalation.size(), 1u);
  EXPECT_EQ(task.escalation[0].when, ast::Rung::When::kBeforeDue);
  ASSERT_EQ(task.escalation[0].actions.size(), 2u);
  EXPECT_EQ(task.escalation[0].actions[1].kind, ast::RungAction::Kind::kRaise);
  EXPECT_EQ(task.escalation[0].actions[1].level, 2);
}

TEST(Parser, ExpressionPrecedence) {
  DiagnosticList d;
  ast::File f = parse("process p { timer t = a + 2 * 3 days - b.c  decide x { when p or q and not r == s -> t } }", d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  const auto& timer = f.processes[0].steps[0].as<ast::TimerStep>();
  // (a + (2 * 3 days)) - b.c
  EXPECT_EQ(ast::dump(timer.at).substr(0, 12), "(- (+ a@1:23");
  const auto& when = f.processes[0].steps[1].as<ast::DecideStep>().whens[0];
  // p or (q and (not (r == s)))
  std::string dumped = ast::dump(when.condition);
  EXPECT_EQ(dumped.rfind("(or p", 0), 0u) << dumped;
  EXPECT_NE(dumped.find("(and q"), std::string::npos) << dumped;
  EXPECT_NE(dumped.find("(not (== r"), std::string::npos) << dumped;
}

TEST(Parser, VariantMembers) {
  DiagnosticList d;
  ast::File f = parse(
      "process r version 2 extends landelijk {\n"
      "  start on verzoek -> rihg\n"
      "  override task rihg within 4 hours\n"
      "  remove zsm\n"
      "  add after rihg { milestone m }\n"
      "  terms { Wth.eerste_termijn = 14 days cite \"voorstel\" }\n"
      "}\n",
      d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  const ast::ProcessDecl& p = f.processes[0];
  EXPECT_EQ(*p.version, 2);
  EXPECT_EQ(p.parent->name, "landelijk");
  EXPECT_EQ(p.parent->range.begin, (SourcePos{1, 29}));
  EXPECT_EQ(p.starts[0].then->jump->name, "rihg");
  EXPECT_EQ(p.overrides[0].name.name, "rihg");
  EXPECT_EQ(p.removals[0].name.name, "zsm");
  EXPECT_EQ(p.additions[0].where, ast::Addition::Where::kAfter);
  EXPECT_EQ(p.additions[0].steps[0].kind, ast::Step::Kind::kMilestone);
  EXPECT_EQ(p.term_overrides[0].value.days, 14);
  EXPECT_EQ(*p.term_overrides[0].cite, "voorstel");
}

TEST(Parser, SyntaxErrorIsOneDiagnosticWithItsPlace) {
  DiagnosticList d;
  parse("process p {\n  task a by hovj within 2 hours }\n  oops\n", d);
  ASSERT_EQ(d.error_count(), 1) << render(d);
  EXPECT_EQ(d.all()[0].range.begin.line, 3);
  EXPECT_EQ(d.all()[0].range.begin.column, 3);
}

TEST(Parser, UnknownUnitIsReportedWithSuggestion) {
  DiagnosticList d;
  parse("terms T { x = 10 dagen }", d);
  ASSERT_EQ(d.error_count(), 1);
  EXPECT_EQ(d.all()[0].message, "unknown unit of time 'dagen' (did you mean 'days'?)");
}

TEST(Parser, EveryStepKindIsReachableFromTheGrammar) {
  auto text = read_text_file(std::string(TERMIJN_SOURCE_DIR) + "/tests/golden/ast/every_construct.wth");
  ASSERT_TRUE(text.has_value());
  DiagnosticList d;
  ast::File f = parse(*text, d);
  ASSERT_FALSE(d.has_errors()) << render(d);
  std::set<ast::Step::Kind> seen;
  std::function<void(const ast::Block&)> walk = [&](const ast::Block& b) {
    for (const auto& s : b) {
      seen.insert(s.kind);
      for (const ast::Block* child : ast::child_blocks(s)) walk(*child);
    }
  };
  for (const auto& p : f.processes) walk(p.steps);
  EXPECT_EQ(seen.size(), 17u) << "every_construct.wth should use each of the 17 step kinds";
}

}  // namespace
}  // namespace termijn
