// A database's audit tables put back as schema 8 left them, for the tests of the migrations that
// came before: links and details' hashes as 64 hex digits, every entry with its detail's hash and
// a purged flag (migration 9 keeps a hash only where the detail was purged).
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "engine/base/sha256.h"
#include "engine/store/sqlite.h"

namespace termijn::testing {

inline void audit_back_to_schema_8(store::Database& db) {
  std::vector<std::tuple<std::int64_t, std::string, std::string>> hashes;  // seq, link, detail hash
  {
    store::Statement read(db.handle(), "SELECT seq, hash, detail_hash, detail FROM audit ORDER BY seq");
    while (read.step()) {
      std::string detail_hash = read.is_null(2) ? sha256_hex(read.text(3)) : to_hex(read.blob(2));
      hashes.emplace_back(read.integer(0), to_hex(read.blob(1)), detail_hash);
    }
  }
  db.exec(
      "CREATE TABLE audit_v8(seq INTEGER PRIMARY KEY, case_id INTEGER, at INTEGER NOT NULL, kind TEXT NOT NULL,"
      "  detail TEXT NOT NULL, hash TEXT NOT NULL, detail_hash TEXT NOT NULL DEFAULT '', purged INTEGER NOT NULL DEFAULT 0);"
      "INSERT INTO audit_v8 SELECT seq, case_id, at, kind, detail, '', '', detail_hash IS NOT NULL FROM audit;"
      "DROP TABLE audit; ALTER TABLE audit_v8 RENAME TO audit; CREATE INDEX audit_by_case ON audit(case_id);"
      "CREATE TABLE audit_head_v8(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);"
      "INSERT INTO audit_head_v8 SELECT id, seq, lower(hex(hash)) FROM audit_head;"
      "DROP TABLE audit_head; ALTER TABLE audit_head_v8 RENAME TO audit_head;"
      "DELETE FROM schema_migrations WHERE version >= 9");
  store::Statement write(db.handle(), "UPDATE audit SET hash = ?, detail_hash = ? WHERE seq = ?");
  for (const auto& [seq, link, detail_hash] : hashes) write.bind(1, link).bind(2, detail_hash).bind(3, seq).run();
}

}  // namespace termijn::testing
