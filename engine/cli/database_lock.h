// One writer per database: `termijn serve` holds the lock for as long as it runs, and the
// command-line writers take it for one command. Readers need no lock (SQLite's WAL serves them).
#pragma once

#include <string>

namespace termijn::cli {

class DatabaseLock {
 public:
  // Tries to take the lock beside `db_path`; held() says whether it succeeded.
  explicit DatabaseLock(const std::string& db_path);
  ~DatabaseLock();
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;
  bool held() const { return held_; }
  // held(); when not, tells the operator on stderr that another writer holds the database and,
  // in `instead`, what to do.
  bool held_or_explain(const std::string& instead) const;

 private:
  std::string db_path_;
  int fd_ = -1;
  bool held_ = false;
};

}  // namespace termijn::cli
