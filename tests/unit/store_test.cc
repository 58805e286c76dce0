#include "engine/base/json_text.h"
#include "engine/base/sha256.h"
#include "engine/store/store.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <fmt/format.h>

#include <filesystem>

#include "tests/support/audit_schema.h"

namespace termijn {
namespace {

std::string temp_db(const char* name) {
  std::string path =
      (std::filesystem::temp_directory_path() / (std::to_string(getpid()) + "-" + name)).string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

TEST(Store, CreatesTheSchemaOnceAndKeepsItsVersion) {
  std::string path = temp_db("termijn-store-schema.db");
  {
    store::Store s(path);
    EXPECT_EQ(s.schema_version(), 9);
  }
  store::Store again(path);
  EXPECT_EQ(again.schema_version(), 9);
  store::Database db(path);
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM schema_migrations"), 9);
  store::Statement mode(db.handle(), "PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
  EXPECT_EQ(db.scalar("PRAGMA page_size"), 8192);
}

TEST(Store, RefusesADatabaseFromANewerTermijn) {
  std::string path = temp_db("termijn-store-newer.db");
  { store::Store s(path); }
  {
    store::Database db(path);
    db.exec("INSERT INTO schema_migrations VALUES (99, 0)");
  }
  EXPECT_THROW(store::Store{path}, store::SqliteError);
}

TEST(Store, CommitsAStepAtomicallyAndChainsTheAudit) {
  std::string path = temp_db("termijn-store-commit.db");
  store::Store s(path);
  runtime::Changes changes;
  runtime::Instance c;
  c.id = 1;
  c.process = "p";
  c.hash = "h";
  changes.cases[1] = c;
  changes.audit.push_back(runtime::AuditEntry{1, from_millis(1000), runtime::AuditKind::kCaseStarted, "{}"});
  changes.audit.push_back(runtime::AuditEntry{1, from_millis(2000), runtime::AuditKind::kTaskOpened, json_text(runtime::Json{{"task", 1}})});
  s.commit(changes, {store::CommandRecord{"key-1", "start", runtime::Json{{"case", 1}}, ""}});
  EXPECT_EQ(s.running_cases().size(), 1u);
  EXPECT_EQ(s.command_result("key-1")->at("case"), 1);
  EXPECT_FALSE(s.command_result("key-2").has_value());
  store::AuditCheck check = s.verify_audit();
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.entries, 2);
  // A failing step leaves nothing behind: the same key twice violates the primary key.
  changes.audit.clear();
  changes.cases[1].level = 3;
  EXPECT_THROW(s.commit(changes, {store::CommandRecord{"key-1", "start", runtime::Json(), ""}}), store::SqliteError);
  EXPECT_EQ(s.running_cases().front().level, 0);
  EXPECT_TRUE(s.verify_audit().ok);
}

// The chain's check finds entry `seq` changed, and says so.
void expect_changed(store::Store& s, std::int64_t seq) {
  store::AuditCheck check = s.verify_audit();
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.problem, fmt::format("entry {} was changed after it was written", seq));
}

// One ended case (1) and one running case (2), each with audit entries.
void two_cases(store::Store& s, Instant ended_at) {
  runtime::Changes changes;
  runtime::Instance ended;
  ended.id = 1;
  ended.process = "p";
  ended.status = runtime::CaseStatus::kCompleted;
  ended.ended = ended_at;
  runtime::Instance running = ended;
  running.id = 2;
  running.status = runtime::CaseStatus::kRunning;
  running.ended.reset();
  changes.cases[1] = ended;
  changes.cases[2] = running;
  changes.audit.push_back(runtime::AuditEntry{1, from_millis(1000), runtime::AuditKind::kCaseStarted, json_text(runtime::Json{{"naam", "A"}})});
  changes.audit.push_back(runtime::AuditEntry{2, from_millis(1000), runtime::AuditKind::kCaseStarted, json_text(runtime::Json{{"naam", "B"}})});
  changes.audit.push_back(runtime::AuditEntry{1, ended_at, runtime::AuditKind::kCaseEnded, json_text(runtime::Json{{"reden", "klaar"}})});
  s.commit(changes, {});
}

// two_cases written by this termijn (the ended one purged, when asked), then its audit tables put
// back as schema 8 left them and `sql` run on the database: what an older termijn left.
std::string two_cases_as_schema_8(const char* name, const std::string& sql, bool purged = false) {
  std::string path = temp_db(name);
  {
    store::Store s(path);
    two_cases(s, from_millis(5000));
    if (purged) s.purge_ended_before(from_millis(6000), runtime::AuditEntry{0, from_millis(7000), runtime::AuditKind::kCaseDataPurged, "{}"});
  }
  store::Database db(path);
  testing::audit_back_to_schema_8(db);
  if (!sql.empty()) db.exec(sql);
  return path;
}

TEST(Store, ADatabaseMadeWithSmallerPagesKeepsThem) {
  std::string path = temp_db("termijn-store-4k.db");
  {
    store::Database db(path);
    db.exec("PRAGMA page_size=4096; PRAGMA journal_mode=WAL; CREATE TABLE earlier(x)");
  }
  {
    store::Store s(path);
    two_cases(s, from_millis(5000));
    EXPECT_TRUE(s.verify_audit().ok);
  }
  store::Database db(path);
  EXPECT_EQ(db.scalar("PRAGMA page_size"), 4096);
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM cases"), 2);
}

TEST(Store, RetentionErasesEndedCasesYetTheAuditChainStillVerifies) {
  std::string path = temp_db("termijn-store-purge.db");
  store::Store s(path);
  two_cases(s, from_millis(5000));
  auto purged = s.purge_ended_before(from_millis(6000), runtime::AuditEntry{0, from_millis(7000), runtime::AuditKind::kCaseDataPurged,
                                                                           json_text(runtime::Json{{"by", "test"}})});
  ASSERT_EQ(purged.cases, std::vector<std::int64_t>{1});
  EXPECT_TRUE(purged.log_emptied);
  EXPECT_EQ(s.cases(std::nullopt).size(), 1u);  // the running case stays
  runtime::Json log = s.audit_log(1);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_TRUE(log[0]["detail"].is_null());
  EXPECT_TRUE(log[0].value("purged", false));
  EXPECT_EQ(s.audit_log(2)[0]["detail"]["naam"], "B");
  runtime::Json all = s.audit_log(std::nullopt);
  EXPECT_EQ(all.back()["kind"], "case data purged");
  EXPECT_EQ(all.back()["detail"]["cases"], runtime::Json::array({1}));
  store::AuditCheck check = s.verify_audit();
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.entries, 4);
  // A purged case's id is never handed out again: the audit still names it.
  EXPECT_EQ(s.next_ids().next_case, 3);
  {
    store::Database db(path);
    db.exec("UPDATE audit SET detail = '{\"naam\":\"C\"}' WHERE case_id = 2");
  }
  expect_changed(s, 2);
}

TEST(Store, APurgedEntryHidesNoOtherDetailBehindItsKeptHash) {
  std::string path = temp_db("termijn-store-purge-forged.db");
  store::Store s(path);
  two_cases(s, from_millis(5000));
  // Whoever can write the file gives a live entry its detail's hash, as a purge would keep it,
  // and then changes the detail: the hash still matches the link, but only 'null' may stand
  // beside a kept hash.
  {
    store::Database db(path);
    store::Statement keep(db.handle(), "UPDATE audit SET detail_hash = ?, detail = '{\"naam\":\"C\"}' WHERE seq = 2");
    const Sha256Digest original = sha256(json_text(runtime::Json{{"naam", "B"}}));
    keep.bind_blob_unowned(1, bytes_of(original)).run();
  }
  expect_changed(s, 2);
}

// Schema 9 stores a link in its 32 bytes and a detail's hash only beside a purged detail; a log
// written as schema 8 left it (hex, a hash for every entry) is converted and still verifies.
TEST(Store, MigrationNineStoresLinksAsBytesAndTheChainStillVerifies) {
  std::string path = two_cases_as_schema_8("termijn-store-migrate-9.db", "", true);
  {
    store::Database db(path);
    EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM audit WHERE typeof(hash) = 'text' AND length(hash) = 64"), 4);
  }
  store::Store s(path);
  EXPECT_EQ(s.schema_version(), 9);
  store::AuditCheck check = s.verify_audit();
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.entries, 4);
  store::Database db(path);
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM audit WHERE typeof(hash) = 'blob' AND length(hash) = 32"), 4);
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM audit WHERE detail_hash IS NOT NULL"), 2) << "the purged case's two";
  EXPECT_EQ(db.scalar("SELECT length(hash) FROM audit_head"), 32);
  EXPECT_TRUE(s.audit_log(1)[0].value("purged", false));
  EXPECT_FALSE(s.audit_log(2)[0].value("purged", false));
  // And the log goes on from the converted head.
  runtime::Changes more;
  more.audit.push_back(runtime::AuditEntry{2, from_millis(8000), runtime::AuditKind::kCaseDataUpdated, "{}"});
  s.commit(more, {});
  check = s.verify_audit();
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.entries, 5);
}

