#include "engine/store/row_batch.h"

#include "engine/base/json_text.h"
#include "engine/base/sha256.h"
#include "engine/store/sqlite.h"

namespace termijn::store {

CaseRow case_row_of(const runtime::Instance& c) {
  CaseRow row;
  row.id = c.id;
  row.process = c.process;
  row.hash = c.hash;
  row.status = std::string(to_string(c.status));
  row.level = c.level;
  row.started_at = to_millis(c.started);
  if (c.ended) row.ended_at = to_millis(*c.ended);
  row.end_reason = c.end_reason;
  row.parent_case = c.parent_case;
  row.state = runtime::state_text(c);
  return row;
}

namespace {

void write_cases(Database& db, const std::vector<CaseRow>& cases) {
  // A row written before is updated in place (only the columns a step can change), not deleted
  // and inserted again as INSERT OR REPLACE would, which rewrites every index entry of the row.
  Statement& s = db.cached(
      "INSERT INTO cases(id, process, hash, status, level, started_at, ended_at, end_reason, parent_case, "
      "state) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, "
      "level = excluded.level, ended_at = excluded.ended_at, end_reason = excluded.end_reason, "
      "state = excluded.state");
  for (const CaseRow& c : cases) {
    s.bind(1, c.id).bind_unowned(2, c.process).bind_unowned(3, c.hash).bind_unowned(4, c.status).bind(5, c.level);
    s.bind(6, c.started_at);
    if (c.ended_at) s.bind(7, *c.ended_at); else s.bind_null(7);
    s.bind_unowned(8, c.end_reason).bind(9, c.parent_case).bind_unowned(10, c.state);
    s.run();
  }
}

void write_tasks(Database& db, const std::map<runtime::TaskId, runtime::Task>& tasks) {
  Statement& s = db.cached(
      "INSERT INTO tasks(id, case_id, step, title, role, status, opened_at, due_at, due_why, closed_at, "
      "closed_by, outputs, level, node, token) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO "
      "UPDATE SET role = excluded.role, status = excluded.status, due_at = excluded.due_at, "
      "due_why = excluded.due_why, closed_at = excluded.closed_at, closed_by = excluded.closed_by, "
      "outputs = excluded.outputs, level = excluded.level, token = excluded.token");
  for (const auto& [id, t] : tasks) {
    const std::string why = json_text(t.due.why);
    const std::string_view outputs = t.outputs ? std::string_view(t.outputs->text) : std::string_view("{}");
    s.bind(1, id).bind(2, t.case_id).bind_unowned(3, t.name).bind_unowned(4, t.title).bind_unowned(5, t.role)
        .bind_unowned(6, to_string(t.status)).bind(7, to_millis(t.opened)).bind(8, to_millis(t.due.at))
        .bind_unowned(9, why);
    if (t.closed) s.bind(10, to_millis(*t.closed)); else s.bind_null(10);
    s.bind_unowned(11, t.closed_by).bind_unowned(12, outputs).bind(13, static_cast<std::int64_t>(t.escalation_level));
    s.bind(14, static_cast<std::int64_t>(t.node)).bind(15, static_cast<std::int64_t>(t.token));
    s.run();
  }
}

void write_timers(Database& db, const std::map<runtime::TimerId, runtime::Timer>& timers) {
  Statement& s = db.cached(
      "INSERT INTO timers(id, case_id, kind, name, task_id, due_at, due_why, status, fired_at, rung, token, "
      "failed_at, failure) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
      "due_at = excluded.due_at, due_why = excluded.due_why, status = excluded.status, "
      "fired_at = excluded.fired_at, failed_at = excluded.failed_at, failure = excluded.failure");
  for (const auto& [id, t] : timers) {
    const std::string why = json_text(t.due.why);
    s.bind(1, id).bind(2, t.case_id).bind_unowned(3, to_string(t.kind)).bind_unowned(4, t.name);
    if (t.task != 0) s.bind(5, t.task); else s.bind_null(5);
    s.bind(6, to_millis(t.due.at)).bind_unowned(7, why).bind_unowned(8, to_string(t.status));
    if (t.fired_at) s.bind(9, to_millis(*t.fired_at)); else s.bind_null(9);
    s.bind(10, static_cast<std::int64_t>(t.rung)).bind(11, static_cast<std::int64_t>(t.token));
    if (t.failed_at) s.bind(12, to_millis(*t.failed_at)); else s.bind_null(12);
    s.bind_unowned(13, t.failure);
    s.run();
  }
}

void write_audit(Database& db, const ChainKeying& keying, const std::vector<runtime::AuditEntry>& audit) {
  // The head as stored, not as this connection last wrote it: another connection (`termijn token
  // add` beside a `serve`, or the engine's own reading connection) may have appended meanwhile;
  // the caller's transaction (BEGIN IMMEDIATE) keeps it still until the commit.
  std::int64_t seq = 0;
  std::string hash;
  {
    Statement& head = db.cached("SELECT seq, hash FROM audit_head WHERE id = 1");
    if (head.step()) {
      seq = head.integer(0);
      hash = head.text(1);
    }
    head.reset();
  }
  // The links first, then the rows: kRows to a statement, as one statement's work costs about as
  // much as a row's, and a group holds thousands of entries.
  const std::int64_t first = seq + 1;
  std::vector<std::string> hashes;  // [2n]: entry n's detail hash, [2n + 1]: its link
  hashes.reserve(2 * audit.size());
  for (const auto& e : audit) {
    hashes.push_back(sha256_hex(e.detail));
    const std::string& prev = hashes.size() > 1 ? hashes[hashes.size() - 2] : hash;
    hashes.push_back(chain_link(keying, prev, ++seq, e.case_id, to_millis(e.at), e.kind, hashes.back()));
  }
  constexpr std::size_t kRows = 32;
  constexpr int kColumns = 8;
  static const std::string one = "INSERT INTO audit(seq, case_id, at, kind, detail, detail_hash, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)";
  static const std::string many = [] {
    std::string sql = one;
    for (std::size_t n = 1; n < kRows; ++n) sql += ",(?,?,?,?,?,?,?,?)";
    return sql;
  }();
  for (std::size_t n = 0; n < audit.size();) {
    const bool chunk = audit.size() - n >= kRows;
    Statement& s = db.cached(chunk ? many.c_str() : one.c_str());
    for (std::size_t row = 0, rows = chunk ? kRows : 1; row < rows; ++row, ++n) {
      const runtime::AuditEntry& e = audit[n];
      const int at = static_cast<int>(row) * kColumns;
      const std::string& prev = n == 0 ? hash : hashes[2 * n - 1];
      s.bind(at + 1, first + static_cast<std::int64_t>(n)).bind(at + 2, e.case_id).bind(at + 3, to_millis(e.at));
      s.bind_unowned(at + 4, e.kind).bind_unowned(at + 5, e.detail).bind_unowned(at + 6, hashes[2 * n]);
      s.bind_unowned(at + 7, prev).bind_unowned(at + 8, hashes[2 * n + 1]);
    }
    s.run();
  }
  if (!audit.empty()) hash = hashes.back();
  Statement& head = db.cached("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1");
  head.bind(1, seq).bind(2, hash).run();
}

void write_outbox(Database& db, const std::vector<runtime::Notification>& outbox) {
  Statement& s = db.cached("INSERT INTO outbox(case_id, at, roles, message, source, persons) VALUES (?,?,?,?,?,?)");
  for (const auto& n : outbox) {
    const std::string roles = json_text(n.roles), persons = json_text(n.persons);
    s.bind(1, n.case_id).bind(2, to_millis(n.at)).bind_unowned(3, roles).bind_unowned(4, n.message)
        .bind_unowned(5, n.source).bind_unowned(6, persons);
    s.run();
  }
}

void write_commands(Database& db, const std::vector<CommandRecord>& commands) {
  if (commands.empty()) return;
  Statement& s =
      db.cached("INSERT INTO commands(key, kind, at, result, fingerprint) VALUES (?,?,strftime('%s','now'),?,?)");
  for (const auto& command : commands) {
    s.bind(1, command.key).bind(2, command.kind).bind(3, json_text(command.result)).bind(4, command.fingerprint);
    s.run();
  }
}

}  // namespace

void write_batch(Database& db, const ChainKeying& keying, const RowBatch& batch) {
  write_cases(db, batch.cases);
  write_tasks(db, batch.rows.tasks);
  write_timers(db, batch.rows.timers);
  write_audit(db, keying, batch.rows.audit);
  write_outbox(db, batch.rows.outbox);
  write_commands(db, batch.commands);
}

}  // namespace termijn::store
