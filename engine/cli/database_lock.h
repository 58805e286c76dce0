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

 private:
  int fd_ = -1;
  bool held_ = false;
};

}  // namespace termijn::cli
