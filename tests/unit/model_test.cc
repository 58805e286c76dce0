#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "engine/driver/compilation.h"
#include "engine/model/dot.h"
#include "engine/model/model.h"
#include "test_support.h"

namespace termijn {
namespace {

TEST(Dot, DrawsStagesAsClustersAndMarksVariantChanges) {
  auto c = testing::compile_text(R"(
process basis {
  roles hovj
  events melding, overtreding
  start on melding
  task a "Eerste taak" by hovj within 1 hour
  stage s "Fase" {
    task b by hovj within 1 day
    on overtreding { notify hovj "let op" }
  }
}
process regio extends basis {
  override task a within 30 minutes
  add after a { milestone extra }
  remove b
}
)");
  ASSERT_FALSE(c.diagnostics.has_errors()) << c.errors();
  std::string base = model::to_dot(c.process("basis"));
  EXPECT_NE(base.find("subgraph cluster_1"), std::string::npos);
  EXPECT_NE(base.find("label=\"Fase (s)\""), std::string::npos);
  EXPECT_NE(base.find("on overtreding"), std::string::npos);
  EXPECT_EQ(base.find("palegreen"), std::string::npos);

  std::string regio = model::to_dot(c.process("regio"));
  EXPECT_NE(regio.find("fillcolor=gold, label=\"Eerste taak"), std::string::npos) << regio;
  EXPECT_NE(regio.find("fillcolor=palegreen, label=\"extra\""), std::string::npos) << regio;
  EXPECT_NE(regio.find("removed: b"), std::string::npos) << regio;
}

// Graphviz is stopped when it draws too long: `dot` took 40 s over a hundred decisions that jump
// about, and the server draws on request. A small process is drawn as before.
TEST(Dot, DrawingIsStoppedAtItsTimeLimit) {
  if (std::system("command -v dot >/dev/null 2>&1") != 0) GTEST_SKIP() << "Graphviz's dot is not installed";
  std::string text = "process sprongen {\n  roles r\n  events e by r\n  case { x: bool }\n  start on e\n";
  for (int i = 0; i < 100; ++i) {
    text += fmt::format("  decide d{} {{\n    when x -> d{}\n    otherwise {{ task t{} by r within 1 day }}\n  }}\n", i,
                        i * 7919 % 100, i);
  }
  auto c = testing::compile_text(text + "}\nprocess klein {\n  roles r\n  events e by r\n  start on e\n  task t by r within 1 day\n}\n");
  ASSERT_FALSE(c.diagnostics.has_errors()) << c.errors();
  model::Drawing slow = model::render_svg(model::to_dot(c.process("sprongen")), std::chrono::milliseconds(300));
  EXPECT_EQ(slow.problem, model::DrawingProblem::kTooLarge);
  EXPECT_FALSE(slow.svg.has_value());
  model::Drawing small = model::render_svg(model::to_dot(c.process("klein")));
  EXPECT_EQ(small.problem, model::DrawingProblem::kNone);
  ASSERT_TRUE(small.svg.has_value());
  EXPECT_NE(small.svg->find("<svg"), std::string::npos);
}

TEST(Model, TypesPrintAsCoordinatorsWriteThem) {
  using model::Type;
  EXPECT_EQ(model::to_string(Type::list_of(Type::Kind::kPerson)), "list<person>");
  EXPECT_EQ(model::to_string(Type::enumeration({"a", "b"})), "one of (a, b)");
  EXPECT_EQ(model::to_string(Type::of(Type::Kind::kWorkingDays)), "working days");
}

// A completion's outputs are matched to the task's by walking both in name order: every task
// of every shipped process, its regional variants' added outputs and the RiHG's items included,
// has its outputs indexed by name.
TEST(Model, EveryTaskHasItsOutputsIndexedByName) {
  Compilation compiled = compile_paths({std::string(TERMIJN_SOURCE_DIR) + "/processes"}, {TERMIJN_STDLIB_DIR});
  ASSERT_FALSE(compiled.model->processes.empty());
  std::size_t outputs = 0;
  for (const auto& process : compiled.model->processes) {
    for (const auto& node : process->nodes) {
      ASSERT_EQ(node.outputs_by_name.size(), node.outputs.size()) << process->name << "." << node.name;
      std::vector<std::size_t> seen(node.outputs_by_name);
      std::sort(seen.begin(), seen.end());
      for (std::size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], i) << process->name << "." << node.name;
      for (std::size_t i = 1; i < node.outputs_by_name.size(); ++i) {
        EXPECT_LT(node.outputs[node.outputs_by_name[i - 1]].name, node.outputs[node.outputs_by_name[i]].name)
            << process->name << "." << node.name;
      }
      outputs += node.outputs.size();
    }
  }
  EXPECT_GT(outputs, 100U) << "the shipped tasks, the RiHG's items among them";
}

}  // namespace
}  // namespace termijn
