// Group commit (engine.h): a deferred command is live at once, acknowledged only when its group is
// on disk, and undone with its whole group when the commit fails. The disk is read through a
// second connection, as another process (or a restart) would see it.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "engine/store/sqlite.h"
#include "tests/support/looping.h"
#include "tests/unit/engine_on_disk.h"

namespace termijn {
namespace {

const char* kProcess = R"wth(
process meldingen {
  roles medewerker
  events melding
  start on melding
  task behandelen by medewerker within 1 day
}
)wth";

struct Opened : testing::EngineOnDisk {
  explicit Opened(const char* name) : EngineOnDisk(name, kProcess) {}
};

TEST(GroupCommit, DeferredCommandsAreLiveAtOnceAndGoToDiskTogether) {
  Opened o("group-commit-together.db");
  Engine& e = *o.engine;
  const std::int64_t audit_before = o.on_disk("SELECT COUNT(*) FROM audit");
  e.defer_commits(true);
  std::vector<CaseId> ids;
  for (int i = 0; i < 3; ++i) {
    auto id = e.start_case("meldingen", Json::object());
    ASSERT_TRUE(id.is_ok()) << id.status().message();
    ids.push_back(*id);
  }
  // The next command sees the first's effects before anything is on disk.
  ASSERT_TRUE(e.complete_task(o.only_task(ids[0]), "medewerker").is_ok());
  std::optional<Status> acknowledged;
  e.when_durable([&](const Status& s) { acknowledged = s; });
  EXPECT_EQ(e.waiting(), 4u);
  EXPECT_FALSE(acknowledged.has_value());
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM cases"), 0);
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM audit"), audit_before);

  ASSERT_TRUE(e.flush().is_ok());
  ASSERT_TRUE(acknowledged.has_value());
  EXPECT_TRUE(acknowledged->is_ok());
  EXPECT_EQ(e.waiting(), 0u);
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM cases"), 3);
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM cases WHERE status = 'completed'"), 1);
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM tasks WHERE status = 'open'"), 2);
  EXPECT_TRUE(e.verify_audit().ok);
  // Nothing waits: a callback is called at once.
  bool at_once = false;
  e.when_durable([&](const Status& s) { at_once = s.is_ok(); });
  EXPECT_TRUE(at_once);
}

TEST(GroupCommit, ARetryBeforeTheFlushGetsTheFirstAnswerAndAnotherCommandIsRefused) {
  Opened o("group-commit-retry.db");
  Engine& e = *o.engine;
  e.defer_commits(true);
  auto first = e.start_case("meldingen", Json::object(), "", "import-17");
  ASSERT_TRUE(first.is_ok());
  auto retry = e.start_case("meldingen", Json::object(), "", "import-17");
  ASSERT_TRUE(retry.is_ok());
  EXPECT_EQ(*retry, *first);
  EXPECT_EQ(e.runtime().cases().size(), 1u);
  auto other = e.start_case("meldingen", Json{{"x", 1}}, "", "import-17");
  EXPECT_EQ(other.status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(e.flush().is_ok());
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM cases"), 1);
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM commands WHERE key = 'import-17'"), 1);
}

TEST(GroupCommit, AFailedCommitUndoesTheWholeGroupAndTheEngineGoesOn) {
  Opened o("group-commit-failure.db");
  Engine& e = *o.engine;
  auto kept = e.start_case("meldingen", Json::object());  // committed on its own
  ASSERT_TRUE(kept.is_ok());
  const TaskId kept_task = o.only_task(*kept);

  e.defer_commits(true);
  std::vector<Status> answers;
  e.submit<Result<CaseId>>([&] { return e.start_case("meldingen", Json::object(), "", "k-1"); },
                           [&](Result<CaseId> r) { answers.push_back(r.status()); });
  e.submit<Status>([&] { return e.complete_task(kept_task, "medewerker"); },
                   [&](Status s) { answers.push_back(s); });
  // Refused because of what the group did (the task is done): the refusal is undone with it.
  e.submit<Status>([&] { return e.complete_task(kept_task, "medewerker"); },
                   [&](Status s) { answers.push_back(s); });
  EXPECT_EQ(answers.size(), 0u);
  CaseId undone = 0;  // the latest case
  for (const auto& [id, c] : e.runtime().cases()) undone = std::max(undone, id);
  EXPECT_EQ(e.runtime().find_task(kept_task), nullptr);  // completed, live
  {
    // Another process holds the write lock past the busy timeout: the commit fails.
    store::Database other(o.path);
    other.exec("BEGIN IMMEDIATE");
    Status flushed = e.flush();
    EXPECT_EQ(flushed.code(), StatusCode::kInternal);
    other.exec("ROLLBACK");
  }
  ASSERT_EQ(answers.size(), 3u);
  for (const Status& s : answers) EXPECT_EQ(s.code(), StatusCode::kInternal) << s.message();
  // All of the group is undone in memory, as it is on disk.
  EXPECT_EQ(e.runtime().find_case(undone), nullptr);
  ASSERT_NE(e.runtime().find_task(kept_task), nullptr);
  EXPECT_EQ(e.runtime().cases().size(), 1u);

  // The engine goes on, and the key that was never committed can be used again.
  auto again = e.start_case("meldingen", Json::object(), "", "k-1");
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(*again, undone);  // the id was never on disk, so it is handed out again
  ASSERT_TRUE(e.complete_task(kept_task, "medewerker").is_ok());
  ASSERT_TRUE(e.flush().is_ok());
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM cases"), 2);
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM tasks WHERE status = 'completed'"), 1);
  EXPECT_TRUE(e.verify_audit().ok);
}

// The engine runs commands in place (Runtime::set_in_place): a refused command is put back from
// its undo log, so the live case is as it was, to the byte; and what is live after a group is
// what a restart reads back.
TEST(GroupCommit, ARefusedCommandLeavesTheLiveCaseAsItWasAndARestartFindsWhatWasLive) {
  Opened o("group-commit-in-place.db");
  Engine& e = *o.engine;
  DeployResult deployed = e.deploy_sources({{"lus.wth", testing::kLooping}});
  ASSERT_TRUE(deployed.ok()) << render(deployed.diagnostics);
  e.defer_commits(true);
  auto looping = e.start_case("lus", Json{{"teller", 0}});
  auto first = e.start_case("meldingen", Json::object());
  auto second = e.start_case("meldingen", Json::object());
  ASSERT_TRUE(looping.is_ok() && first.is_ok() && second.is_ok());
  const Json looping_before = runtime::whole_json(*e.runtime().find_case(*looping));
  Status refused = e.complete_task(o.only_task(*looping), "medewerker");
  EXPECT_NE(refused.message().find("limit: steps per command"), std::string::npos) << refused.message();
  EXPECT_EQ(runtime::whole_json(*e.runtime().find_case(*looping)), looping_before);
  const TaskId task = o.only_task(*first);
  const Json before = runtime::whole_json(*e.runtime().find_case(*first));
  EXPECT_EQ(e.complete_task(task, "politie").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(e.signal(*first, "onbekend").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(e.start_case("meldingen", Json::object(), "bestaat-niet").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(runtime::whole_json(*e.runtime().find_case(*first)), before);
  EXPECT_EQ(e.runtime().cases().size(), 3u);

  ASSERT_TRUE(e.complete_task(o.only_task(*second), "medewerker").is_ok());  // ends the case
  ASSERT_TRUE(e.flush().is_ok());
  EXPECT_EQ(e.runtime().find_case(*second), nullptr);
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM cases WHERE status = 'completed'"), 1);
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM timers"), 0) << "the refused command's timer was written";
  std::map<CaseId, Json> live;
  for (const auto& [id, c] : e.runtime().cases()) live[id] = runtime::whole_json(c);
  o.reopen();
  std::map<CaseId, Json> restored;
  for (const auto& [id, c] : o.engine->runtime().cases()) restored[id] = runtime::whole_json(c);
  EXPECT_EQ(restored, live);
  // The restored case runs in place too: its task is found and completed.
  ASSERT_TRUE(o.engine->complete_task(task, "medewerker").is_ok());
  EXPECT_EQ(o.engine->runtime().cases().size(), 1u);
}

TEST(GroupCommit, AnActOutsideTheEngineIsAuditedAtOnceEvenWhenDeferring) {
  Opened o("group-commit-record.db");
  Engine& e = *o.engine;
  e.defer_commits(true);
  ASSERT_TRUE(e.start_case("meldingen", Json::object()).is_ok());
  // A token revoked in the store cannot wait for a group that another command could make fail.
  ASSERT_TRUE(e.record(runtime::AuditKind::kTokenRevoked, Json{{"name", "oud"}}, Actor::host("beheerder")).is_ok());
  EXPECT_EQ(e.waiting(), 0u);
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM audit WHERE kind = 'token revoked'"), 1);
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM cases"), 1);
}

TEST(GroupCommit, NotificationsAreToldOnlyOnceTheirGroupIsOnDisk) {
  Opened o("group-commit-notify.db");
  Engine& e = *o.engine;
  DeployResult deployed = e.deploy_sources({{"melden.wth", R"wth(
process melden {
  roles medewerker, teamleider
  events melding
  start on melding
  notify teamleider "nieuwe melding"
  task behandelen by medewerker within 1 day
}
)wth"}});
  ASSERT_TRUE(deployed.ok()) << render(deployed.diagnostics);
  int told = 0;
  e.subscribe([&](const runtime::Notification&) { ++told; });
  e.defer_commits(true);
  ASSERT_TRUE(e.start_case("melden", Json::object()).is_ok());
  EXPECT_EQ(told, 0);
  ASSERT_TRUE(e.flush().is_ok());
  EXPECT_EQ(told, 1);
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM outbox"), 1);
}

}  // namespace
}  // namespace termijn