TEST(Store, MigrationNineLeavesADamagedLinkForTheCheckToFind) {
  std::string path = two_cases_as_schema_8("termijn-store-migrate-9-damaged.db",
                                           "UPDATE audit SET hash = upper(hash) WHERE seq = 2");
  store::Store s(path);
  expect_changed(s, 2);
}

TEST(Store, PurgingTheNewestCaseDoesNotFreeItsId) {
  std::string path = temp_db("termijn-store-purge-ids.db");
  store::Store s(path);
  runtime::Changes changes;
  runtime::Instance ended;
  ended.id = 7;
  ended.status = runtime::CaseStatus::kCompleted;
  ended.ended = from_millis(10);
  changes.cases[7] = ended;
  s.commit(changes, {});
  s.purge_ended_before(from_millis(20), runtime::AuditEntry{0, from_millis(30), runtime::AuditKind::kCaseDataPurged, "{}"});
  EXPECT_TRUE(s.cases(std::nullopt).empty());
  EXPECT_EQ(s.next_ids().next_case, 8);
}

TEST(Store, MigrationTwoRechainsAnExistingAuditLog) {
  // Back to schema 1 as an older termijn left it: no detail hashes, no tokens, no cursors.
  std::string path = two_cases_as_schema_8(
      "termijn-store-migrate.db",
      "DROP INDEX cases_by_end; DROP TABLE tokens; DROP TABLE sink_cursors; DROP TABLE id_floors;"
      "ALTER TABLE audit DROP COLUMN detail_hash; ALTER TABLE audit DROP COLUMN purged;"
      "ALTER TABLE commands DROP COLUMN fingerprint; ALTER TABLE outbox DROP COLUMN persons;"
      "DROP TABLE audit_keying;"
      "DROP INDEX timers_live; DROP INDEX outbox_by_case; ALTER TABLE tasks DROP COLUMN node; ALTER TABLE tasks DROP COLUMN token;"
      "ALTER TABLE timers DROP COLUMN rung; ALTER TABLE timers DROP COLUMN token;"
      "ALTER TABLE timers DROP COLUMN failed_at; ALTER TABLE timers DROP COLUMN failure;"
      "ALTER TABLE audit ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';"
      "DELETE FROM schema_migrations WHERE version >= 2");
  store::Store s(path);
  EXPECT_EQ(s.schema_version(), 9);
  store::AuditCheck check = s.verify_audit();
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.entries, 3);
}

