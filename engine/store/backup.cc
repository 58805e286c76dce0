#include "engine/store/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "engine/store/sqlite.h"

namespace termijn::store {

namespace fs = std::filesystem;

namespace {

// A database file and the files SQLite keeps beside it.
void remove_with_companions(const std::string& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ignored);
}

// Flushes a file or a directory to disk, so a rename is not acknowledged before what it names.
bool sync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

Status io_failure(const std::string& what) {
  return Status(StatusCode::kInternal, fmt::format("{}: {}", what, std::strerror(errno)));
}

// Runs SQLite's backup from `source` into `dest`, one read transaction on the source throughout.
// The backup API restarts a copy whenever another connection writes between two steps; reading in
// one transaction keeps the source's snapshot fixed instead, and in WAL mode a reader never holds
// up the writer, so the server goes on committing while the copy is taken.
void run_backup(Database& source, Database& dest, const CopyOptions& options, CopyReport& report) {
  source.exec("BEGIN");
  source.scalar("SELECT COUNT(*) FROM sqlite_master");  // takes the snapshot now
  sqlite3_backup* backup = sqlite3_backup_init(dest.handle(), "main", source.handle(), "main");
  if (backup == nullptr) throw SqliteError(sqlite3_errmsg(dest.handle()));
  int rc = SQLITE_OK;
  while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    rc = sqlite3_backup_step(backup, options.pages_per_step);
    if (rc != SQLITE_DONE) std::this_thread::sleep_for(options.pause);
  }
  report.pages = sqlite3_backup_pagecount(backup);
  int finished = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) throw SqliteError(sqlite3_errstr(rc));
  if (finished != SQLITE_OK) throw SqliteError(sqlite3_errmsg(dest.handle()));
  report.bytes = report.pages * source.scalar("PRAGMA page_size");
  source.exec("COMMIT");
}

// The checks a copy must pass before it may carry the target's name. An empty status: it passed.
Status check_copy(const std::string& copy, const std::string& from, const CopyOptions& options, CopyReport& report) {
  Database db(copy);
  std::string problems = integrity_problems(db, /*full=*/true);
  if (!problems.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("the copy of '{}' fails integrity_check ({}); the source is damaged", from, problems));
  }
  ChainKeying keying;
  try {
    keying = read_keying(db, options.key);
  } catch (const SqliteError& e) {
    return Status(StatusCode::kFailedPrecondition, fmt::format("'{}' cannot be checked: {}", from, e.what()));
  }
  try {
    AuditCheck chain = verify_chain(db, keying, 1);
    if (!chain.ok) {
      return Status(StatusCode::kInvalidArgument,
                    fmt::format("the audit log of the copy of '{}' is broken ({}); the source was changed outside "
                                "termijn or is damaged",
                                from, chain.problem));
    }
    report.audit_entries = chain.entries;
    report.keyed_from = chain.keyed_from;
    report.cases = db.scalar("SELECT COUNT(*) FROM cases");
  } catch (const SqliteError& e) {
    return Status(StatusCode::kInvalidArgument, fmt::format("'{}' cannot be checked: {}", from, e.what()));
  }
  return Status::ok();
}

}  // namespace

Result<CopyReport> copy_database(const std::string& from, const std::string& to, const CopyOptions& options) {
  auto started = std::chrono::steady_clock::now();
  std::error_code ec;
  if (!fs::is_regular_file(from, ec)) {
    return Status(StatusCode::kNotFound, fmt::format("there is no database at '{}'", from));
  }
  if (fs::exists(to, ec)) {
    if (fs::equivalent(from, to, ec)) {
      return Status(StatusCode::kFailedPrecondition, fmt::format("'{}' is the database itself", to));
    }
    if (!options.replace) {
      return Status(StatusCode::kFailedPrecondition,
                    fmt::format("'{}' exists already; it is replaced only when that is asked for (--force)", to));
    }
  }
  fs::path dir = fs::path(to).parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec)) {
    return Status(StatusCode::kInternal, fmt::format("cannot write '{}': there is no directory '{}'", to, dir.string()));
  }
  // Beside the target, so the rename stays within one file system and is atomic.
  std::string partial = fmt::format("{}.partial-{}", to, ::getpid());
  remove_with_companions(partial);
  // The partial name goes in every case: renamed, linked to the target, or a failed copy.
  struct Cleanup {
    const std::string& path;
    ~Cleanup() { remove_with_companions(path); }
  } cleanup{partial};

  CopyReport report;
  try {
    Database source(from, Database::Mode::kReadOnly);
    Database dest(partial);
    run_backup(source, dest, options, report);
  } catch (const SqliteError& e) {
    return Status(StatusCode::kInternal, fmt::format("cannot copy '{}' to '{}': {}", from, to, e.what()));
  }
  if (Status checked = check_copy(partial, from, options, report); !checked.is_ok()) return checked;
  if (!sync_path(partial)) return io_failure(fmt::format("cannot flush '{}' to disk", partial));

  // A log left beside a replaced database belongs to that database: applied to the copy, it
  // would damage it.
  for (const char* suffix : {"-wal", "-shm", "-journal"}) fs::remove(to + suffix, ec);
  if (options.replace) {
    if (::rename(partial.c_str(), to.c_str()) != 0) return io_failure(fmt::format("cannot rename '{}' to '{}'", partial, to));
  } else {
    // link() refuses an existing name atomically, even one created since the check above.
    if (::link(partial.c_str(), to.c_str()) != 0) {
      if (errno == EEXIST) {
        return Status(StatusCode::kFailedPrecondition, fmt::format("'{}' appeared while the copy was made", to));
      }
      return io_failure(fmt::format("cannot create '{}'", to));
    }
  }
  if (!sync_path(dir.string())) return io_failure(fmt::format("cannot flush the directory '{}'", dir.string()));
  report.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return report;
}

}  // namespace termijn::store
