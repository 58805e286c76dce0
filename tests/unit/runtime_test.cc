// The runtime's own bookkeeping, beside the processes it runs.
#include <gtest/gtest.h>

#include "engine/runtime/runtime.h"
#include "tests/unit/test_support.h"

namespace termijn {
namespace {

using runtime::Json;

constexpr const char* kTwoTasks = R"(
process p {
  roles hovj
  events melding
  start on melding
  task eerste "Eerste" by hovj within 1 days {
    output zwaar: bool
    output toelichting: text
  }
  task tweede "Tweede" by hovj within 1 days {
    output akkoord: bool
  }
}
)";

// The runtime finds a task's outputs by its step in the definition. Deployed again, a definition
// replaces the one compiled before, which is freed: a task completed afterwards is checked against
// the definition that is there, not the freed one (ASan would see a read of freed memory).
TEST(Runtime, ATaskCompletesOnADefinitionDeployedAgain) {
  LegalTime legal;
  runtime::Runtime engine(legal);
  runtime::TaskId first = 0;
  {
    testing::Compiled c = testing::compile_text(kTwoTasks);
    ASSERT_NE(c.model->find("p"), nullptr) << c.errors();
    engine.add_definition(c.model->processes.front());
    runtime::Changes started;
    ASSERT_TRUE(engine.start("p", "melding", Json::object(), Instant{}, started).is_ok());
    engine.apply(started);
    first = engine.cases().begin()->second.tasks.begin()->first;
    runtime::Changes done;
    ASSERT_TRUE(engine.complete(first, "hovj", Json{{"zwaar", true}, {"toelichting", "x"}}, Instant{}, done).is_ok());
    engine.apply(done);
  }
  {
    testing::Compiled again = testing::compile_text(kTwoTasks);
    engine.add_definition(again.model->processes.front());  // the first compilation is freed here
  }
  const runtime::Instance& c = engine.cases().begin()->second;
  ASSERT_EQ(c.tasks.size(), 1U);
  runtime::TaskId second = c.tasks.begin()->first;
  EXPECT_NE(second, first);
  runtime::Changes wrong;
  auto refused = engine.complete(second, "hovj", Json{{"zwaar", true}}, Instant{}, wrong);
  EXPECT_EQ(refused.message(), "task 'tweede' has no output 'zwaar'");
  runtime::Changes done;
  EXPECT_TRUE(engine.complete(second, "hovj", Json{{"akkoord", true}}, Instant{}, done).is_ok());
}

}  // namespace
}  // namespace termijn
