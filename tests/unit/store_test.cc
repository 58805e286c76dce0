#include "engine/store/store.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

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
    EXPECT_EQ(s.schema_version(), 1);
  }
  store::Store again(path);
  EXPECT_EQ(again.schema_version(), 1);
  store::Database db(path);
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM schema_migrations"), 1);
  store::Statement mode(db.handle(), "PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
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
  changes.audit.push_back(runtime::AuditEntry{1, from_millis(1000), "case started", runtime::Json::object()});
  changes.audit.push_back(runtime::AuditEntry{1, from_millis(2000), "task opened", runtime::Json{{"task", 1}}});
  s.commit(changes, {store::CommandRecord{"key-1", "start", runtime::Json{{"case", 1}}}});
  EXPECT_EQ(s.running_cases().size(), 1u);
  EXPECT_EQ(s.command_result("key-1")->at("case"), 1);
  EXPECT_FALSE(s.command_result("key-2").has_value());
  store::AuditCheck check = s.verify_audit();
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.entries, 2);
  // A failing step leaves nothing behind: the same key twice violates the primary key.
  changes.audit.clear();
  changes.cases[1].level = 3;
  EXPECT_THROW(s.commit(changes, {store::CommandRecord{"key-1", "start", runtime::Json()}}), store::SqliteError);
  EXPECT_EQ(s.running_cases().front().level, 0);
  EXPECT_TRUE(s.verify_audit().ok);
}

}  // namespace
}  // namespace termijn
