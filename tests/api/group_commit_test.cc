// Group commit over HTTP (docs/engine.md#group-commit): an answer is sent only once what the
// engine applied before it is on disk; when that commit fails the caller gets a 500 and nothing
// of the command stays, in memory or on disk.
#include <gtest/gtest.h>

#include "engine/store/sqlite.h"
#include "tests/support/api_fixture.h"

namespace termijn::testing {
namespace {

std::int64_t cases_on_disk(const std::string& db) {
  store::Database reader(db);
  return reader.scalar("SELECT COUNT(*) FROM cases");
}

TEST_F(Api, AnAnswerIsSentWhenItsCommandIsOnDiskAndIsA500WhenTheCommitFails) {
  const json start{{"process", "landelijk"}, {"data", {{"aanhouding", false}, {"kindermishandeling", false}}}};
  auto first = client->post("/api/v1/cases", tokens["politie"], start);
  ASSERT_EQ(first.status, 201) << first.body;
  // Acknowledged, so on disk: another connection sees it.
  EXPECT_EQ(cases_on_disk(db), 1);
  const std::size_t live = server->on_engine([&] { return server->engine().runtime().cases().size(); });

  {
    // Another process holds the write lock past the busy timeout: this command's group fails.
    store::Database other(db);
    other.exec("BEGIN IMMEDIATE");
    auto refused = client->post("/api/v1/cases", tokens["politie"], start);
    other.exec("ROLLBACK");
    EXPECT_EQ(refused.status, 500) << refused.body;
    // The caller learns an incident id, not what the store said.
    EXPECT_EQ(refused.body.find("database is locked"), std::string::npos) << refused.body;
  }
  EXPECT_EQ(cases_on_disk(db), 1);
  EXPECT_EQ(server->on_engine([&] { return server->engine().runtime().cases().size(); }), live);

  // The engine goes on.
  auto again = client->post("/api/v1/cases", tokens["politie"], start);
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(cases_on_disk(db), 2);
  EXPECT_TRUE(server->on_engine([&] { return server->engine().verify_audit().ok; }));
}

}  // namespace
}  // namespace termijn::testing
