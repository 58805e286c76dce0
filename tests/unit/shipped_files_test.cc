// The stdlib and process files we ship must always check clean: they are what a coordinator
// copies from.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include "engine/driver/compilation.h"
#include "engine/model/dot.h"

namespace termijn {
namespace {

Compilation compile_shipped() {
  std::string root = TERMIJN_SOURCE_DIR;
  return compile_paths({root + "/stdlib", root + "/processes"}, {TERMIJN_STDLIB_DIR});
}

TEST(ShippedFiles, CheckCleanWithoutWarnings) {
  Compilation c = compile_shipped();
  EXPECT_TRUE(c.unreadable.empty());
  EXPECT_TRUE(c.diagnostics.all().empty()) << render(c.diagnostics);
  EXPECT_GE(c.model->processes.size(), 1u);
}

TEST(ShippedFiles, NationalBaselineFollowsTheLaw) {
  Compilation c = compile_shipped();
  const model::Process* p = c.model->find("landelijk");
  ASSERT_NE(p, nullptr) << render(c.diagnostics);
  // Art. 2 lid 1 Wth: ten days; art. 9: 28 in total.
  EXPECT_EQ(p->find_term("Wth.eerste_termijn")->value.days, 10);
  EXPECT_EQ(p->find_term("Wth.verlengd_totaal")->value.days, 28);
  EXPECT_EQ(p->find_term("Wth.contactgegevens")->value.minutes, 24 * 60);
  // Art. 3 Wth: extension cannot be mandated, only the mayor decides.
  EXPECT_EQ(p->find_node("besluit_verlenging")->role, "burgemeester");
  // The extension moves the end timer.
  bool moves_end = false;
  for (const auto& n : p->nodes) {
    if (n.kind == model::NodeKind::kSet && n.target == "einde") moves_end = true;
  }
  EXPECT_TRUE(moves_end);
  // Every task has a deadline and a role.
  for (const auto& n : p->nodes) {
    if (n.kind != model::NodeKind::kTask) continue;
    EXPECT_TRUE(n.due || n.within) << n.name;
    EXPECT_FALSE(n.role.empty()) << n.name;
  }
}

// Every figure a shipped process uses for a deadline is a named term with its citation: the law,
// the report's practice, or an assumption that says so (terms Aanname). A bare `within 2 hours`
// would be a figure without a source.
TEST(ShippedFiles, EveryDeadlineIsANamedTermWithItsSource) {
  Compilation c = compile_shipped();
  ASSERT_NE(c.model, nullptr) << render(c.diagnostics);
  const std::regex bare_duration(R"((^|[^.\w])\d+ (working )?(minute|hour|day|week|month|year)s?\b)");
  for (const auto& p : c.model->processes) {
    for (const auto& n : p->nodes) {
      if (n.kind != model::NodeKind::kTask) continue;
      const auto& deadline = n.due ? *n.due : *n.within;
      std::string written = model::to_source(deadline);
      EXPECT_FALSE(std::regex_search(written, bare_duration)) << p->name << "." << n.name << ": " << written;
    }
    for (const auto& t : p->terms) EXPECT_FALSE(t.cite.empty()) << p->name << ": " << t.qualified();
  }
}

// A drawing shows every step it connects: an edge to a node that is not drawn would appear as a
// stray box named after the node's number.
TEST(ShippedFiles, DiagramsDrawEveryNodeTheyConnect) {
  Compilation c = compile_shipped();
  ASSERT_NE(c.model, nullptr) << render(c.diagnostics);
  const std::regex declared(R"(^\s*(n[-\w]+) \[)"), edge(R"(^\s*(n[-\w]+) -> (n[-\w]+))");
  for (const auto& p : c.model->processes) {
    std::string dot = model::to_dot(*p);
    std::set<std::string> nodes, used;
    std::istringstream lines(dot);
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (std::regex_search(line, m, edge)) {
        used.insert(m[1]);
        used.insert(m[2]);
      } else if (std::regex_search(line, m, declared)) {
        nodes.insert(m[1]);
      }
    }
    for (const auto& n : used) EXPECT_TRUE(nodes.count(n)) << p->name << ": edge to " << n << " which is not drawn";
  }
}

}  // namespace
}  // namespace termijn
