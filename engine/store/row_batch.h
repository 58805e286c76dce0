// A group of engine steps as rows, ready for a connection to write in one transaction: what the
// engine's thread hands to the writer thread (store/writer.h), and what the store writes itself.
// A live case keeps changing after its group is handed over, so its state is serialised when the
// batch is made; the task, timer, audit and outbox rows belong to the group alone and are moved
// in whole, serialised by whoever writes them (the writer's thread, off the engine's).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/runtime/changes.h"
#include "engine/store/audit_chain.h"

namespace termijn::store {

class Database;

// A command's idempotency key and the answer it got, so a retry gets the same answer. The
// fingerprint (a hash of the command's kind and arguments) binds the key to its command, so the
// same key with another command is told apart from a retry.
struct CommandRecord {
  std::string key;
  std::string kind;
  runtime::Json result;
  std::string fingerprint;  // empty in rows written before keys were bound (schema 3)
};

// One row of the cases table, its state serialised.
struct CaseRow {
  std::int64_t id = 0;
  std::string process;
  std::string hash;
  std::string status;
  std::int64_t level = 0;
  std::int64_t started_at = 0;
  std::optional<std::int64_t> ended_at;
  std::string end_reason;
  std::int64_t parent_case = 0;
  std::string state;
};

CaseRow case_row_of(const runtime::Instance& c);

struct RowBatch {
  std::vector<CaseRow> cases;
  runtime::Changes rows;  // its tasks, timers, audit entries and notifications; not its cases
  std::vector<CommandRecord> commands;
};

// Writes `batch` inside the caller's transaction (BEGIN IMMEDIATE), chaining its audit entries to
// the head as stored: another connection or process may have appended since this one last wrote.
// Throws SqliteError.
void write_batch(Database& db, const ChainKeying& keying, const RowBatch& batch);

}  // namespace termijn::store
