// The pipelined group commit (engine.h, store/writer.h): a group handed over is written by the
// writer thread while the engine builds the next; each command is acknowledged only once its
// group is durable, in the order the commands were given; a failed group fails the group built
// on it, and the live cases are read back from the store; an engine that stops writes the group
// in flight. Failures are injected with a trigger that another connection creates, so the store
// itself refuses the group, as a full or failing disk would.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "engine/base/json_text.h"
#include "engine/api/group_commit.h"
#include "engine/api/real_time.h"
#include "engine/store/store.h"
#include "engine/store/writer.h"
#include "tests/unit/engine_on_disk.h"

namespace termijn {
namespace {

const char* kLadderProcess = R"wth(
process meldingen {
  roles medewerker, teamleider
  events melding
  start on melding
  task behandelen by medewerker within 1 hour {
    escalate { at due: notify teamleider "te laat" and raise level 1 }
  }
}
)wth";

struct OpenedWithLadder : testing::EngineOnDisk {
  explicit OpenedWithLadder(const char* name) : EngineOnDisk(name, kLadderProcess) {}
  // The store refuses every group that holds a command with this idempotency key.
  void poison_key(const std::string& key) const {
    exec("CREATE TRIGGER poison BEFORE INSERT ON commands WHEN NEW.key = '" + key +
         "' BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  }
  // `cases` cases whose escalation is due, and a store that refuses every escalation.
  void escalations_due_and_refused(int cases) {
    std::vector<Engine::StartRequest> requests(cases, Engine::StartRequest{"meldingen", Json::object(), "", "", Actor()});
    for (const auto& r : engine->start_cases(requests)) ASSERT_TRUE(r.is_ok());
    clock.set(*parse_instant("2026-10-20 11:00"));
    exec("CREATE TRIGGER poison BEFORE INSERT ON audit WHEN NEW.kind = 'escalated' "
         "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  }
  std::int64_t escalated() const { return on_disk("SELECT COUNT(*) FROM audit WHERE kind = 'escalated'"); }
};

// Records each answer as it comes: which command, and whether it was ok.
struct Answers {
  std::vector<std::pair<std::string, StatusCode>> got;
  std::function<void(Status)> of(const std::string& name) {
    return [this, name](const Status& answer) { got.emplace_back(name, answer.code()); };
  }
};

template <typename T>
StatusCode code_of(const Result<T>& r) {
  return r.status().code();
}

TEST(Pipeline, AFailedGroupFailsTheGroupBuiltOnItAndTheLiveCasesAreReadBack) {
  OpenedWithLadder o("pipeline-failure.db");
  Engine& e = *o.engine;
  auto kept = e.start_case("meldingen", Json::object());  // committed on its own
  ASSERT_TRUE(kept.is_ok());
  const TaskId kept_task = o.only_task(*kept);
  o.poison_key("poison");

  e.defer_commits(true);
  Answers answers;
  // Group 1: a start the store will refuse, and the kept case's task done.
  e.submit<Result<CaseId>>([&] { return e.start_case("meldingen", Json::object(), "", "poison"); },
                           [&](Result<CaseId> r) { answers.got.emplace_back("poisoned start", code_of(r)); });
  e.submit<Status>([&] { return e.complete_task(kept_task, "medewerker"); }, answers.of("complete"));
  ASSERT_TRUE(e.hand_over().is_ok());  // nothing was in flight before
  EXPECT_TRUE(e.in_flight());
  // Group 2, built on group 1 while it is written: it sees the task done and the case ended.
  EXPECT_EQ(e.runtime().find_task(kept_task), nullptr);
  e.submit<Result<CaseId>>([&] { return e.start_case("meldingen", Json::object(), "", "later"); },
                           [&](Result<CaseId> r) { answers.got.emplace_back("later start", code_of(r)); });
  e.submit<Status>([&] { return e.complete_task(kept_task, "medewerker"); }, answers.of("refused complete"));
  EXPECT_TRUE(answers.got.empty());

  Status failed = e.hand_over();  // collects group 1: failed; group 2 is not handed over
  EXPECT_EQ(failed.code(), StatusCode::kInternal) << failed.message();
  EXPECT_NE(failed.message().find("injected failure"), std::string::npos) << failed.message();
  EXPECT_FALSE(e.in_flight());
  EXPECT_EQ(e.waiting(), 0u);
  ASSERT_EQ(answers.got.size(), 4u);
  // Every command of both groups fails, in the order given; the refusal too, as it rested on
  // what group 1 did.
  const char* order[] = {"poisoned start", "complete", "later start", "refused complete"};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(answers.got[i].first, order[i]);
    EXPECT_EQ(answers.got[i].second, StatusCode::kInternal) << answers.got[i].first;
  }
  // The live cases are the store's: the kept case with its task open, nothing else.
  EXPECT_EQ(e.runtime().cases().size(), 1u);
  ASSERT_NE(e.runtime().find_task(kept_task), nullptr);
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM cases"), 1);
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM commands"), 0);

  // The engine goes on; the failed groups' keys were never used.
  o.exec("DROP TRIGGER poison");
  std::optional<Result<CaseId>> again;
  e.submit<Result<CaseId>>([&] { return e.start_case("meldingen", Json::object(), "", "later"); },
                           [&](Result<CaseId> r) { again = r; });
  ASSERT_TRUE(e.flush().is_ok());
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->is_ok()) << again->status().message();
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM cases"), 2);
  EXPECT_TRUE(e.verify_audit().ok);
}

TEST(Pipeline, AnswersComeInTheOrderGivenEachOnceItsGroupIsOnDisk) {
  OpenedWithLadder o("pipeline-order.db");
  Engine& e = *o.engine;
  e.defer_commits(true);
  std::vector<int> answered;
  std::vector<std::int64_t> on_disk_when_answered;
  int given = 0;
  for (int group = 0; group < 5; ++group) {
    for (int i = 0; i < 3; ++i) {
      const int n = given++;
      e.submit<Result<CaseId>>([&] { return e.start_case("meldingen", Json::object()); },
                               [&, n](Result<CaseId> r) {
                                 ASSERT_TRUE(r.is_ok()) << r.status().message();
                                 answered.push_back(n);
                                 on_disk_when_answered.push_back(
                                     o.on_disk(fmt::format("SELECT COUNT(*) FROM cases WHERE id = {}", *r)));
                               });
    }
    ASSERT_TRUE(e.hand_over().is_ok());
    // The group just handed over is not answered yet; the one before it is.
    EXPECT_EQ(static_cast<int>(answered.size()), group * 3);
  }
  ASSERT_TRUE(e.flush().is_ok());
  ASSERT_EQ(static_cast<int>(answered.size()), given);
  for (int i = 0; i < given; ++i) {
    EXPECT_EQ(answered[i], i);
    EXPECT_EQ(on_disk_when_answered[i], 1) << "answer " << i << " came before its case was on disk";
  }
}

TEST(Pipeline, ACommandWaitingForTheWriterIsReplayedAndAReadWaitsForIt) {
  OpenedWithLadder o("pipeline-replay.db");
  Engine& e = *o.engine;
  e.defer_commits(true);
  auto first = e.start_case("meldingen", Json::object(), "", "import-1");
  ASSERT_TRUE(first.is_ok());
  ASSERT_TRUE(e.hand_over().is_ok());
  ASSERT_TRUE(e.in_flight());
  // A retry while its group is with the writer gets the first answer, and changes nothing.
  auto retry = e.start_case("meldingen", Json::object(), "", "import-1");
  ASSERT_TRUE(retry.is_ok());
  EXPECT_EQ(*retry, *first);
  EXPECT_EQ(e.waiting(), 0u);
  auto other = e.start_case("meldingen", Json{{"x", 1}}, "", "import-1");
  EXPECT_EQ(other.status().code(), StatusCode::kInvalidArgument);
  // Nothing waits, but a read may have seen what the group in flight did: it waits for that group.
  std::optional<Status> read_answered;
  e.when_durable([&](const Status& s) { read_answered = s; });
  EXPECT_FALSE(read_answered.has_value());
  ASSERT_TRUE(e.flush().is_ok());
  ASSERT_TRUE(read_answered.has_value());
  EXPECT_TRUE(read_answered->is_ok());
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM commands WHERE key = 'import-1'"), 1);
}

TEST(Pipeline, TheWriterWakesTheHostAndCollectNeverWaits) {
  OpenedWithLadder o("pipeline-wake.db");
  Engine& e = *o.engine;
  std::atomic<int> woken{0};
  e.on_written([&] { ++woken; });
  e.defer_commits(true);
  std::optional<Status> answered;
  e.submit<Result<CaseId>>([&] { return e.start_case("meldingen", Json::object()); },
                           [&](Result<CaseId> r) { answered = r.status(); });
  ASSERT_TRUE(e.hand_over().is_ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (woken.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(woken.load(), 1);
  EXPECT_FALSE(answered.has_value());  // told on the engine's thread only, by collect()
  e.collect();
  ASSERT_TRUE(answered.has_value());
  EXPECT_TRUE(answered->is_ok());
  EXPECT_FALSE(e.in_flight());
  e.on_written(nullptr);
  e.collect();  // nothing in flight: nothing happens
}

TEST(Pipeline, AnEngineThatStopsWritesTheGroupInFlight) {
  OpenedWithLadder o("pipeline-shutdown.db");
  {
    Engine& e = *o.engine;
    e.defer_commits(true);
    bool answered = false;
    // Another process holds the write lock, so the writer cannot have written the group when
    // the engine stops; the lock goes a moment later, within the writer's busy timeout.
    auto other = std::make_unique<store::Database>(o.path);
    other->exec("BEGIN IMMEDIATE");
    for (int i = 0; i < 10; ++i) {
      e.submit<Result<CaseId>>([&] { return e.start_case("meldingen", Json::object()); },
                               [&](Result<CaseId>) { answered = true; });
    }
    ASSERT_TRUE(e.hand_over().is_ok());
    ASSERT_TRUE(e.in_flight());
    // Given after the hand-over: waiting, never handed over, never acknowledged.
    ASSERT_TRUE(e.start_case("meldingen", Json::object()).is_ok());
    EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM cases"), 0);
    std::thread release([&other] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      other->exec("ROLLBACK");
    });
    o.engine.reset();
    release.join();
    EXPECT_FALSE(answered);  // the host may be half torn down: its callbacks are dropped
  }
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM cases"), 10);
  o.reopen();
  EXPECT_EQ(o.engine->runtime().cases().size(), 10u);
  EXPECT_TRUE(o.engine->verify_audit().ok);
}

TEST(Pipeline, ARetryNotDeferredWaitsForItsGroupInFlightAndGetsItsFailure) {
  OpenedWithLadder o("pipeline-retry-undeferred.db");
  Engine& e = *o.engine;
  auto kept = e.start_case("meldingen", Json::object());
  ASSERT_TRUE(kept.is_ok());
  const TaskId task = o.only_task(*kept);
  o.poison_key("poison");
  e.defer_commits(true);
  ASSERT_TRUE(e.complete_task(task, "medewerker", Json::object(), "poison").is_ok());  // provisional
  ASSERT_TRUE(e.hand_over().is_ok());
  ASSERT_TRUE(e.in_flight());
  // The host stops deferring (a GroupCommit that goes) and retries: the first answer was never
  // durable, so the retry must not be told it was.
  e.defer_commits(false);
  Status retry = e.complete_task(task, "medewerker", Json::object(), "poison");
  EXPECT_FALSE(e.in_flight());
  EXPECT_EQ(retry.code(), StatusCode::kInternal) << retry.message();
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM commands"), 0);
  // The task is open again, as on disk, and done once the store takes it.
  ASSERT_NE(e.runtime().find_task(task), nullptr);
  o.exec("DROP TRIGGER poison");
  EXPECT_TRUE(e.complete_task(task, "medewerker", Json::object(), "poison").is_ok());
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM commands WHERE key = 'poison'"), 1);
}

TEST(Pipeline, CommandsGivenWhileAFlushCollectsTheGroupInFlightAreStillHandedOver) {
  OpenedWithLadder o("pipeline-flush-strands.db");
  Engine& e = *o.engine;
  boost::asio::io_context io;
  GroupCommit group_commit(e, io);
  std::optional<Status> a_done, c_done;
  // A: handed to the writer thread through the loop.
  e.submit<Result<CaseId>>([&] { return e.start_case("meldingen", Json::object()); },
                           [&](Result<CaseId> r) {
                             a_done = r.status();
                             // A's caller gives C at once, while a flush is collecting.
                             e.submit<Result<CaseId>>([&] { return e.start_case("meldingen", Json::object()); },
                                                      [&](Result<CaseId> c) { c_done = c.status(); });
                             group_commit.schedule();
                           });
  group_commit.schedule();
  io.run_one();  // the posted collect(): A goes to the writer
  ASSERT_TRUE(e.in_flight());
  // B waits; a flush on the engine's thread (as an audited deploy does) collects A, which
  // gives C, and writes B there.
  e.submit<Result<CaseId>>([&] { return e.start_case("meldingen", Json::object()); }, [](Result<CaseId>) {});
  group_commit.schedule();
  ASSERT_TRUE(e.flush().is_ok());
  ASSERT_TRUE(a_done.has_value());
  EXPECT_FALSE(c_done.has_value());
  // Nothing else happens in the loop: C must still reach the disk and be answered.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!c_done && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(c_done.has_value()) << "C was stranded in the waiting group";
  EXPECT_TRUE(c_done->is_ok()) << c_done->message();
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM cases"), 3);
}

TEST(Pipeline, ACallbackThatThrowsDoesNotKeepTheOtherCallersWaiting) {
  OpenedWithLadder o("pipeline-throwing-callback.db");
  Engine& e = *o.engine;
  e.defer_commits(true);
  Answers answers;
  e.submit<Result<CaseId>>([&] { return e.start_case("meldingen", Json::object()); },
                           [](Result<CaseId>) { throw std::runtime_error("a host's bug"); });
  e.submit<Result<CaseId>>([&] { return e.start_case("meldingen", Json::object()); },
                           [&](Result<CaseId> r) { answers.got.emplace_back("same group", code_of(r)); });
  ASSERT_TRUE(e.hand_over().is_ok());
  e.submit<Result<CaseId>>([&] { return e.start_case("meldingen", Json::object()); },
                           [&](Result<CaseId> r) { answers.got.emplace_back("next group", code_of(r)); });
  // Collecting the first group hands the next over and answers the first: the host's exception
  // comes out, after every caller of that group was answered.
  EXPECT_THROW((void)e.hand_over(), std::runtime_error);
  ASSERT_EQ(answers.got.size(), 1u);
  EXPECT_EQ(answers.got[0].first, "same group");
  EXPECT_EQ(answers.got[0].second, StatusCode::kOk);
  EXPECT_TRUE(e.in_flight());  // the next group was handed over before the answers
  ASSERT_TRUE(e.flush().is_ok());
  ASSERT_EQ(answers.got.size(), 2u);
  EXPECT_EQ(o.on_disk("SELECT COUNT(*) FROM cases"), 3);
}

TEST(Pipeline, TimersFireInPipelinedBatchesAndAFailingStoreFiresNoneTwice) {
  OpenedWithLadder o("pipeline-timers.db");
  Engine& e = *o.engine;
  constexpr int kCases = 700;  // three batches of due timers
  // The store refuses every escalation: the first batch fails, and the one built on it.
  o.escalations_due_and_refused(kCases);
  EXPECT_EQ(e.fire_due(), 0);
  EXPECT_FALSE(e.in_flight());
  EXPECT_EQ(o.escalated(), 0);
  ASSERT_TRUE(e.next_due().has_value());  // read back: due again
  o.exec("DROP TRIGGER poison");
  EXPECT_EQ(e.fire_due(), kCases);
  EXPECT_FALSE(e.next_due().has_value() && *e.next_due() <= o.clock.now());
  EXPECT_EQ(o.escalated(), kCases);
  EXPECT_EQ(o.on_disk("SELECT COUNT(DISTINCT case_id) FROM audit WHERE kind = 'escalated'"), kCases);
  EXPECT_TRUE(e.verify_audit().ok);
}

TEST(Pipeline, ADeferringHostsTimersGoToDiskWithItsGroupsAndAFailedGroupMakesThemDueAgain) {
  OpenedWithLadder o("pipeline-timers-deferred.db");
  Engine& e = *o.engine;
  o.escalations_due_and_refused(3);
  e.defer_commits(true);
  e.on_written([] {});  // a host woken by the writer, as GroupCommit; this test collects itself
  // Fired and handed to the writer; fire_due does not wait for the disk.
  EXPECT_EQ(e.fire_due(), 3);
  EXPECT_TRUE(e.in_flight());
  std::optional<Status> told;
  e.when_durable([&](const Status& s) { told = s; });
  EXPECT_FALSE(e.flush().is_ok());
  ASSERT_TRUE(told.has_value());
  EXPECT_FALSE(told->is_ok());
  // Undone and read back: due again, nothing on disk.
  ASSERT_TRUE(e.next_due().has_value());
  EXPECT_LE(*e.next_due(), o.clock.now());
  EXPECT_EQ(o.escalated(), 0);
  o.exec("DROP TRIGGER poison");
  EXPECT_EQ(e.fire_due(), 3);
  ASSERT_TRUE(e.flush().is_ok());
  EXPECT_EQ(o.on_disk("SELECT COUNT(DISTINCT case_id) FROM audit WHERE kind = 'escalated'"), 3);
  EXPECT_EQ(o.escalated(), 3);
  EXPECT_TRUE(e.verify_audit().ok);
}

// When fire_due itself meets the failure (a full batch waits for the one before), it says that
// none fired, so a driver pauses instead of firing them again at once; a host that is not woken
// by the writer gets its timers durable on return, as one that does not defer.
TEST(Pipeline, ADeferringHostIsToldNoneFiredWhenFireDueMetTheFailure) {
  OpenedWithLadder o("pipeline-timers-deferred-met.db");
  Engine& e = *o.engine;
  o.escalations_due_and_refused(600);  // batches of 256, 256 and 88
  e.defer_commits(true);
  e.on_written([] {});
  EXPECT_EQ(e.fire_due(), 0);
  (void)e.flush();
  ASSERT_TRUE(e.next_due().has_value());
  EXPECT_LE(*e.next_due(), o.clock.now());
  EXPECT_EQ(o.escalated(), 0);
  o.exec("DROP TRIGGER poison");
  e.on_written(nullptr);
  EXPECT_EQ(e.fire_due(), 600);
  EXPECT_FALSE(e.in_flight());
  EXPECT_EQ(e.waiting(), 0u);
  EXPECT_EQ(o.escalated(), 600);
}

// As `termijn serve` runs: the driver does not learn from fire_due that the timers' group failed
// (it had not been written yet), so the group's failure re-arms it, after its pause, rather than
// leaving the timers until its next wake a minute on.
TEST(Pipeline, TheDriverTriesAgainAfterThePauseWhenTheGroupOfItsTimersFails) {
  OpenedWithLadder o("pipeline-driver-retry.db");
  Engine& e = *o.engine;
  o.escalations_due_and_refused(3);
  boost::asio::io_context io;
  RealTimeDriver driver(e, o.clock, io);
  GroupCommit group_commit(e, io);
  driver.schedule();
  auto run_until = [&](const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done() && std::chrono::steady_clock::now() < deadline) io.run_for(std::chrono::milliseconds(10));
    return done();
  };
  // Fired, failed, undone: due again.
  ASSERT_TRUE(run_until([&] { return driver.fired() >= 3 && !e.in_flight() && e.waiting() == 0 && e.next_due() &&
                                     *e.next_due() <= o.clock.now(); }));
  o.exec("DROP TRIGGER poison");
  const auto retried = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until([&] { return o.escalated() == 3; }));
  EXPECT_LT(std::chrono::steady_clock::now() - retried, RealTimeDriver::kMaxWait / 2)
      << "the driver waited for its next wake, not its pause after a failure";
  EXPECT_TRUE(e.verify_audit().ok);
}

// Every connection that writes is told synchronous=FULL first: a commit is acknowledged only once
// it is on disk (store/sqlite.h, use_for_writing). The pragma holds per connection and the writer
// thread opens one of its own, so the statements each connection runs are watched from its
// opening (an SQLite auto-extension installs a trace on every connection opened).
struct Traced {
  sqlite3* db;
  std::string sql;
};
std::mutex traced_mutex;
std::vector<Traced> traced;

int trace_statement(unsigned, void*, void* statement, void*) {
  char* sql = sqlite3_expanded_sql(static_cast<sqlite3_stmt*>(statement));
  std::lock_guard lock(traced_mutex);
  traced.push_back({sqlite3_db_handle(static_cast<sqlite3_stmt*>(statement)), sql != nullptr ? sql : ""});
  sqlite3_free(sql);
  return 0;
}

int trace_connection(sqlite3* db, const char**, const struct sqlite3_api_routines*) {
  {
    std::lock_guard lock(traced_mutex);
    traced.push_back({db, "(opened)"});
  }
  sqlite3_trace_v2(db, SQLITE_TRACE_STMT, trace_statement, nullptr);
  return SQLITE_OK;
}

// Traces every connection opened while it lives, starting from an empty record.
struct TracingConnections {
  TracingConnections() {
    std::lock_guard lock(traced_mutex);
    traced.clear();
    ok = sqlite3_auto_extension(install()) == SQLITE_OK;
  }
  ~TracingConnections() { sqlite3_cancel_auto_extension(install()); }
  static void (*install())() { return reinterpret_cast<void (*)()>(&trace_connection); }
  bool ok = false;
};

// The statement's first word in capitals ("insert into ..." -> "INSERT").
std::string first_word(const std::string& sql) {
  std::size_t begin = sql.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  std::size_t end = sql.find_first_of(" \t\r\n;(", begin);
  std::string word = sql.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return word;
}

TEST(Pipeline, EveryConnectionThatWritesCommitsWithSynchronousFull) {
  {
    TracingConnections tracing;
    ASSERT_TRUE(tracing.ok);
    OpenedWithLadder o("pipeline-synchronous.db");
    Engine& e = *o.engine;
    auto alone = e.start_case("meldingen", Json::object());  // a transaction of its own
    ASSERT_TRUE(alone.is_ok());
    e.defer_commits(true);  // and a group, through the writer thread
    Answers answers;
    e.submit<Status>([&] { return e.complete_task(o.only_task(*alone), "medewerker"); }, answers.of("complete"));
    ASSERT_TRUE(e.hand_over().is_ok());
    ASSERT_TRUE(e.flush().is_ok());
    ASSERT_EQ(answers.got.size(), 1u);
  }

  std::map<sqlite3*, bool> full;  // per open connection: synchronous=FULL in force
  std::set<sqlite3*> wrote;
  int commits = 0;
  std::lock_guard lock(traced_mutex);
  for (const Traced& t : traced) {
    const std::string word = first_word(t.sql);
    if (t.sql == "(opened)") full[t.db] = false;
    if (word == "PRAGMA" && t.sql.find("synchronous") != std::string::npos) {
      full[t.db] = t.sql.find("synchronous=FULL") != std::string::npos;
    }
    bool writes = word == "INSERT" || word == "UPDATE" || word == "DELETE" || word == "REPLACE";
    if (writes) wrote.insert(t.db);
    if (writes || word == "COMMIT" || word == "END") {
      EXPECT_TRUE(full[t.db]) << "a connection wrote without synchronous=FULL: " << t.sql;
      commits += word == "COMMIT" || word == "END";
    }
  }
  EXPECT_GE(wrote.size(), 2u) << "the store's connection and the writer thread's";
  EXPECT_GT(commits, 0);
}
TEST(Pipeline, TheLogIsCopiedIntoTheFileOffTheWritersWayAndStaysBounded) {
  // Large groups written by the writer pass the log's checkpoint size many times over; the
  // checkpointer thread copies the log into the file, and the log never grows past the bound.
  const std::string path = testing::temp_path("pipeline-checkpoint.db");
  { store::Store created(path); }  // the schema
  store::Writer writer(path, /*durable=*/false, store::ChainKeying{});
  const std::string big(2000, 'x');
  std::int64_t largest_log = 0;
  for (int group = 0; group < 30; ++group) {
    store::RowBatch batch;
    for (int i = 0; i < 800; ++i) {
      batch.rows.audit.push_back(runtime::AuditEntry{group * 1000 + i, Instant{}, runtime::AuditKind::kCaseDataChanged, json_text(Json{{"text", big}}), {}});
    }
    writer.write(std::move(batch));
    store::Written written = writer.take();
    ASSERT_TRUE(written.ok()) << written.error;
    std::error_code ec;
    largest_log = std::max<std::int64_t>(largest_log, std::filesystem::file_size(path + "-wal", ec));
  }
  // 30 groups of some 800 pages (each row a page of its own), past kLargeCommitPages: the
  // checkpointer thread copied some of them, and the log passed kWriterCheckpointPages, where the
  // writer copied the rest itself and the log started again.
  const auto start = std::chrono::steady_clock::now();
  while (writer.checkpoints() == 0 && std::chrono::steady_clock::now() - start < std::chrono::seconds(60)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(writer.checkpoints(), 0);
  // At most the committer's own bound and one group past it, with the frames' headers. Without
  // checkpoints the 30 groups would take some 24,000 pages.
  EXPECT_LT(largest_log, (store::Checkpointer::kWriterCheckpointPages + 1000) * 4200);
  store::Database db(path);
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM audit"), 30 * 800);
}

}  // namespace
}  // namespace termijn
