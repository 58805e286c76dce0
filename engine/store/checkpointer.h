// The checkpointer: a thread with a connection of its own that copies the write-ahead log into
// the database file beside the writer's commits, when the writer writes large groups. SQLite by
// default checkpoints inside the commit that takes the log past 1,000 pages; with groups of
// thousands of pages (a host's queue of a hundred cases' steps) every commit does, and the writer
// copies each page again and waits for the file's fsync before it can begin the next group. For
// such a commit (kLargeCommitPages or more) the connection watched (watch()) signals this thread
// instead. Small groups are left as SQLite does them: there a checkpoint is rare, and one beside
// every commit made the commits' own fsyncs wait (64 submitters' small groups: a third slower).
// The log starts again from its beginning only when a writer begins with all of it copied; under
// a steady stream of large groups this thread's checkpoint rarely ends before the next group
// begins, so the log grows to kWriterCheckpointPages (about 66 MB), where the committing
// connection waits for this thread and copies the rest itself, and it starts again. A reader that
// holds a snapshot for long (an online backup) keeps it from starting again, as it does with
// SQLite's own checkpoints.
//
// A checkpoint is PASSIVE: it copies what no reader still needs and never waits for a writer, so
// commits go on while it runs. What it copies is already durable in the log; a crash in the
// middle leaves the log to be copied again when the database is next opened.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "engine/store/sqlite.h"

namespace termijn::store {

class Checkpointer {
 public:
  // In pages of 4 KiB: the log's size from which it is checkpointed (SQLite's own default); a
  // commit's size from which that is left to this thread; the log's size from which a committer
  // checkpoints whatever this thread is doing.
  static constexpr int kCheckpointPages = 1000;
  static constexpr int kLargeCommitPages = 256;
  static constexpr int kWriterCheckpointPages = 16000;

  // Opens its connection to the database the store opened (`durable` false: synchronous=OFF).
  // Throws SqliteError.
  Checkpointer(const std::string& path, bool durable);
  // Stops the thread (after the checkpoint it is running, if any). Unwatch first.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Checkpoints for `db` from now on: its large commits signal this thread instead of
  // checkpointing (on_commit).
  void watch(Database& db);
  // Gives `db` back SQLite's own checkpoints on commit. Before `db` or this is destroyed.
  static void unwatch(Database& db);

  // How many checkpoints of this thread have copied pages into the file (for tests).
  std::int64_t checkpoints() const;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
  void run();

  Database db_;
  std::mutex checkpointing_;  // held while a checkpoint runs, by this thread or a committer
  mutable std::mutex mutex_;
  std::condition_variable wanted_;
  bool due_ = false;
  bool stopping_ = false;
  std::int64_t checkpoints_ = 0;
  int pages_ = 0;  // the log's size after the last commit (the committing thread's)
  std::thread thread_;  // last: it starts once everything above is ready
};

}  // namespace termijn::store
