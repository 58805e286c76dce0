// Group commit over HTTP (docs/engine.md#group-commit): an answer is sent only once what the
// engine applied before it is on disk; when that commit fails the caller gets a 500 and nothing
// of the command stays, in memory or on disk.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

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

TEST_F(Api, AListOfTasksIsReadFromTheStoreAndNeedNotWaitForTheGroupBeingWritten) {
  const json start{{"process", "landelijk"}, {"data", {{"aanhouding", false}, {"kindermishandeling", false}}}};
  auto first = client->post("/api/v1/cases", tokens["politie"], start);
  ASSERT_EQ(first.status, 201) << first.body;
  const std::int64_t first_case = first.json()["case"];
  auto live_cases = [&] { return server->on_engine([&] { return server->engine().runtime().cases().size(); }); };
  const std::size_t live = live_cases();

  // Another process holds the write lock, so the next case's group waits in the writer (for
  // less than the busy timeout, store/sqlite.h): the case is live, not yet on disk.
  store::Database other(db);
  other.exec("BEGIN IMMEDIATE");
  std::optional<ClientResponse> second;  // read after the join
  std::atomic<bool> answered{false};
  std::thread starter([&, politie = tokens["politie"]] {
    HttpClient own(server->port());
    second = own.post("/api/v1/cases", politie, start);
    answered = true;
  });
  // Nothing between the thread's start and its join may end the test early (a joinable thread
  // destroyed ends the program): the lock goes within a second, well inside the busy timeout.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (live_cases() == live && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::size_t live_then = live_cases();
  // The list is answered meanwhile, and shows only what is on disk: the first case's tasks.
  auto listed = client->get("/api/v1/tasks", tokens["hovj"]);
  const bool answered_before = answered.load();
  other.exec("ROLLBACK");
  starter.join();

  ASSERT_EQ(live_then, live + 1);
  EXPECT_FALSE(answered_before) << "the lock was released too early for this test";
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_FALSE(listed.json().empty());
  for (const auto& task : listed.json()) EXPECT_EQ(task["case"], first_case) << task.dump();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 201) << second->body;
  EXPECT_EQ(cases_on_disk(db), 2);
}

}  // namespace
}  // namespace termijn::testing
