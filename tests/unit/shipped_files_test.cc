// The stdlib and process files we ship must always check clean: they are what a coordinator
// copies from.
#include <gtest/gtest.h>

#include "engine/driver/compilation.h"

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

}  // namespace
}  // namespace termijn
