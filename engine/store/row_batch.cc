#include "engine/store/row_batch.h"

#include <deque>
#include <optional>
#include <string_view>
#include <vector>

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

// A group's rows, written kRows to an INSERT statement and the rest one to a statement: a group
// holds thousands, and a statement's own work (stepping, resetting) costs about as much as a
// row's. `head` names the table and columns up to VALUES; `tail` follows the values (an upsert).
class RowWriter {
 public:
  static constexpr std::size_t kRows = 32;

  RowWriter(std::string_view head, int columns, std::string_view tail = {}) : columns_(columns) {
    std::string row = "(";
    for (int c = 0; c < columns; ++c) row += c == 0 ? "?" : ",?";
    row += ')';
    one_ = std::string(head) + row + std::string(tail);
    many_ = std::string(head) + row;
    for (std::size_t n = 1; n < kRows; ++n) many_ += "," + row;
    many_ += tail;
  }

  // Where one row's values go: its columns numbered from 1, as in the single-row statement.
  class Row {
   public:
    Row(Statement& s, int first, std::deque<std::string>& kept) : s_(s), first_(first), kept_(kept) {}
    Row& integer(int column, std::int64_t value) {
      s_.bind(first_ + column, value);
      return *this;
    }
    // NULL for none.
    Row& nullable(int column, const std::optional<std::int64_t>& value) {
      if (value) s_.bind(first_ + column, *value); else s_.bind_null(first_ + column);
      return *this;
    }
    Row& moment(int column, const std::optional<Instant>& at) {
      return nullable(column, at ? std::optional<std::int64_t>(to_millis(*at)) : std::nullopt);
    }
    // Text that stays as it is until the rows are written (a field of the batch).
    Row& text(int column, std::string_view value) {
      s_.bind_unowned(first_ + column, value);
      return *this;
    }
    // Bytes that stay as they are until the rows are written.
    Row& bytes(int column, std::string_view value) {
      s_.bind_blob_unowned(first_ + column, value);
      return *this;
    }
    // Text made for the row, kept until the statement has run.
    Row& made(int column, std::string value) {
      kept_.push_back(std::move(value));
      s_.bind_unowned(first_ + column, kept_.back());
      return *this;
    }

   private:
    Statement& s_;
    int first_;
    std::deque<std::string>& kept_;
  };

  // bind(row, item) for every item of `items`, in order.
  template <typename Items, typename Bind>
  void write(Database& db, const Items& items, Bind&& bind) const {
    std::deque<std::string> kept;  // grows without moving what it holds: the statement reads it there
    auto item = items.begin();
    for (std::size_t left = items.size(); left > 0;) {
      const std::size_t rows = left >= kRows ? kRows : 1;
      Statement& s = db.cached(rows == kRows ? many_.c_str() : one_.c_str());
      for (std::size_t r = 0; r < rows; ++r, ++item) {
        Row row(s, static_cast<int>(r) * columns_, kept);
        bind(row, *item);
      }
      s.run();
      kept.clear();
      left -= rows;
    }
  }

 private:
  int columns_;
  std::string one_, many_;
};

void write_cases(Database& db, const std::vector<CaseRow>& cases) {
  // A row written before is updated in place (only the columns a step can change), not deleted
  // and inserted again as INSERT OR REPLACE would, which rewrites every index entry of the row.
  static const RowWriter insert(
      "INSERT INTO cases(id, process, hash, status, level, started_at, ended_at, end_reason, parent_case, state) VALUES ",
      10,
      " ON CONFLICT(id) DO UPDATE SET status = excluded.status, level = excluded.level, ended_at = excluded.ended_at, "
      "end_reason = excluded.end_reason, state = excluded.state");
  insert.write(db, cases, [](RowWriter::Row& row, const CaseRow& c) {
    row.integer(1, c.id).text(2, c.process).text(3, c.hash).text(4, c.status).integer(5, c.level);
    row.integer(6, c.started_at).nullable(7, c.ended_at).text(8, c.end_reason).integer(9, c.parent_case);
    row.text(10, c.state);
  });
}

