#include "engine/cli/database_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include "engine/base/language.h"

namespace termijn::cli {

DatabaseLock::DatabaseLock(const std::string& db_path) : db_path_(db_path) {
  fd_ = ::open((db_path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  held_ = fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
}

bool DatabaseLock::held_or_explain(const std::string& instead) const {
  if (!held_) fmt::print(stderr, "{}\n", tr("termijn: a 'serve' (or another termijn writer) holds '{}'; {}", db_path_, instead));
  return held_;
}

DatabaseLock::~DatabaseLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace termijn::cli
