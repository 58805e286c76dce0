#include "engine/store/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <thread>

#include "engine/base/json_text.h"
#include "engine/base/sha256.h"

namespace termijn::store {

namespace {

constexpr int kPageSize = 8192;

void rehash_audit(Database& db);

// Numbered migrations; a database records the last one applied and gets the rest, in order.
// `then` runs inside the same transaction, for what SQL alone cannot do.
struct Migration {
  const char* sql;
  void (*then)(Database&) = nullptr;
};
const Migration kMigrations[] = {
    // 1: the first schema.
    {R"sql(
CREATE TABLE definitions(
  hash TEXT PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL,
  sources TEXT NOT NULL, deployed_at INTEGER NOT NULL);
CREATE TABLE cases(
  id INTEGER PRIMARY KEY, process TEXT NOT NULL, hash TEXT NOT NULL, status TEXT NOT NULL,
  level INTEGER NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER, end_reason TEXT,
  parent_case INTEGER, state TEXT NOT NULL);
CREATE INDEX cases_by_status ON cases(status);
CREATE TABLE tasks(
  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL, step TEXT NOT NULL, title TEXT NOT NULL,
  role TEXT NOT NULL, status TEXT NOT NULL, opened_at INTEGER NOT NULL, due_at INTEGER NOT NULL,
  due_why TEXT NOT NULL, closed_at INTEGER, closed_by TEXT, outputs TEXT NOT NULL, level INTEGER NOT NULL);
CREATE INDEX tasks_by_status ON tasks(status, role, due_at);
CREATE INDEX tasks_by_case ON tasks(case_id);
CREATE TABLE timers(
  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
  task_id INTEGER, due_at INTEGER NOT NULL, due_why TEXT NOT NULL, status TEXT NOT NULL, fired_at INTEGER);
CREATE INDEX timers_by_case ON timers(case_id);
CREATE TABLE audit(
  seq INTEGER PRIMARY KEY, case_id INTEGER, at INTEGER NOT NULL, kind TEXT NOT NULL,
  detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX audit_by_case ON audit(case_id);
CREATE TABLE audit_head(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
INSERT INTO audit_head VALUES (1, 0, '');
CREATE TABLE outbox(
  id INTEGER PRIMARY KEY AUTOINCREMENT, case_id INTEGER, at INTEGER NOT NULL, roles TEXT NOT NULL,
  message TEXT NOT NULL, source TEXT NOT NULL, delivered_at INTEGER);
CREATE TABLE commands(key TEXT PRIMARY KEY, kind TEXT NOT NULL, at INTEGER NOT NULL, result TEXT NOT NULL);
)sql"},
    // 2: API tokens (only their hashes), delivery cursors per notification sink, and an audit log
    // whose entries chain over the hash of their detail, so retention can erase the detail
    // (art. 10 Wth) while the chain still proves nothing else changed.
    {R"sql(
CREATE TABLE tokens(
  hash TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, organisation TEXT NOT NULL, role TEXT NOT NULL,
  created_at INTEGER NOT NULL, revoked_at INTEGER);
CREATE TABLE sink_cursors(
  sink TEXT PRIMARY KEY, delivered_upto INTEGER NOT NULL, attempts INTEGER NOT NULL, last_error TEXT NOT NULL);
ALTER TABLE audit ADD COLUMN detail_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN purged INTEGER NOT NULL DEFAULT 0;
CREATE INDEX cases_by_end ON cases(status, ended_at);
CREATE TABLE id_floors(kind TEXT PRIMARY KEY, floor INTEGER NOT NULL);
)sql",
     rehash_audit},
    // 3: an idempotency key is bound to the command it was first used for (a hash of its kind and
    // arguments), so reusing it for another command is refused instead of answered.
    {R"sql(
ALTER TABLE commands ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
)sql"},
    // 4: notifications to persons of the case (by their ids), besides roles.
    {R"sql(
ALTER TABLE outbox ADD COLUMN persons TEXT NOT NULL DEFAULT '[]';
)sql"},
    // 5: a keyed audit log records from which entry on its links are HMACs, and the key's
    // fingerprint (never the key). No row: the log is not keyed, as every log before this was.
    {R"sql(
CREATE TABLE audit_keying(
  id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL, from_seq INTEGER NOT NULL);
)sql"},
    // 6: compact steps. A case's open tasks and live timers are read back from their rows, which
    // now hold all of them (the step and token of a task; the rung, token and incident of a
    // timer), so a step writes only the rows it changed and a state without them. Running cases'
    // rows get what their states held, and the states lose it. And the outbox by case: who was
    // told in a case is asked on every API read by a role without a task in it.
    {R"sql(
ALTER TABLE tasks ADD COLUMN node INTEGER NOT NULL DEFAULT -1;
ALTER TABLE tasks ADD COLUMN token INTEGER NOT NULL DEFAULT 0;
ALTER TABLE timers ADD COLUMN rung INTEGER NOT NULL DEFAULT 0;
ALTER TABLE timers ADD COLUMN token INTEGER NOT NULL DEFAULT 0;
ALTER TABLE timers ADD COLUMN failed_at INTEGER;
ALTER TABLE timers ADD COLUMN failure TEXT NOT NULL DEFAULT '';
UPDATE tasks SET node = json_extract(t.value, '$.node'), token = json_extract(t.value, '$.token')
FROM cases c, json_each(c.state, '$.tasks') t
WHERE c.id = tasks.case_id AND c.status = 'running' AND tasks.status = 'open' AND json_extract(t.value, '$.id') = tasks.id;
UPDATE timers SET rung = json_extract(t.value, '$.rung'), token = json_extract(t.value, '$.token'),
  failed_at = json_extract(t.value, '$.failed_at'), failure = COALESCE(json_extract(t.value, '$.failure'), '')
FROM cases c, json_each(c.state, '$.timers') t
WHERE c.id = timers.case_id AND c.status = 'running' AND timers.status IN ('pending', 'failed')
  AND json_extract(t.value, '$.id') = timers.id;
UPDATE cases SET state = json_remove(state, '$.tasks', '$.timers');
CREATE INDEX timers_live ON timers(case_id) WHERE status IN ('pending', 'failed');
CREATE INDEX outbox_by_case ON outbox(case_id);
)sql"},
    // 7: a state names the completed task whose row holds a step's outputs ("output_tasks")
    // instead of repeating them; a restart reads them from that row. Nothing to change: states
    // written before keep their outputs, and so does every later state of those cases
    // (runtime::GivenOutputs::task).
    // Numbered so that an older termijn, which would read such a state as having no outputs,
    // refuses the database.
    {R"sql(
-- states and rows stay as they are
)sql"},
    // 8: an audit entry no longer repeats the link of the entry before it (prev_hash): its own
    // link is computed over that one, so the chain is verified from the links alone, and the
    // column was a fifth of every entry's row. The table is rewritten once, here.
    {R"sql(
ALTER TABLE audit DROP COLUMN prev_hash;
)sql"},
    // 9: an entry's link in its 32 bytes instead of 64 hex digits, and its detail's hash only
    // where the detail was purged (NULL beside a detail: verifying hashes the detail itself); no
    // purged column, a kept hash says so. Together about a third of an entry's row. The tables are
    // rewritten once, here; a link or hash that is not 64 hex digits stays as it was, so the
    // check still finds it (termijn_link_bytes, registered by migrate()).
    {R"sql(
CREATE TABLE audit_v9(
  seq INTEGER PRIMARY KEY, case_id INTEGER, at INTEGER NOT NULL, kind TEXT NOT NULL,
  detail TEXT NOT NULL, hash BLOB NOT NULL, detail_hash BLOB);
INSERT INTO audit_v9(seq, case_id, at, kind, detail, hash, detail_hash)
  SELECT seq, case_id, at, kind, detail, termijn_link_bytes(hash),
         CASE WHEN purged <> 0 THEN termijn_link_bytes(detail_hash) END FROM audit ORDER BY seq;
DROP TABLE audit;
ALTER TABLE audit_v9 RENAME TO audit;
CREATE INDEX audit_by_case ON audit(case_id);
CREATE TABLE audit_head_v9(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash BLOB NOT NULL);
INSERT INTO audit_head_v9(id, seq, hash) SELECT id, seq, termijn_link_bytes(hash) FROM audit_head;
DROP TABLE audit_head;
ALTER TABLE audit_head_v9 RENAME TO audit_head;
)sql"},
};

// Migration 9's conversion: 64 lowercase hex digits (or none) as their bytes; anything else as
// it is, for the chain's check to report.
void link_bytes(sqlite3_context* context, int, sqlite3_value** argv) {
  sqlite3_value* value = argv[0];
  if (sqlite3_value_type(value) == SQLITE_TEXT) {
    const std::string_view text(reinterpret_cast<const char*>(sqlite3_value_text(value)),
                                static_cast<std::size_t>(sqlite3_value_bytes(value)));
    if (text.empty()) return sqlite3_result_zeroblob(context, 0);
    if (std::optional<Sha256Digest> digest = digest_from_hex(text)) {
      const std::string_view bytes = bytes_of(*digest);
      return sqlite3_result_blob(context, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    }
  }
  sqlite3_result_value(context, value);
}

// Migration 2: re-chains the existing entries over their details' hashes, in hex as the
// columns then held them (migration 9 turns them into bytes).
void rehash_audit(Database& db) {
  Statement read(db.handle(), "SELECT seq, case_id, at, kind, detail FROM audit ORDER BY seq");
  Statement write(db.handle(), "UPDATE audit SET detail_hash = ?, prev_hash = ?, hash = ? WHERE seq = ?");
  std::string prev;  // as bytes, as chain_link takes it
  std::int64_t last = 0;
  while (read.step()) {
    Sha256Digest detail_hash = sha256(read.text(4));
    Sha256Digest next =
        chain_link(ChainKeying{}, prev, read.integer(0), read.integer(1), read.integer(2), read.text(3), detail_hash);
    write.bind(1, to_hex(detail_hash)).bind(2, to_hex(prev)).bind(3, to_hex(next)).bind(4, read.integer(0)).run();
    prev = std::string(bytes_of(next));
    last = read.integer(0);
  }
  Statement head(db.handle(), "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1");
  head.bind(1, last).bind(2, to_hex(prev)).run();
}

Json parse(const std::string& text) { return text.empty() ? Json() : Json::parse(text); }

// Every read with a statement prepared once per connection (its text the key) goes through this:
// it is reset when the read ends, also by an exception or an early return, so the statement keeps
// no snapshot of the database open after it and is ready for its next use.
class CachedRead {
 public:
  CachedRead(Database& db, const std::string& sql) : statement_(db.cached(sql.c_str())) {}
  ~CachedRead() { statement_.reset(); }
  CachedRead(const CachedRead&) = delete;
  CachedRead& operator=(const CachedRead&) = delete;
  Statement& operator*() { return statement_; }

 private:
  Statement& statement_;
};

}  // namespace

Store::Store(const std::string& path, bool durable, bool full_check, std::optional<AuditKey> key) : db_(path) {
  // A database that cannot be trusted is refused before anything is read from it or written to
  // it: the engine's timers would act on what it says.
  if (sqlite3_db_readonly(db_.handle(), "main") == 1) {
    throw SqliteError(fmt::format("'{}' can only be read; termijn writes every step to it (check the file's "
                                  "permissions)", path));
  }
  check_integrity(full_check);
  // A new database gets pages of 8 KiB instead of SQLite's 4 KiB: a group of steps dirties a
  // page of each table and index for every case it touches, and larger pages mean fewer of them
  // to write, to the log and again when it is checkpointed (docs/engine.md, "Pages of 8 KiB").
  // Larger still cost a small transaction more than they save. Fixed once the log is in use: an
  // existing database keeps the size it has.
  if (db_.scalar("PRAGMA page_count") == 0) db_.exec(fmt::format("PRAGMA page_size={}", kPageSize));
  db_.exec("PRAGMA journal_mode=WAL");
  use_for_writing(db_, durable);
  migrate();
  keying_ = read_keying(db_, key);
}

void Store::check_integrity(bool full) {
  std::string problems = integrity_problems(db_, full);
  if (!problems.empty()) {
    throw SqliteError(fmt::format("the database is damaged ({}: {}); restore it from a backup",
                                  full ? "integrity_check" : "quick_check", problems));
  }
}

void Store::migrate() {
  // Migration 6 updates from a join (UPDATE ... FROM, SQLite 3.33) and 8 drops a column (3.35).
  constexpr int kOldestSqlite = 3035000;
  if (sqlite3_libversion_number() < kOldestSqlite) {
    throw SqliteError(fmt::format("termijn needs SQLite 3.35 or later for its store; this is {}", sqlite3_libversion()));
  }
  db_.exec("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  std::int64_t current = db_.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  std::int64_t known = static_cast<std::int64_t>(std::size(kMigrations));
  if (current > known) {
    throw SqliteError(fmt::format("the database has schema version {}, newer than this termijn ({})", current, known));
  }
  // Migration 9's SQL calls it; it is gone again when migrate returns, by a throw too.
  struct LinkBytes {
    sqlite3* db;
    explicit LinkBytes(sqlite3* handle) : db(handle) {
      sqlite3_create_function(db, "termijn_link_bytes", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, link_bytes,
                              nullptr, nullptr);
    }
    ~LinkBytes() { sqlite3_create_function(db, "termijn_link_bytes", 1, SQLITE_UTF8, nullptr, nullptr, nullptr, nullptr); }
  } function(db_.handle());
  for (std::int64_t v = current + 1; v <= known; ++v) {
    Transaction tx(db_);
    db_.exec(kMigrations[v - 1].sql);
    if (kMigrations[v - 1].then != nullptr) kMigrations[v - 1].then(db_);
    Statement s(db_.handle(), "INSERT INTO schema_migrations(version, applied_at) VALUES (?, strftime('%s','now'))");
    s.bind(1, v).run();
    tx.commit();
  }
}

int Store::schema_version() {
  return static_cast<int>(db_.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
}

void Store::save_definition(const StoredDefinition& d, Instant now) {
  Statement s(db_.handle(),
              "INSERT OR IGNORE INTO definitions(hash, name, version, sources, deployed_at) VALUES (?,?,?,?,?)");
  s.bind(1, d.hash).bind(2, d.name).bind(3, static_cast<std::int64_t>(d.version)).bind(4, d.sources.dump()).bind(5, to_millis(now));
  s.run();
}

std::vector<StoredDefinition> Store::definitions() {
  std::vector<StoredDefinition> out;
  Statement s(db_.handle(), "SELECT hash, name, version, sources FROM definitions ORDER BY deployed_at, name");
  while (s.step()) out.push_back(StoredDefinition{s.text(0), s.text(1), static_cast<int>(s.integer(2)), parse(s.text(3))});
  return out;
}

std::optional<Json> Store::command_result(const std::string& key) {
  CachedRead read(db_, "SELECT result FROM commands WHERE key = ?");
  Statement& s = *read;
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return parse(s.text(0));
}

std::optional<CommandRecord> Store::command(const std::string& key) {
  CachedRead read(db_, "SELECT kind, result, fingerprint FROM commands WHERE key = ?");
  Statement& s = *read;
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return CommandRecord{key, s.text(0), parse(s.text(1)), s.text(2)};
}

void Store::commit(const runtime::Changes& changes, const std::vector<CommandRecord>& commands) {
  RowBatch batch;
  for (const auto& [id, c] : changes.cases) batch.cases.push_back(case_row_of(c));
  batch.rows.tasks = changes.tasks;
  batch.rows.timers = changes.timers;
  batch.rows.audit = changes.audit;
  batch.rows.outbox = changes.outbox;
  batch.commands = commands;
  commit(batch);
}

void Store::commit(const RowBatch& batch) {
  Transaction tx(db_);
  write_batch(db_, keying_, batch);
  tx.commit();
}

namespace {

std::optional<Instant> optional_moment(const Statement& s, int column) {
  if (s.is_null(column)) return std::nullopt;
  return from_millis(s.integer(column));
}

runtime::Deadline deadline(const Statement& s, int at, int why) {
  return runtime::Deadline{from_millis(s.integer(at)), parse(s.text(why)).get<std::vector<std::string>>()};
}

int small(std::int64_t n, const char* what) {
  if (n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max()) {
    throw SqliteError(fmt::format("a stored {} is out of range: {}", what, n));
  }
  return static_cast<int>(n);
}

}  // namespace

std::vector<runtime::Instance> Store::running_cases() {
  std::map<runtime::CaseId, runtime::Instance> running;
  {
    Statement s(db_.handle(), "SELECT state FROM cases WHERE status = 'running' ORDER BY id");
    while (s.step()) {
      runtime::Instance c = runtime::instance_from_json(parse(s.text(0)));
      runtime::CaseId id = c.id;
      running.emplace(id, std::move(c));
    }
  }
  // Their open tasks and live timers, from their rows.
  {
    Statement s(db_.handle(), "SELECT id, case_id, node, token, step, title, role, status, opened_at, due_at, due_why, "
                              "closed_at, closed_by, outputs, level FROM tasks WHERE status = 'open'");
    while (s.step()) {
      auto c = running.find(s.integer(1));
      if (c == running.end()) continue;
      runtime::Task t;
      t.id = s.integer(0);
      t.case_id = s.integer(1);
      t.node = small(s.integer(2), "task step");
      t.token = small(s.integer(3), "token");
      t.name = s.text(4);
      t.title = s.text(5);
      t.role = s.text(6);
      t.status = runtime::task_status_from(s.text(7));
      t.opened = from_millis(s.integer(8));
      t.due = deadline(s, 9, 10);
      t.closed = optional_moment(s, 11);
      t.closed_by = s.text(12);
      if (std::string given = s.text(13); given != "{}") {
        t.outputs = std::make_shared<const runtime::GivenOutputs>(runtime::GivenOutputs{parse(given), given});
      }
      t.escalation_level = small(s.integer(14), "escalation level");
      c->second.tasks.emplace(t.id, std::move(t));
    }
  }
  // Their outputs, from the rows of the completed tasks their states name (schema 7): the task
  // that gave a step's outputs last, as the live case keeps them (several tasks of one step, of a
  // `for each`, complete in any order). From the running cases to their tasks (CROSS JOIN keeps
  // that order), so that the completed tasks of the cases that ended, years of them, are not read.
  {
    Statement s(db_.handle(), "SELECT t.case_id, t.node, t.id, t.outputs FROM cases c CROSS JOIN tasks t "
                              "ON t.case_id = c.id WHERE c.status = 'running' AND t.status = 'completed'");
    while (s.step()) {
      auto c = running.find(s.integer(0));
      if (c == running.end()) continue;
      auto named = c->second.outputs.find(small(s.integer(1), "task step"));
      if (named == c->second.outputs.end() || named->second->task != s.integer(2)) continue;
      std::string text = s.text(3);
      Json value = parse(text);
      if (!value.is_object()) throw SqliteError(fmt::format("task {} has outputs that are not an object", s.integer(2)));
      named->second = std::make_shared<const runtime::GivenOutputs>(
          runtime::GivenOutputs{std::move(value), std::move(text), named->second->task});
    }
    for (const auto& [id, c] : running) {
      for (const auto& [node, given] : c.outputs) {
        if (given->task != 0 && given->value.is_null()) {
          throw SqliteError(fmt::format("case {}: the outputs of task {} are not in its row", id, given->task));
        }
      }
    }
  }
  {
    Statement s(db_.handle(), "SELECT id, case_id, kind, name, task_id, rung, token, due_at, due_why, status, fired_at, "
                              "failed_at, failure FROM timers WHERE status IN ('pending', 'failed')");
    while (s.step()) {
      auto c = running.find(s.integer(1));
      if (c == running.end()) continue;
      runtime::Timer t;
      t.id = s.integer(0);
      t.case_id = s.integer(1);
      t.kind = runtime::timer_kind_from(s.text(2));
      t.name = s.text(3);
      t.task = s.is_null(4) ? 0 : s.integer(4);
      t.rung = small(s.integer(5), "rung");
      t.token = small(s.integer(6), "token");
      t.due = deadline(s, 7, 8);
      t.status = runtime::timer_status_from(s.text(9));
      t.fired_at = optional_moment(s, 10);
      t.failed_at = optional_moment(s, 11);
      t.failure = s.text(12);
      c->second.timers.emplace(t.id, std::move(t));
    }
  }
  std::vector<runtime::Instance> out;
  out.reserve(running.size());
  for (auto& [id, c] : running) out.push_back(std::move(c));
  return out;
}

Store::NextIds Store::next_ids() {
  // A purge deletes rows but never frees their ids: the audit log still names them.
  auto next = [this](const std::string& table) {
    return db_.scalar(fmt::format("SELECT MAX(COALESCE((SELECT MAX(id) FROM {0}), 0), "
                                  "COALESCE((SELECT floor FROM id_floors WHERE kind = '{0}'), 0)) + 1", table));
  };
  return NextIds{next("cases"), next("tasks"), next("timers")};
}

namespace {

const char* const kCaseColumns = "SELECT id, process, status, level, started_at, ended_at, end_reason FROM cases";

Json case_json(const Statement& s) {
  return Json{{"id", s.integer(0)}, {"process", s.text(1)}, {"status", s.text(2)}, {"level", s.integer(3)},
              {"started", to_iso_utc(from_millis(s.integer(4)))},
              {"ended", s.is_null(5) ? Json() : Json(to_iso_utc(from_millis(s.integer(5))))},
              {"end_reason", s.text(6)}};
}

}  // namespace

Json Store::cases(const std::optional<std::string>& status) {
  Json out = Json::array();
  std::string sql = kCaseColumns;
  if (status) sql += " WHERE status = ?";
  sql += " ORDER BY id";
  CachedRead read(db_, sql);
  Statement& s = *read;
  if (status) s.bind(1, *status);
  while (s.step()) out.push_back(case_json(s));
  return out;
}

bool Store::notified_in(std::int64_t case_id, const std::string& role) {
  CachedRead read(db_, "SELECT 1 FROM outbox o, json_each(o.roles) r WHERE o.case_id = ? AND r.value = ? LIMIT 1");
  return (*read).bind(1, case_id).bind(2, role).step();
}

Json Store::case_row(std::int64_t case_id) {
  CachedRead read(db_, std::string(kCaseColumns) + " WHERE id = ?");
  Statement& s = *read;
  s.bind(1, case_id);
  return s.step() ? case_json(s) : Json();
}

std::optional<std::string> Store::case_definition(std::int64_t case_id) {
  CachedRead read(db_, "SELECT hash FROM cases WHERE id = ?");
  Statement& s = *read;
  if (!s.bind(1, case_id).step()) return std::nullopt;
  return s.text(0);
}

bool Store::has_task_in(std::int64_t case_id, const std::string& role) {
  CachedRead read(db_, "SELECT 1 FROM tasks WHERE case_id = ? AND role = ? LIMIT 1");
  return (*read).bind(1, case_id).bind(2, role).step();
}

Json Store::tasks(const TaskQuery& q) {
  std::string sql = "SELECT id, case_id, step, title, role, status, opened_at, due_at, due_why, closed_at, closed_by, "
                    "outputs, level FROM tasks WHERE 1=1";
  // For one case, its own index finds its few rows: the unary + keeps SQLite from choosing the
  // (status, role) index instead, which would scan every open task of the role in every case.
  const char* column_use = q.case_id ? "+" : "";
  if (q.open_only) sql += fmt::format(" AND {}status = 'open'", column_use);
  if (q.role) sql += fmt::format(" AND {}role = ?1", column_use);
  if (q.case_id) sql += " AND case_id = ?2";
  if (q.overdue_at) sql += " AND due_at < ?3";
  sql += " ORDER BY due_at, id";
  CachedRead read(db_, sql);
  Statement& s = *read;
  if (q.role) s.bind(1, *q.role);
  if (q.case_id) s.bind(2, *q.case_id);
  if (q.overdue_at) s.bind(3, to_millis(*q.overdue_at));
  Json out = Json::array();
  while (s.step()) {
    out.push_back(Json{{"id", s.integer(0)}, {"case", s.integer(1)}, {"step", s.text(2)}, {"title", s.text(3)},
                       {"role", s.text(4)}, {"status", s.text(5)}, {"opened", to_iso_utc(from_millis(s.integer(6)))},
                       {"due", to_iso_utc(from_millis(s.integer(7)))}, {"due_why", parse(s.text(8))},
                       {"closed", s.is_null(9) ? Json() : Json(to_iso_utc(from_millis(s.integer(9))))},
                       {"closed_by", s.text(10)}, {"outputs", parse(s.text(11))}, {"escalations", s.integer(12)}});
  }
  return out;
}

Json Store::timers(std::int64_t case_id) {
  CachedRead read(db_, "SELECT id, kind, name, due_at, due_why, status, fired_at FROM timers WHERE case_id = ? "
                            "ORDER BY due_at, id");
  Statement& s = *read;
  s.bind(1, case_id);
  Json out = Json::array();
  while (s.step()) {
    out.push_back(Json{{"id", s.integer(0)}, {"kind", s.text(1)}, {"name", s.text(2)},
                       {"due", to_iso_utc(from_millis(s.integer(3)))}, {"due_why", parse(s.text(4))},
                       {"status", s.text(5)},
                       {"fired", s.is_null(6) ? Json() : Json(to_iso_utc(from_millis(s.integer(6))))}});
  }
  return out;
}

Json Store::audit_log(std::optional<std::int64_t> case_id) {
  std::string sql = "SELECT seq, case_id, at, kind, detail, detail_hash IS NOT NULL FROM audit";
  if (case_id) sql += " WHERE case_id = ?";
  sql += " ORDER BY seq";
  CachedRead read(db_, sql);
  Statement& s = *read;
  if (case_id) s.bind(1, *case_id);
  Json out = Json::array();
  while (s.step()) {
    Json entry{{"seq", s.integer(0)}, {"case", s.integer(1)}, {"at", to_iso_utc(from_millis(s.integer(2)))},
               {"kind", s.text(3)}, {"detail", parse(s.text(4))}};
    if (s.integer(5) != 0) entry["purged"] = true;
    out.push_back(std::move(entry));
  }
  return out;
}

Json Store::outbox(bool undelivered_only) {
  std::string sql = "SELECT id, case_id, at, roles, message, source, persons FROM outbox";
  if (undelivered_only) sql += " WHERE delivered_at IS NULL";
  sql += " ORDER BY id";
  CachedRead read(db_, sql);
  Statement& s = *read;
  Json out = Json::array();
  while (s.step()) {
    out.push_back(Json{{"id", s.integer(0)}, {"case", s.integer(1)}, {"at", to_iso_utc(from_millis(s.integer(2)))},
                       {"roles", parse(s.text(3))}, {"message", s.text(4)}, {"source", s.text(5)},
                       {"persons", parse(s.text(6))}});
  }
  return out;
}

AuditCheck Store::verify_audit() { return verify_chain(db_, keying_, 1); }

AuditCheck Store::verify_audit_tail(std::int64_t entries) {
  std::int64_t last = db_.scalar("SELECT COALESCE(MAX(seq), 0) FROM audit");
  return verify_chain(db_, keying_, std::max<std::int64_t>(1, last - entries + 1));
}

void Store::key_audit_log(const AuditKey& key, Instant at, const Json& actor) {
  Transaction tx(db_);
  if (keying_.from_seq != 0) throw SqliteError("its audit log is keyed already");
  AuditCheck check = verify_chain(db_, keying_, 1);
  if (!check.ok) throw SqliteError(fmt::format("its audit log does not verify ({}); it cannot be keyed", check.problem));
  std::int64_t from_seq = db_.scalar("SELECT seq FROM audit_head WHERE id = 1") + 1;
  Statement s(db_.handle(), "INSERT INTO audit_keying(id, fingerprint, from_seq) VALUES (1, ?, ?)");
  s.bind(1, key.fingerprint()).bind(2, from_seq).run();
  // Made before the keying changes: an actor that is not UTF-8 text throws here.
  RowBatch batch;
  batch.rows.audit.push_back(runtime::AuditEntry{0, at, runtime::AuditKind::kAuditLogKeyed,
                                                 json_text(Json{{"fingerprint", key.fingerprint()}, {"actor", actor}})});
  keying_ = ChainKeying{from_seq, key};
  try {
    write_batch(db_, keying_, batch);
    tx.commit();
  } catch (...) {
    keying_ = ChainKeying{};  // the transaction rolls back; so does this connection's view
    throw;
  }
}

PurgeOutcome Store::purge_ended_before(Instant cutoff, runtime::AuditEntry record) {
  std::vector<std::int64_t> ids;
  {
    Statement s(db_.handle(), "SELECT id FROM cases WHERE status <> 'running' AND ended_at < ? ORDER BY id");
    s.bind(1, to_millis(cutoff));
    while (s.step()) ids.push_back(s.integer(0));
  }
  Json detail = Json::parse(record.detail);
  detail["cases"] = ids;
  record.detail = json_text(detail);
  RowBatch batch;
  batch.rows.audit.push_back(std::move(record));
  Transaction tx(db_);
  write_batch(db_, keying_, batch);
  NextIds floors = next_ids();
  db_.exec(fmt::format("INSERT OR REPLACE INTO id_floors(kind, floor) VALUES ('cases', {}), ('tasks', {}), "
                       "('timers', {})", floors.next_case - 1, floors.next_task - 1, floors.next_timer - 1));
  for (const char* sql : {"DELETE FROM tasks WHERE case_id = ?", "DELETE FROM timers WHERE case_id = ?",
                          "DELETE FROM outbox WHERE case_id = ?", "DELETE FROM cases WHERE id = ?"}) {
    Statement s(db_.handle(), sql);
    for (std::int64_t id : ids) s.bind(1, id).run();
  }
  // An entry's detail goes; the hash of it stays, which its link covers (audit_chain.h).
  Statement details(db_.handle(), "SELECT seq, detail FROM audit WHERE case_id = ? AND detail_hash IS NULL");
  Statement erase(db_.handle(), "UPDATE audit SET detail = 'null', detail_hash = ? WHERE seq = ?");
  for (std::int64_t id : ids) {
    std::vector<std::pair<std::int64_t, Sha256Digest>> entries;
    details.bind(1, id);
    while (details.step()) entries.emplace_back(details.integer(0), sha256(details.text(1)));
    details.reset();
    for (const auto& [seq, detail_hash] : entries) erase.bind_blob_unowned(1, bytes_of(detail_hash)).bind(2, seq).run();
  }
  tx.commit();
  return PurgeOutcome{ids, destroy_freed_pages()};
}

bool Store::destroy_freed_pages() {
  // secure_delete zeroed what the purge freed, but the pages the purged rows were written in
  // before may still be in the write-ahead log, or in the file until the log is checkpointed.
  // VACUUM (outside any transaction) rebuilds the file from the live rows only; the TRUNCATE
  // checkpoint then copies the rebuilt pages into the file and cuts the log to nothing. It waits
  // for readers up to the busy timeout; one that reads longer keeps the log (`busy` is 1).
  db_.exec("VACUUM");
  // The writer's checkpointer (store/checkpointer.h) may be copying the log at this moment, and
  // SQLite then answers busy at once: try again, for as long as the busy timeout. A reader or a
  // writer in the way is waited for inside SQLite, up to that timeout: then the answer stands.
  const auto start = std::chrono::steady_clock::now();
  const auto timeout = std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    const auto tried = std::chrono::steady_clock::now();
    Statement checkpoint(db_.handle(), "PRAGMA wal_checkpoint(TRUNCATE)");
    const bool emptied = checkpoint.step() && checkpoint.integer(0) == 0;
    const auto now = std::chrono::steady_clock::now();
    if (emptied || now - tried >= std::chrono::seconds(1) || now - start >= timeout) return emptied;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void Store::add_token(const std::string& token_hash, const TokenHolder& holder, Instant now) {
  Statement s(db_.handle(), "INSERT INTO tokens(hash, name, organisation, role, created_at) VALUES (?,?,?,?,?)");
  s.bind(1, token_hash).bind(2, holder.name).bind(3, holder.organisation).bind(4, holder.role).bind(5, to_millis(now));
  s.run();
}

bool Store::revoke_token(const std::string& name, Instant now) {
  Statement s(db_.handle(), "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL");
  s.bind(1, to_millis(now)).bind(2, name).run();
  return sqlite3_changes(db_.handle()) > 0;
}

std::optional<TokenHolder> Store::token_holder(const std::string& token_hash) {
  CachedRead read(db_, "SELECT name, organisation, role FROM tokens WHERE hash = ? AND revoked_at IS NULL");
  Statement& s = *read;
  if (!s.bind(1, token_hash).step()) return std::nullopt;
  return TokenHolder{s.text(0), s.text(1), s.text(2)};
}

Json Store::tokens() {
  Statement s(db_.handle(), "SELECT name, organisation, role, created_at, revoked_at FROM tokens ORDER BY name");
  Json out = Json::array();
  while (s.step()) {
    out.push_back(Json{{"name", s.text(0)}, {"organisation", s.text(1)}, {"role", s.text(2)},
                       {"created", to_iso_utc(from_millis(s.integer(3)))},
                       {"revoked", s.is_null(4) ? Json() : Json(to_iso_utc(from_millis(s.integer(4))))}});
  }
  return out;
}

std::vector<OutboxRow> Store::outbox_after(std::int64_t id, int limit) {
  CachedRead read(db_,
                  "SELECT id, case_id, at, roles, message, source, persons FROM outbox WHERE id > ? ORDER BY id LIMIT ?");
  Statement& s = *read;
  s.bind(1, id).bind(2, static_cast<std::int64_t>(limit));
  std::vector<OutboxRow> out;
  while (s.step()) {
    out.push_back(OutboxRow{s.integer(0), s.integer(1), from_millis(s.integer(2)),
                            parse(s.text(3)).get<std::vector<std::string>>(), s.text(4), s.text(5),
                            parse(s.text(6)).get<std::vector<std::string>>()});
  }
  return out;
}

std::int64_t Store::sink_cursor(const std::string& sink) {
  CachedRead read(db_, "SELECT delivered_upto FROM sink_cursors WHERE sink = ?");
  Statement& s = *read;
  return s.bind(1, sink).step() ? s.integer(0) : 0;
}

void Store::record_delivery(const std::string& sink, std::int64_t delivered_upto, int attempts,
                            const std::string& error) {
  Statement& s = db_.cached("INSERT OR REPLACE INTO sink_cursors(sink, delivered_upto, attempts, last_error) "
                            "VALUES (?,?,?,?)");
  s.bind(1, sink).bind(2, delivered_upto).bind(3, static_cast<std::int64_t>(attempts)).bind(4, error).run();
}

Json Store::sinks() {
  Statement s(db_.handle(), "SELECT sink, delivered_upto, attempts, last_error, "
                            "(SELECT COUNT(*) FROM outbox o WHERE o.id > c.delivered_upto) FROM sink_cursors c");
  Json out = Json::array();
  while (s.step()) {
    out.push_back(Json{{"sink", s.text(0)}, {"delivered_upto", s.integer(1)}, {"attempts", s.integer(2)},
                       {"last_error", s.text(3)}, {"waiting", s.integer(4)}});
  }
  return out;
}

}  // namespace termijn::store
