#include "engine/store/sqlite.h"

#include <fmt/format.h>

namespace termijn::store {

Statement::Statement(sqlite3* db, const char* sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
    throw SqliteError(fmt::format("cannot prepare '{}': {}", sql, sqlite3_errmsg(db)));
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, const std::string& value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_unowned(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::bind_blob_unowned(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string message = sqlite3_errmsg(db_);
  reset();  // also forgets the bindings: unowned text may not outlive the throw
  throw SqliteError(message);
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string Statement::blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

Database::Database(const std::string& path, Mode mode) {
  // NOMUTEX: no connection is used by two threads at once (the writer's passes between the
  // writer's thread and the engine's under the writer's lock), so SQLite need not lock it on every
  // call: the locking was about a fifteenth of the writer's instructions.
  int flags = (mode == Mode::kCreate ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
              SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw SqliteError(fmt::format("cannot open database '{}': {}", path, message));
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
}

Database::~Database() {
  statements_.clear();  // finalize before closing
  sqlite3_close(db_);
}

Statement& Database::cached(const char* sql) {
  auto& slot = statements_[sql];
  if (!slot) slot = std::make_unique<Statement>(db_, sql);
  return *slot;
}

void Database::exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw SqliteError(message);
  }
}

std::int64_t Database::scalar(const std::string& sql) {
  Statement s(db_, sql.c_str());
  return s.step() ? s.integer(0) : 0;
}

void use_for_writing(Database& db, bool durable) {
  // FULL: a commit is on disk before it is acknowledged.
  db.exec(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF");
  // What is deleted is overwritten with zeros, in the file and in the pages the log takes: data
  // destroyed under art. 10 Wth must not live on in free space.
  db.exec("PRAGMA secure_delete=ON");
}

std::string integrity_problems(Database& db, bool full) {
  // quick_check finds damaged pages, records and indexes in O(size); integrity_check also
  // compares every index with its table (slower).
  std::string problems;
  try {
    Statement check(db.handle(), full ? "PRAGMA integrity_check(20)" : "PRAGMA quick_check(20)");
    while (check.step()) {
      if (check.text(0) == "ok") continue;
      problems += (problems.empty() ? "" : "; ") + check.text(0);
    }
  } catch (const SqliteError& e) {
    problems = e.what();  // e.g. "file is not a database"
  }
  return problems;
}

Transaction::Transaction(Database& db) : db_(db) { db_.cached("BEGIN IMMEDIATE").run(); }

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.cached("ROLLBACK").run();
    } catch (...) {
      // Nothing more to do: the connection reports the original failure.
    }
  }
}

void Transaction::commit() {
  db_.cached("COMMIT").run();
  done_ = true;
}

}  // namespace termijn::store
