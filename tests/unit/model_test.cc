#include <gtest/gtest.h>

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

TEST(Model, TypesPrintAsCoordinatorsWriteThem) {
  using model::Type;
  EXPECT_EQ(model::to_string(Type::list_of(Type::Kind::kPerson)), "list<person>");
  EXPECT_EQ(model::to_string(Type::enumeration({"a", "b"})), "one of (a, b)");
  EXPECT_EQ(model::to_string(Type::of(Type::Kind::kWorkingDays)), "working days");
}

}  // namespace
}  // namespace termijn
