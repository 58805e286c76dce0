// Copies of a database, online: SQLite's backup API reads the source in a read transaction of its
// own, so a `termijn serve` writing to it meanwhile is not stopped, and the copy is the database
// as it was at one commit. A copy is written beside its target under a temporary name, checked
// (integrity_check and the audit chain), and only then renamed to the target: no half or unsound
// copy ever sits under the target's name. A restore is the same copy in the other direction.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "engine/base/status.h"
#include "engine/store/audit_chain.h"

namespace termijn::store {

struct CopyOptions {
  bool replace = false;            // replace an existing target (otherwise refused)
  std::optional<AuditKey> key;     // the audit key, for a keyed database
  // Pages per backup step, and the pause between steps: a large copy gives the disk back to the
  // server between steps instead of reading the whole file in one burst.
  int pages_per_step = 1024;
  std::chrono::milliseconds pause{2};
};

struct CopyReport {
  std::int64_t pages = 0;
  std::int64_t bytes = 0;
  std::int64_t cases = 0;
  std::int64_t audit_entries = 0;
  std::int64_t keyed_from = 0;  // the first keyed audit entry; 0: the log is not keyed
  std::chrono::milliseconds took{0};
};

// Copies the database at `from` to `to`. Failures: kNotFound (no database at `from`),
// kFailedPrecondition (`to` exists and `replace` is off, or is `from` itself; the audit key is
// missing, or another than the database's), kInvalidArgument
// (the copy fails integrity_check or its audit chain does not verify: the source is damaged or was
// changed outside termijn), kInternal (reading, writing or renaming failed). On any failure the
// target is as it was.
Result<CopyReport> copy_database(const std::string& from, const std::string& to, const CopyOptions& options);

}  // namespace termijn::store