TEST(Store, KeepsOnlyTheHashOfATokenAndForgetsRevokedOnes) {
  std::string path = temp_db("termijn-store-tokens.db");
  store::Store s(path);
  s.add_token("hash-1", store::TokenHolder{"burgemeester-rdam", "Gemeente Rotterdam", "burgemeester"}, from_millis(0));
  EXPECT_EQ(s.token_holder("hash-1")->role, "burgemeester");
  EXPECT_FALSE(s.token_holder("hash-2").has_value());
  EXPECT_TRUE(s.revoke_token("burgemeester-rdam", from_millis(1)));
  EXPECT_FALSE(s.token_holder("hash-1").has_value());
  EXPECT_FALSE(s.revoke_token("burgemeester-rdam", from_millis(2)));
}

TEST(Store, SinksResumeWhereTheyLeftOff) {
  std::string path = temp_db("termijn-store-sinks.db");
  store::Store s(path);
  runtime::Changes changes;
  for (int i = 0; i < 3; ++i) {
    changes.outbox.push_back(runtime::Notification{1, from_millis(i), {"politie"}, fmt::format("bericht {}", i), "t", {}});
  }
  s.commit(changes, {});
  EXPECT_EQ(s.sink_cursor("webhook:a"), 0);
  auto rows = s.outbox_after(0, 2);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].message, "bericht 1");
  s.record_delivery("webhook:a", rows[1].id, 0, "");
  EXPECT_EQ(s.outbox_after(s.sink_cursor("webhook:a"), 10).size(), 1u);
  EXPECT_EQ(s.sinks()[0]["waiting"], 1);
}

}  // namespace
}  // namespace termijn
