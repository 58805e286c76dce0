// A thin RAII layer over the SQLite C API: a connection, prepared statements, transactions.
// Errors become exceptions here and Status values at the store's edge.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace termijn::store {

class SqliteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Statement {
 public:
  Statement(sqlite3* db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, const std::string& value);
  // Binds text SQLite reads where it is, without a copy: `value` must stay as it is until the
  // statement is run or reset (a row's field, a local of the loop that runs it; not a temporary).
  Statement& bind_unowned(int index, std::string_view value);
  Statement& bind_null(int index);
  // Bytes, not text (an audit link's 32 bytes); unowned as bind_unowned.
  Statement& bind_blob_unowned(int index, std::string_view bytes);
  // Steps once: true while there is a row to read.
  bool step();
  void run();  // steps to the end and resets
  void reset();

  std::int64_t integer(int column) const;
  std::string text(int column) const;
  // The column's bytes as stored (a blob; text as its UTF-8 bytes).
  std::string blob(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// How long a connection waits for another's lock before SQLite answers busy.
constexpr int kBusyTimeoutMs = 5000;

class Database {
 public:
  // kCreate opens for writing and creates a missing file; kReadOnly only reads an existing one
  // (a backup's source: it never writes to the database it copies).
  enum class Mode { kCreate, kReadOnly };
  explicit Database(const std::string& path, Mode mode = Mode::kCreate);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const std::string& sql);
  sqlite3* handle() { return db_; }
  // A prepared statement kept for reuse (preparing costs more than running a small insert).
  // The caller runs it to the end or resets it.
  Statement& cached(const char* sql);
  std::int64_t scalar(const std::string& sql);

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<Statement>> statements_;
};

// What SQLite's quick_check (`full`: integrity_check) finds wrong with `db`, "; "-separated;
// empty when nothing is.
std::string integrity_problems(Database& db, bool full);

// The settings of a connection that writes the engine's rows (the store's own, the writer
// thread's): they belong to a connection, not to the file, so every such connection sets them.
void use_for_writing(Database& db, bool durable);

// Commits on commit(); rolls back if destroyed before.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace termijn::store
