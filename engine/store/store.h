// The durable store: SQLite in WAL mode with synchronous=FULL, so a committed step survives a
// crash. Each engine step is one transaction: the touched cases' state, task and timer rows, an
// append-only hash-chained audit log, the notification outbox and the command's idempotency key.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/runtime/changes.h"
#include "engine/store/audit_chain.h"
#include "engine/store/row_batch.h"
#include "engine/store/sqlite.h"

namespace termijn::store {

using runtime::Json;

struct StoredDefinition {
  std::string hash;
  std::string name;
  int version = 0;
  Json sources;  // {"path": "text", ...}: every file the definition was compiled from
};

struct TaskQuery {
  std::optional<std::string> role;
  std::optional<std::int64_t> case_id;
  bool open_only = true;
  std::optional<Instant> overdue_at;  // only tasks due before this moment
};

// What a retention purge did. The purged rows are gone from the database file at once; the
// write-ahead log is emptied only when no other connection is reading at that moment.
struct PurgeOutcome {
  std::vector<std::int64_t> cases;
  bool log_emptied = true;  // false: the log may still hold pages from before; purge again later
};

// An API token's holder. The token itself is never stored, only its SHA-256.
struct TokenHolder {
  std::string name;
  std::string organisation;
  std::string role;
};

// One notification as delivered to a sink.
struct OutboxRow {
  std::int64_t id = 0;
  std::int64_t case_id = 0;
  Instant at;
  std::vector<std::string> roles;
  std::string message;
  std::string source;
  std::vector<std::string> persons;
};

class Store {
 public:
  // Opens (creating if needed) and migrates the database to the current schema. `durable` false
  // skips the fsync at commit (synchronous=OFF): only for measuring what the disk costs.
  // Refuses (SqliteError with the reason) a database that is read-only or fails SQLite's
  // quick_check (`full_check`: integrity_check). `key`: the audit key of a keyed database;
  // opening a keyed database without its key, or with another, is refused (see read_keying).
  explicit Store(const std::string& path, bool durable = true, bool full_check = false,
                 std::optional<AuditKey> key = std::nullopt);

  int schema_version();
  void save_definition(const StoredDefinition& definition, Instant now);
  std::vector<StoredDefinition> definitions();

  std::optional<Json> command_result(const std::string& key);
  std::optional<CommandRecord> command(const std::string& key);
  // One engine step, atomically.
  void commit(const runtime::Changes& changes, const std::vector<CommandRecord>& commands);
  // A group of steps, atomically, on this store's connection (the engine hands its groups to a
  // writer thread with a connection of its own: store/writer.h).
  void commit(const RowBatch& batch);
  // How this database's audit links are computed, for another connection that writes to it.
  const ChainKeying& keying() const { return keying_; }

  std::vector<runtime::Instance> running_cases();
  struct NextIds {
    runtime::CaseId next_case = 1;
    runtime::TaskId next_task = 1;
    runtime::TimerId next_timer = 1;
  };
  NextIds next_ids();

  // Reading for people and hosts.
  Json cases(const std::optional<std::string>& status);
  Json tasks(const TaskQuery& query);
  Json timers(std::int64_t case_id);
  Json audit_log(std::optional<std::int64_t> case_id);
  Json outbox(bool undelivered_only);
  AuditCheck verify_audit();
  // The last `entries` entries only, and that the head names the last: cheap enough for every
  // open, and it finds a log that was cut short or rewritten at its end.
  AuditCheck verify_audit_tail(std::int64_t entries);

  // Who takes part in a case: `role` has or had a task in it, or was notified in it.
  bool has_task_in(std::int64_t case_id, const std::string& role);
  bool notified_in(std::int64_t case_id, const std::string& role);
  // One row of cases() (running or ended), or null.
  Json case_row(std::int64_t case_id);
  // The hash of the definition the case runs or ran on; nothing when there is no such case.
  std::optional<std::string> case_definition(std::int64_t case_id);

  // Keys the audit log from the next entry on, which is its keying entry naming the key's
  // fingerprint and `actor`. Refuses a log that is keyed already or does not verify (keying
  // would launder it).
  void key_audit_log(const AuditKey& key, Instant at, const Json& actor);

  // Retention: every case that ended before `cutoff` loses its data, tasks, timers and
  // notifications, and its audit entries lose their detail; `record` (the purge's own audit entry,
  // its detail an object's text, filled in with the cases) is written in the same transaction. Then the file is rebuilt and
  // the write-ahead log emptied, so the destroyed data is in neither (art. 10 Wth).
  PurgeOutcome purge_ended_before(Instant cutoff, runtime::AuditEntry record);

  void add_token(const std::string& token_hash, const TokenHolder& holder, Instant now);
  bool revoke_token(const std::string& name, Instant now);
  std::optional<TokenHolder> token_holder(const std::string& token_hash);
  Json tokens();

  // Notification sinks deliver the outbox in order and remember how far they got.
  std::vector<OutboxRow> outbox_after(std::int64_t id, int limit);
  std::int64_t sink_cursor(const std::string& sink);
  void record_delivery(const std::string& sink, std::int64_t delivered_upto, int attempts, const std::string& error);
  Json sinks();

 private:
  void check_integrity(bool full);
  void migrate();
  // VACUUM, then a checkpoint that truncates the write-ahead log; false when a reader kept it.
  bool destroy_freed_pages();
  Database db_;
  ChainKeying keying_;
};

}  // namespace termijn::store
