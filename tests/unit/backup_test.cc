// Copies of a database (store/backup.h): checked before they carry the target's name, refused
// with a reason and a code that says whose fault it is, the target untouched on every failure.
#include "engine/store/backup.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/store/store.h"
#include "tests/support/audit_schema.h"
#include "tests/unit/lifecycle_support.h"

namespace termijn {
namespace {

using testing::raw_bytes;
using testing::temp_path;
using testing::write_key_file;

// A database with `count` cases, each with an audit entry.
std::string database_with_cases(const std::string& name, int count) {
  std::string path = temp_path(name);
  store::Store s(path);
  runtime::Changes changes;
  for (int id = 1; id <= count; ++id) {
    runtime::Instance c;
    c.id = id;
    c.process = "landelijk";
    c.hash = "h";
    changes.cases[id] = c;
    changes.audit.push_back(runtime::AuditEntry{id, from_millis(1000 * id), runtime::AuditKind::kCaseStarted, "{}"});
  }
  s.commit(changes, {});
  return path;
}

TEST(Backup, CopiesACheckedDatabaseThatOpensWithEveryCase) {
  std::string from = database_with_cases("backup-source.db", 25);
  std::string to = temp_path("backup-copy.db");
  store::Store live(from);  // open, as a serve would hold it
  auto copied = store::copy_database(from, to, {});
  ASSERT_TRUE(copied.is_ok()) << copied.status().message();
  EXPECT_EQ(copied->cases, 25);
  EXPECT_EQ(copied->audit_entries, 25);
  EXPECT_GT(copied->pages, 0);
  EXPECT_FALSE(std::filesystem::exists(fmt::format("{}.partial-{}", to, getpid())));
  store::Store copy(to);
  EXPECT_EQ(copy.cases(std::nullopt), live.cases(std::nullopt));
  EXPECT_TRUE(copy.verify_audit().ok);
}

TEST(Backup, RefusesToReplaceATargetUnlessAskedAndNeverReplacesTheSource) {
  std::string from = database_with_cases("backup-refuse.db", 2);
  std::string to = temp_path("backup-refuse-target.db");
  std::filesystem::copy_file("/etc/hostname", to);
  std::string before = raw_bytes(to);
  auto refused = store::copy_database(from, to, {});
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("exists already"), std::string::npos);
  EXPECT_EQ(raw_bytes(to), before);
  store::CopyOptions force;
  force.replace = true;
  EXPECT_TRUE(store::copy_database(from, to, force).is_ok());
  auto itself = store::copy_database(from, from, force);
  EXPECT_EQ(itself.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(itself.status().message().find("is the database itself"), std::string::npos);
}

TEST(Backup, AMissingSourceOrTargetDirectoryIsAClearError) {
  auto missing = store::copy_database(temp_path("no-such.db"), temp_path("never.db"), {});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("there is no database at"), std::string::npos);
  std::string from = database_with_cases("backup-nodir.db", 1);
  auto no_dir = store::copy_database(from, "/nonexistent-dir/b.db", {});
  EXPECT_EQ(no_dir.status().code(), StatusCode::kInternal);
  EXPECT_NE(no_dir.status().message().find("there is no directory '/nonexistent-dir'"), std::string::npos);
  auto not_a_db = store::copy_database("/etc/hostname", temp_path("hostname-copy.db"), {});
  EXPECT_FALSE(not_a_db.is_ok());
  EXPECT_FALSE(std::filesystem::exists(temp_path("hostname-copy.db")));
}

TEST(Backup, ACopyWhoseAuditLogDoesNotVerifyIsNotKept) {
  std::string from = database_with_cases("backup-rewritten.db", 3);
  {
    store::Database db(from);
    db.exec("UPDATE audit SET kind = 'case ended' WHERE seq = 2");
  }
  std::string to = temp_path("backup-rewritten-copy.db");
  auto copied = store::copy_database(from, to, {});
  EXPECT_EQ(copied.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(copied.status().message().find("entry 2 was changed after it was written"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(to));
}

// A backup taken before migration 9 holds its audit links in hex, every entry's detail hash and a
// purged flag; it is checked as it was written (it is migrated when a termijn opens it).
TEST(Backup, ACopyOfADatabaseFromBeforeMigrationNineIsCheckedAsItWasWritten) {
  auto schema_8 = [](const std::string& name, const std::string& sql) {
    std::string path = database_with_cases(name, 3);
    store::Database db(path);
    testing::audit_back_to_schema_8(db);
    // Entry 2 purged as a purge then did: its detail erased, its hash kept, the flag set.
    db.exec("UPDATE audit SET detail = 'null', purged = 1 WHERE seq = 2;" + sql);
    return path;
  };
  auto copied = store::copy_database(schema_8("backup-schema-8.db", ""), temp_path("backup-schema-8-copy.db"), {});
  ASSERT_TRUE(copied.is_ok()) << copied.status().message();
  EXPECT_EQ(copied->audit_entries, 3);
  for (const char* edit : {"UPDATE audit SET kind = 'case ended' WHERE seq = 3",
                           "UPDATE audit SET detail = '{\"x\":1}' WHERE seq = 2",
                           "UPDATE audit SET detail = '{\"x\":1}', purged = 1 WHERE seq = 3"}) {
    std::string to = temp_path("backup-schema-8-edited-copy.db");
    auto refused = store::copy_database(schema_8("backup-schema-8-edited.db", edit), to, {});
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << edit;
    EXPECT_NE(refused.status().message().find("was changed after it was written"), std::string::npos) << edit;
    EXPECT_FALSE(std::filesystem::exists(to));
  }
}

TEST(Backup, AKeyedDatabaseIsCopiedOnlyWithItsKey) {
  std::string from = database_with_cases("backup-keyed.db", 2);
  store::AuditKey key = store::AuditKey::from_file(write_key_file("backup-key", std::string(32, 'b')));
  {
    store::Store s(from);
    s.key_audit_log(key, from_millis(9000), runtime::Json::object());
  }
  std::string to = temp_path("backup-keyed-copy.db");
  auto without = store::copy_database(from, to, {});
  EXPECT_EQ(without.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(without.status().message().find("its audit log is keyed"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(to));
  store::CopyOptions with;
  with.key = key;
  auto copied = store::copy_database(from, to, with);
  ASSERT_TRUE(copied.is_ok()) << copied.status().message();
  EXPECT_EQ(copied->keyed_from, 3);
}

}  // namespace
}  // namespace termijn