void write_tasks(Database& db, const std::map<runtime::TaskId, runtime::Task>& tasks) {
  static const RowWriter insert(
      "INSERT INTO tasks(id, case_id, step, title, role, status, opened_at, due_at, due_why, closed_at, closed_by, "
      "outputs, level, node, token) VALUES ",
      15,
      " ON CONFLICT(id) DO UPDATE SET role = excluded.role, status = excluded.status, due_at = excluded.due_at, "
      "due_why = excluded.due_why, closed_at = excluded.closed_at, closed_by = excluded.closed_by, "
      "outputs = excluded.outputs, level = excluded.level, token = excluded.token");
  insert.write(db, tasks, [](RowWriter::Row& row, const auto& entry) {
    const auto& [id, t] = entry;
    row.integer(1, id).integer(2, t.case_id).text(3, t.name).text(4, t.title).text(5, t.role);
    row.text(6, to_string(t.status)).integer(7, to_millis(t.opened)).integer(8, to_millis(t.due.at));
    row.made(9, json_text(t.due.why));
    row.moment(10, t.closed);
    row.text(11, t.closed_by).text(12, t.outputs ? std::string_view(t.outputs->text) : std::string_view("{}"));
    row.integer(13, t.escalation_level).integer(14, t.node).integer(15, t.token);
  });
}

void write_timers(Database& db, const std::map<runtime::TimerId, runtime::Timer>& timers) {
  static const RowWriter insert(
      "INSERT INTO timers(id, case_id, kind, name, task_id, due_at, due_why, status, fired_at, rung, token, failed_at, "
      "failure) VALUES ",
      13,
      " ON CONFLICT(id) DO UPDATE SET due_at = excluded.due_at, due_why = excluded.due_why, status = excluded.status, "
      "fired_at = excluded.fired_at, failed_at = excluded.failed_at, failure = excluded.failure");
  insert.write(db, timers, [](RowWriter::Row& row, const auto& entry) {
    const auto& [id, t] = entry;
    row.integer(1, id).integer(2, t.case_id).text(3, to_string(t.kind)).text(4, t.name);
    row.nullable(5, t.task != 0 ? std::optional<std::int64_t>(t.task) : std::nullopt);
    row.integer(6, to_millis(t.due.at)).made(7, json_text(t.due.why)).text(8, to_string(t.status));
    row.moment(9, t.fired_at).integer(10, t.rung).integer(11, t.token).moment(12, t.failed_at);
    row.text(13, t.failure);
  });
}

void write_audit(Database& db, const ChainKeying& keying, const std::vector<runtime::AuditEntry>& audit) {
  // The head as stored, not as this connection last wrote it: another connection (`termijn token
  // add` beside a `serve`, or the engine's own reading connection) may have appended meanwhile;
  // the caller's transaction (BEGIN IMMEDIATE) keeps it still until the commit.
  std::int64_t seq = 0;
  std::string head_link;  // as stored: 32 bytes, none before the first entry
  {
    Statement& head = db.cached("SELECT seq, hash FROM audit_head WHERE id = 1");
    if (head.step()) {
      seq = head.integer(0);
      head_link = head.blob(1);
    }
    head.reset();
  }
  // The links first, each covering the one before; then the rows. A detail's hash is in its
  // entry's link, not in a column: verifying computes it from the detail (audit_chain.h).
  struct Linked {
    const runtime::AuditEntry& entry;
    std::int64_t seq;
    Sha256Digest link;
  };
  std::vector<Linked> linked;
  linked.reserve(audit.size());
  std::string_view prev = head_link;
  for (const auto& e : audit) {
    Sha256Digest link =
        chain_link(keying, prev, ++seq, e.case_id, to_millis(e.at), runtime::to_string(e.kind), sha256(e.detail));
    prev = bytes_of(linked.emplace_back(Linked{e, seq, link}).link);  // reserved: never moves
  }
  static const RowWriter insert("INSERT INTO audit(seq, case_id, at, kind, detail, hash) VALUES ", 6);
  insert.write(db, linked, [](RowWriter::Row& row, const Linked& l) {
    row.integer(1, l.seq).integer(2, l.entry.case_id).integer(3, to_millis(l.entry.at));
    row.text(4, runtime::to_string(l.entry.kind)).text(5, l.entry.detail).bytes(6, bytes_of(l.link));
  });
  Statement& head = db.cached("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1");
  head.bind(1, seq).bind_blob_unowned(2, prev).run();
}

void write_outbox(Database& db, const std::vector<runtime::Notification>& outbox) {
  static const RowWriter insert("INSERT INTO outbox(case_id, at, roles, message, source, persons) VALUES ", 6);
  insert.write(db, outbox, [](RowWriter::Row& row, const runtime::Notification& n) {
    row.integer(1, n.case_id).integer(2, to_millis(n.at)).made(3, json_text(n.roles)).text(4, n.message);
    row.text(5, n.source).made(6, json_text(n.persons));
  });
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
