#include "engine/store/writer.h"

namespace termijn::store {

Writer::Writer(const std::string& path, bool durable, ChainKeying keying)
    : db_(path), checkpointer_(path, durable), keying_(std::move(keying)) {
  use_for_writing(db_, durable);
  // A statement of many rows (store/row_batch.cc) keeps a statement journal, to undo its own rows
  // should one of them fail: in memory, not in a temporary file it writes at every statement
  // (which more than doubled the writes a group costs).
  db_.exec("PRAGMA temp_store=MEMORY");
  checkpointer_.watch(db_);
  thread_ = std::thread([this] { run(); });
}

Writer::~Writer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
  Checkpointer::unwatch(db_);
}

void Writer::write(RowBatch batch) {
  {
    std::lock_guard lock(mutex_);
    pending_ = std::move(batch);
  }
  holding_ = true;
  changed_.notify_all();
}

void Writer::write_here(RowBatch batch) {
  // Nothing is pending or being written (!holding()): the thread is idle until the next write().
  Written written = write_now(std::move(batch));
  {
    std::lock_guard lock(mutex_);
    done_ = std::move(written);
  }
  holding_ = true;
}

bool Writer::written() const {
  std::lock_guard lock(mutex_);
  return done_.has_value();
}

Written Writer::take() {
  std::unique_lock lock(mutex_);
  if (pending_) {
    // The thread has not begun the batch: it got no core yet (a busy machine). Waiting for it to
    // be scheduled would only add that wait to the engine's, so the engine's thread writes the
    // batch itself, on the writer's connection: the thread does not touch it until the next
    // batch is handed over, which this thread will do.
    RowBatch batch = std::move(*pending_);
    pending_.reset();
    lock.unlock();
    holding_ = false;
    return write_now(std::move(batch));
  }
  changed_.wait(lock, [this] { return done_.has_value(); });
  Written out = std::move(*done_);
  done_.reset();
  holding_ = false;
  return out;
}

void Writer::on_written(std::function<void()> wake) {
  std::lock_guard lock(mutex_);
  wake_ = std::move(wake);
}

Written Writer::write_now(RowBatch batch) {
  std::string error;
  try {
    // A failed write whose rollback failed too (an I/O error) left the connection inside its
    // transaction: every BEGIN after it would fail. Try the rollback again before giving up.
    if (sqlite3_get_autocommit(db_.handle()) == 0) db_.exec("ROLLBACK");
    Transaction tx(db_);
    write_batch(db_, keying_, batch);
    tx.commit();
  } catch (const std::exception& e) {
    error = e.what();
    if (error.empty()) error = "unknown failure";
  } catch (...) {
    error = "unknown failure";
  }
  return Written{std::move(batch), std::move(error)};
}

void Writer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return pending_.has_value() || stopping_; });
    if (!pending_) return;  // stopping, nothing left to write
    RowBatch batch = std::move(*pending_);
    pending_.reset();
    lock.unlock();
    Written written = write_now(std::move(batch));
    lock.lock();
    done_ = std::move(written);
    changed_.notify_all();
    // Under the lock, so on_written(nullptr) cannot return while an old callback still runs. A
    // wake that throws (no memory to post with) is not this thread's to handle: the host's next
    // command or timer collects the group instead.
    if (wake_) {
      try {
        wake_();
      } catch (...) {
      }
    }
  }
}

}  // namespace termijn::store
