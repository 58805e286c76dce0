// The writer thread: a connection of its own to the database, on which it writes the batches the
// engine's thread hands it, one transaction each, and waits for the disk. The engine goes on with
// its next group meanwhile (engine/api/engine.h, "pipelined"). One batch at a time: the engine
// takes the last one back, with its outcome, before it hands the next (and writes it itself if
// the thread has not begun it by then).
//
// Nothing crosses the threads but the batch itself, handed over and taken back whole, and the
// outcome as text: a failing write is an outcome, never an exception on the engine's thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "engine/store/checkpointer.h"
#include "engine/store/row_batch.h"
#include "engine/store/sqlite.h"

namespace termijn::store {

// A batch back from the writer: on disk when `error` is empty, else rolled back and why.
struct Written {
  RowBatch batch;
  std::string error;
  bool ok() const { return error.empty(); }
};

class Writer {
 public:
  // Opens the writer's connection to the database the store opened and migrated (`durable`
  // false: synchronous=OFF, as for the store). Throws SqliteError.
  Writer(const std::string& path, bool durable, ChainKeying keying);
  // Writes the batch it holds, if any, then stops: a group handed over goes to disk, even when
  // its callers are no longer waiting.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Hands `batch` to the thread. Only when !holding(): the one before must be taken back first.
  void write(RowBatch batch);
  // Writes `batch` on the caller's thread, for a caller that would only wait for it (a flush with
  // nothing in flight): no hand-over to pay. Then holding() until take(), as after write().
  void write_here(RowBatch batch);
  // A batch was handed and not yet taken back (written or not).
  bool holding() const { return holding_; }
  // Whether the batch held is written (or failed), so take() would not wait.
  bool written() const;
  // The batch back with its outcome, waiting until it is written (or writing it on the caller's
  // thread when the writer has not begun it). Only when holding().
  Written take();
  // How many checkpoints have copied the log into the database file (for tests).
  std::int64_t checkpoints() const { return checkpointer_.checkpoints(); }
  // Called on the writer's thread when a batch is written (a host wakes the engine's thread with
  // it); nullptr: nothing. The old callback is not running, and will not run, once this returns.
  void on_written(std::function<void()> wake);

 private:
  void run();
  // One transaction on the writer's connection, on whichever thread holds the batch.
  Written write_now(RowBatch batch);

  Database db_;
  Checkpointer checkpointer_;  // copies the log db_ writes into the file, off the commits' way
  ChainKeying keying_;
  bool holding_ = false;  // the engine's thread only

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<RowBatch> pending_;  // handed, not yet being written
  std::optional<Written> done_;      // written, not yet taken back
  std::function<void()> wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: it starts once everything above is ready
};

}  // namespace termijn::store
