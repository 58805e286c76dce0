// Retention (art. 10 Wth) destroys: after a purge the purged case's text is in neither the
// database file nor its write-ahead log, read as raw bytes the way someone with the disk would.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/api/engine.h"
#include "tests/unit/lifecycle_support.h"

namespace termijn {
namespace {

using testing::raw_bytes;
using testing::temp_path;

// In the database file or its write-ahead log.
bool on_disk(const std::string& db, const std::string& text) {
  return raw_bytes(db).find(text) != std::string::npos || raw_bytes(db + "-wal").find(text) != std::string::npos;
}

TEST(Purge, LeavesThePurgedCaseNeitherInTheFileNorInItsLog) {
  const std::string kPurged = "Zwanenburg-Oostervelt";
  const std::string kKept = "Achterberg-Vlietland";
  std::string path = temp_path("purge-destroys.db");
  VirtualClock clock(*parse_instant("2020-03-02 10:00"));
  auto engine = Engine::open(EngineOptions{path, &clock, {TERMIJN_STDLIB_DIR}});
  ASSERT_TRUE(engine.is_ok()) << engine.status().message();
  Engine& e = *engine.value();
  DeployResult deployed = e.deploy({std::string(TERMIJN_SOURCE_DIR) + "/processes/landelijk.wth"});
  ASSERT_TRUE(deployed.ok()) << render(deployed.diagnostics);
  auto purged_case = e.start_case("landelijk", {{"uithuisgeplaatste", kPurged}, {"aanhouding", false},
                                                {"kindermishandeling", false}});
  ASSERT_TRUE(purged_case.is_ok()) << purged_case.status().message();
  ASSERT_TRUE(e.cancel_case(*purged_case, "melding over " + kPurged + " ingetrokken").is_ok());
  {
    // Into the file, as SQLite's automatic checkpoints do: the name is then in the file's pages,
    // and in the log again once a page that holds it is written anew.
    store::Database other(path);
    other.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  // Without this the test could pass on a file that never held the name.
  ASSERT_NE(raw_bytes(path).find(kPurged), std::string::npos) << "the case's text should be in the file";
  auto kept_case = e.start_case("landelijk", {{"uithuisgeplaatste", kKept}, {"aanhouding", false},
                                              {"kindermishandeling", false}});
  ASSERT_TRUE(kept_case.is_ok());

  clock.set(*parse_instant("2026-01-05 09:00"));
  auto purged = e.purge(std::nullopt, Actor::host("archivaris"));
  ASSERT_TRUE(purged.is_ok()) << purged.status().message();
  EXPECT_EQ(purged->cases, std::vector<CaseId>{*purged_case});
  EXPECT_TRUE(purged->log_emptied);

  EXPECT_EQ(raw_bytes(path).find(kPurged), std::string::npos) << "in the database file";
  EXPECT_EQ(raw_bytes(path + "-wal").find(kPurged), std::string::npos) << "in the write-ahead log";
  EXPECT_TRUE(on_disk(path, kKept)) << "the running case stays";
  store::AuditCheck check = e.verify_audit();
  EXPECT_TRUE(check.ok) << check.problem;
}

}  // namespace
}  // namespace termijn
