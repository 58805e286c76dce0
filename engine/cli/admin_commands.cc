// token add|list|revoke, purge, backup, restore: administering a database.
#include <fmt/format.h>

#include "engine/api/engine.h"
#include "engine/api/http/api.h"
#include "engine/base/language.h"
#include "engine/cli/commands.h"
#include "engine/cli/database_lock.h"
#include "engine/store/backup.h"
#include "engine/time/instant.h"

namespace termijn::cli {

namespace {

struct AdminOptions {
  std::string db = "termijn.db";
  std::string name, organisation, role, before, by, copy_path;
  bool force = false;
};

// Tokens live in their own table, not in the engine's state: they can be managed while a
// 'serve' runs, which reads them per request.
template <typename F>
int with_store(const AdminOptions& o, const GlobalOptions& global, F&& apply) {
  try {
    store::Store store(o.db, true, false, global.audit_key());
    return apply(store);
  } catch (const std::exception& e) {
    fmt::print(stderr, "termijn: {}\n", e.what());
    return kUsage;
  }
}

// Issuing and revoking need the engine: a token's role must be one a deployed process declares,
// and both are audit entries. A 'serve' on the same database may run meanwhile; the audit log
// takes entries from both (each appends to the head as stored).
template <typename F>
int with_engine(const AdminOptions& o, const GlobalOptions& global, F&& apply) {
  SystemClock clock;
  auto engine = Engine::open(global.engine_options(o.db, clock));
  if (!engine.is_ok()) return report(engine.status());
  return apply(*engine.value());
}

// Copies a database for backup or restore and says what was copied. A copy that fails its
// checks is an error in the input (exit 1); everything else, I/O trouble (exit 2).
int copy_and_report(const std::string& from, const std::string& to, const AdminOptions& o,
                    const GlobalOptions& global, const char* done) {
  store::CopyOptions options;
  options.replace = o.force;
  try {
    options.key = global.audit_key();
  } catch (const std::exception& e) {
    fmt::print(stderr, "termijn: {}\n", e.what());
    return kUsage;
  }
  Result<store::CopyReport> copied = store::copy_database(from, to, options);
  if (!copied.is_ok()) {
    fmt::print(stderr, "termijn: {}\n", copied.status().message());
    return copied.status().code() == StatusCode::kInvalidArgument ? kErrors : kUsage;
  }
  std::string keyed = copied->keyed_from == 0 ? tr("not keyed") : tr("keyed from entry {}", copied->keyed_from);
  fmt::print("{}\n", tr("{} '{}' to '{}': {}, audit log intact ({} entries, {}), {} bytes in {} ms", done, from, to,
                         trn("{} case", "{} cases", copied->cases, copied->cases), copied->audit_entries, keyed,
                         copied->bytes, copied->took.count()));
  return kClean;
}

}  // namespace

void add_admin_commands(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto o = std::make_shared<AdminOptions>();
  auto* token = app.add_subcommand("token", "API tokens: one per organisation and role");
  token->require_subcommand(1);

  auto* add = token->add_subcommand("add", "Issue a token; it is printed once and only its hash is kept");
  add->add_option("--db", o->db, "The database file")->capture_default_str();
  add->add_option("--name", o->name, "A unique name for the token, e.g. burgemeester-rotterdam")->required();
  add->add_option("--org", o->organisation, "The organisation that holds it")->required();
  add->add_option("--role", o->role,
                  fmt::format("A role some deployed process declares, or '{}' to administer", http::kAdminRole))
      ->required();
  add->add_option("--by", o->by, "Who issues it (recorded in the audit log; default: the login name)");
  add->callback([o, &global, &exit_code] {
    exit_code = with_engine(*o, global, [&](Engine& engine) {
      for (const auto& t : engine.store().tokens()) {
        if (t["name"] == o->name) {
          fmt::print(stderr, "{}\n", tr("termijn: a token named '{}' exists already", o->name));
          return kErrors;
        }
      }
      Result<std::string> token =
          http::issue_token(engine, store::TokenHolder{o->name, o->organisation, o->role}, operator_actor(o->by));
      if (!token.is_ok()) return report(token.status());
      fmt::print("{}\n", *token);
      return kClean;
    });
  });

  auto* list = token->add_subcommand("list", "List tokens (names and roles; never the tokens)");
  list->add_option("--db", o->db, "The database file")->capture_default_str();
  list->callback([o, &global, &exit_code] {
    exit_code = with_store(*o, global, [&](store::Store& store) {
      for (const auto& t : store.tokens()) {
        fmt::print("{:<32} {:<28} {:<20} {}\n", t["name"].get<std::string>(), t["organisation"].get<std::string>(),
                   t["role"].get<std::string>(), t["revoked"].is_null() ? "active" : "revoked");
      }
      return kClean;
    });
  });

  auto* revoke = token->add_subcommand("revoke", "Revoke a token at once");
  revoke->add_option("--db", o->db, "The database file")->capture_default_str();
  revoke->add_option("--name", o->name, "The token's name")->required();
  revoke->add_option("--by", o->by, "Who revokes it (recorded in the audit log; default: the login name)");
  revoke->callback([o, &global, &exit_code] {
    exit_code = with_engine(*o, global, [&](Engine& engine) {
      Status revoked = http::revoke_token(engine, o->name, operator_actor(o->by));
      if (!revoked.is_ok()) return report(revoked);
      fmt::print("{}\n", tr("revoked {}", o->name));
      return kClean;
    });
  });

  auto* purge = app.add_subcommand("purge", "Destroy the data of cases that ended more than 5 years ago (art. 10 Wth)");
  purge->add_option("--db", o->db, "The database file")->capture_default_str();
  purge->add_option("--before", o->before, "Only cases that ended before this moment (ISO 8601, UTC)");
  purge->add_option("--by", o->name, "Who orders the purge (recorded in the audit log)")->required();
  purge->callback([o, &global, &exit_code] {
    std::optional<Instant> before;
    if (!o->before.empty()) {
      before = parse_instant(o->before);
      if (!before) {
        fmt::print(stderr, "{}\n", tr("termijn: --before '{}' is not a moment like 2021-11-28T00:00:00Z",
                                      o->before));
        exit_code = kUsage;
        return;
      }
    }
    DatabaseLock lock(o->db);
    if (!lock.held_or_explain(tr("purge through its API (POST /api/v1/purge)"))) {
      exit_code = kUsage;
      return;
    }
    SystemClock clock;
    auto engine = Engine::open(global.engine_options(o->db, clock));
    if (!engine.is_ok()) {
      exit_code = report(engine.status());
      return;
    }
    auto purged = engine.value()->purge(before, Actor::host(o->name));
    if (!purged.is_ok()) {
      exit_code = report(purged.status());
      return;
    }
    fmt::print("{}\n", trn("purged {} case that ended before {}", "purged {} cases that ended before {}",
                          purged->cases.size(), purged->cases.size(), to_iso_utc(purged->ended_before)));
    if (!purged->log_emptied) {
      fmt::print(stderr, "{}\n", tr("termijn: another program was reading '{}', so its write-ahead log ('{}-wal') may "
                                    "still hold purged data; purge again when it has finished", o->db, o->db));
    }
    exit_code = kClean;
  });

  auto* backup = app.add_subcommand("backup", "Copy a database, also while a 'serve' runs on it, and check the copy");
  backup->add_option("--db", o->db, "The database file")->capture_default_str();
  backup->add_option("--to", o->copy_path, "The backup file to write")->required();
  backup->add_flag("--force", o->force, "Replace the backup file if it exists");
  backup->callback([o, &global, &exit_code] {
    exit_code = copy_and_report(o->db, o->copy_path, *o, global, tr("backed up"));
  });

  auto* restore = app.add_subcommand("restore", "Put a backup in place of a database; no 'serve' may run on it");
  restore->add_option("--from", o->copy_path, "The backup file")->required();
  restore->add_option("--db", o->db, "The database file to restore")->capture_default_str();
  restore->add_flag("--force", o->force, "Replace the database file if it exists");
  restore->callback([o, &global, &exit_code] {
    // A server would go on with the database it has open, and overwrite the restored one.
    DatabaseLock lock(o->db);
    if (!lock.held_or_explain(tr("stop it before restoring"))) {
      exit_code = kUsage;
      return;
    }
    exit_code = copy_and_report(o->copy_path, o->db, *o, global, tr("restored"));
  });
}

}  // namespace termijn::cli
