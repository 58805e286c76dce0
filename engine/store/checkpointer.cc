#include "engine/store/checkpointer.h"

namespace termijn::store {

Checkpointer::Checkpointer(const std::string& path, bool durable) : db_(path) {
  use_for_writing(db_, durable);  // a checkpoint writes the file: synced as the writer's commits are
  // A connection checkpoints only a log it has opened, which it does when it first reads.
  (void)db_.scalar("PRAGMA schema_version");
  thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wanted_.notify_all();
  thread_.join();
}

void Checkpointer::watch(Database& db) { sqlite3_wal_hook(db.handle(), &Checkpointer::on_commit, this); }

void Checkpointer::unwatch(Database& db) { sqlite3_wal_autocheckpoint(db.handle(), kCheckpointPages); }

std::int64_t Checkpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

int Checkpointer::on_commit(void* self, sqlite3* db, const char* schema, int pages) {
  // Called by SQLite on the committing thread, after the commit, with the log's size in pages.
  // A failed checkpoint loses nothing: the commit stands, the log keeps it, a later one copies it.
  auto* checkpointer = static_cast<Checkpointer*>(self);
  const int added = pages >= checkpointer->pages_ ? pages - checkpointer->pages_ : pages;  // else it restarted
  checkpointer->pages_ = pages;
  if (pages < kCheckpointPages) return SQLITE_OK;
  if (pages >= kWriterCheckpointPages) {
    // The thread has fallen behind: the committer bounds the log itself, once the thread's
    // checkpoint has ended (SQLite refuses a second checkpointer at once).
    std::lock_guard checkpointing(checkpointer->checkpointing_);
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (added < kLargeCommitPages) {
    // Small groups: as SQLite does, here, unless the thread is at it already.
    std::unique_lock checkpointing(checkpointer->checkpointing_, std::try_to_lock);
    if (checkpointing.owns_lock()) sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else {
    {
      std::lock_guard lock(checkpointer->mutex_);
      checkpointer->due_ = true;
    }
    checkpointer->wanted_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wanted_.wait(lock, [this] { return due_ || stopping_; });
    if (stopping_) return;
    due_ = false;
    lock.unlock();
    int rc = SQLITE_OK, copied = 0;
    {
      std::lock_guard checkpointing(checkpointing_);
      rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, &copied);
    }
    lock.lock();
    if (rc == SQLITE_OK && copied > 0) ++checkpoints_;
  }
}

}  // namespace termijn::store
