// deploy, start, cases, tasks, timers, complete, signal, update, cancel, incidents, audit.
#include <fmt/format.h>

#include "engine/api/engine.h"
#include "engine/base/language.h"
#include "engine/cli/commands.h"
#include "engine/cli/database_lock.h"

namespace termijn::cli {

namespace {

struct Options {
  std::string db = "termijn.db";
  bool json = false;
  std::string process, event, data = "{}", key, role, outputs = "{}", reason, status, by;
  std::int64_t case_id = 0, task_id = 0;
  bool overdue = false, all = false, why = false;
  std::vector<std::string> paths;
};

// Opens the engine for one command. Writers take the database lock first.
Result<std::unique_ptr<Engine>> open_engine(const Options& o, const GlobalOptions& global, Clock& clock,
                                            std::unique_ptr<DatabaseLock>* lock) {
  if (lock != nullptr) {
    *lock = std::make_unique<DatabaseLock>(o.db);
    if (!(*lock)->held()) {
      return Status(StatusCode::kFailedPrecondition,
                    fmt::format("another termijn (a 'serve'?) is writing to '{}'; send commands through it", o.db));
    }
  }
  return Engine::open(global.engine_options(o.db, clock));
}

Result<Json> parse_json(const std::string& text, const char* what) {
  try {
    return Json::parse(text);
  } catch (const std::exception& e) {
    return Status(StatusCode::kInvalidArgument, fmt::format("{} is not valid JSON: {}", what, e.what()));
  }
}

int print_json(const Json& j) {
  fmt::print("{}\n", j.dump(2));
  return kClean;
}

// Runs a read command: no lock, the engine opened on the system clock.
template <typename F>
int read_command(const Options& o, const GlobalOptions& global, F&& apply) {
  SystemClock clock;
  auto engine = open_engine(o, global, clock, nullptr);
  if (!engine.is_ok()) return report(engine.status());
  return apply(*engine.value());
}

// Who acted or read, from an audit entry's stamp (and the stamp taken out of `detail`): a token's
// holder and organisation with its role, or the host by name. Never the token itself: it is not kept.
std::string who(Json& detail) {
  if (!detail.is_object() || !detail.contains("actor") || !detail["actor"].is_object()) return "";
  Json actor = detail["actor"];
  detail.erase("actor");
  // Read as untrusted: a field of another type is left out, not thrown over.
  auto text = [&](const char* key) {
    auto it = actor.find(key);
    return it != actor.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string name = text("name"), organisation = text("organisation");
  bool host = actor.contains("host") && actor["host"].is_boolean() && actor["host"].get<bool>();
  std::string by = host ? "host" : "role " + text("role");
  if (!organisation.empty()) by = organisation + ", " + by;
  return name.empty() ? by : fmt::format("{} ({})", name, by);
}

void add_db(CLI::App* cmd, Options& o) {
  cmd->add_option("--db", o.db, "The database file")->capture_default_str();
}

// Runs a write command: parse the JSON argument, open the engine, apply.
template <typename F>
int write_command(const Options& o, const GlobalOptions& global, const std::string& json_text, const char* what, F&& apply) {
  Result<Json> payload = parse_json(json_text, what);
  if (!payload.is_ok()) return report(payload.status());
  SystemClock clock;
  std::unique_ptr<DatabaseLock> lock;
  auto engine = open_engine(o, global, clock, &lock);
  if (!engine.is_ok()) return report(engine.status());
  return apply(*engine.value(), *payload);
}

}  // namespace

void add_case_commands(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto o = std::make_shared<Options>();

  auto* deploy = app.add_subcommand("deploy", "Check and deploy process files into a database");
  add_db(deploy, *o);
  deploy->add_option("paths", o->paths, "Files or folders")->required();
  deploy->callback([o, &global, &exit_code] {
    exit_code = write_command(*o, global, "{}", "", [&](Engine& engine, const Json&) {
      DeployResult r = engine.deploy(o->paths);
      std::fputs(render(r.diagnostics).c_str(), stderr);
      for (const auto& path : r.unreadable) fmt::print(stderr, "{}\n", tr("termijn: cannot read '{}'", path));
      if (!r.ok()) return r.unreadable.empty() ? kErrors : kUsage;
      for (const auto& p : r.deployed) {
        fmt::print("{} {} v{} ({})\n", p.is_new ? "deployed" : "unchanged", p.name, p.version, p.hash.substr(0, 16));
      }
      return kClean;
    });
  });

  auto* start = app.add_subcommand("start", "Start a case");
  add_db(start, *o);
  start->add_option("process", o->process, "Process name")->required();
  start->add_option("--event", o->event, "The start event (default: the process's first)");
  start->add_option("--data", o->data, "Case data as a JSON object");
  start->add_option("--key", o->key, "Idempotency key: a retry with the same key starts nothing new");
  start->callback([o, &global, &exit_code] {
    exit_code = write_command(*o, global, o->data, "--data", [&](Engine& engine, const Json& data) {
      Result<CaseId> id = engine.start_case(o->process, data, o->event, o->key);
      if (!id.is_ok()) return report(id.status());
      fmt::print("{}\n", tr("case {}", *id));
      return kClean;
    });
  });

  auto* complete = app.add_subcommand("complete", "Complete a task as a role");
  add_db(complete, *o);
  complete->add_option("task", o->task_id, "Task id")->required();
  complete->add_option("--role", o->role, "The acting role")->required();
  complete->add_option("--outputs", o->outputs, "The task's outputs as a JSON object");
  complete->add_option("--key", o->key, "Idempotency key");
  complete->callback([o, &global, &exit_code] {
    exit_code = write_command(*o, global, o->outputs, "--outputs", [&](Engine& engine, const Json& outputs) {
      return report(engine.complete_task(o->task_id, o->role, outputs, o->key));
    });
  });

  auto* signal = app.add_subcommand("signal", "Send an event to a case");
  add_db(signal, *o);
  signal->add_option("case", o->case_id, "Case id")->required();
  signal->add_option("event", o->event, "Event name")->required();
  signal->add_option("--data", o->data, "Case data that comes with the event");
  signal->add_option("--key", o->key, "Idempotency key");
  signal->callback([o, &global, &exit_code] {
    exit_code = write_command(*o, global, o->data, "--data", [&](Engine& engine, const Json& data) {
      return report(engine.signal(o->case_id, o->event, data, o->key));
    });
  });

  auto* update = app.add_subcommand("update", "Change a case's data");
  add_db(update, *o);
  update->add_option("case", o->case_id, "Case id")->required();
  update->add_option("--data", o->data, "Fields as a JSON object")->required();
  update->add_option("--key", o->key, "Idempotency key");
  update->callback([o, &global, &exit_code] {
    exit_code = write_command(*o, global, o->data, "--data", [&](Engine& engine, const Json& data) {
      return report(engine.update_case(o->case_id, data, o->key));
    });
  });

  auto* cancel = app.add_subcommand("cancel", "End a case and cancel its open work");
  add_db(cancel, *o);
  cancel->add_option("case", o->case_id, "Case id")->required();
  cancel->add_option("--reason", o->reason, "Why");
  cancel->add_option("--key", o->key, "Idempotency key");
  cancel->callback([o, &global, &exit_code] {
    exit_code = write_command(*o, global, "{}", "", [&](Engine& engine, const Json&) {
      return report(engine.cancel_case(o->case_id, o->reason, o->key));
    });
  });

  auto* cases = app.add_subcommand("cases", "List cases");
  add_db(cases, *o);
  cases->add_option("--status", o->status, "running, completed or terminated");
  cases->add_flag("--json", o->json, "Print JSON");
  cases->callback([o, &global, &exit_code] {
    exit_code = read_command(*o, global, [&](Engine& engine) {
      Json rows = engine.cases(o->status.empty() ? std::nullopt : std::optional<std::string>(o->status));
      if (o->json) return print_json(rows);
      fmt::print("{:>6}  {:<20} {:<10} {:>5}  {:<20}  {}\n", "case", "process", "status", "level", "started", "ended");
      for (const auto& r : rows) {
        fmt::print("{:>6}  {:<20} {:<10} {:>5}  {:<20}  {}\n", r["id"].get<std::int64_t>(), r["process"].get<std::string>(),
                   r["status"].get<std::string>(), r["level"].get<std::int64_t>(), r["started"].get<std::string>(),
                   r["ended"].is_null() ? "" : r["ended"].get<std::string>() + " (" + r["end_reason"].get<std::string>() + ")");
      }
      return kClean;
    });
  });

  auto* tasks = app.add_subcommand("tasks", "List tasks with their deadlines");
  add_db(tasks, *o);
  tasks->add_option("--role", o->role, "Only this role's tasks");
  tasks->add_option("--case", o->case_id, "Only this case's tasks");
  tasks->add_flag("--overdue", o->overdue, "Only tasks past their deadline");
  tasks->add_flag("--all", o->all, "Closed tasks too");
  tasks->add_flag("--why", o->why, "Explain each deadline");
  tasks->add_flag("--json", o->json, "Print JSON");
  tasks->callback([o, &global, &exit_code] {
    exit_code = read_command(*o, global, [&](Engine& engine) {
      store::TaskQuery q;
      if (!o->role.empty()) q.role = o->role;
      if (o->case_id != 0) q.case_id = o->case_id;
      if (o->overdue) q.overdue_at = engine.now();
      q.open_only = !o->all;
      Json rows = engine.tasks(q);
      if (o->json) return print_json(rows);
      const LegalTime& legal = engine.legal();
      fmt::print("{:>6} {:>6}  {:<28} {:<16} {:<10} {:<22} {}\n", "task", "case", "step", "role", "status", "due", "");
      for (const auto& r : rows) {
        Instant due = *parse_instant(r["due"].get<std::string>());
        bool late = r["status"] == "open" && due < engine.now();
        fmt::print("{:>6} {:>6}  {:<28} {:<16} {:<10} {:<22} {}\n", r["id"].get<std::int64_t>(), r["case"].get<std::int64_t>(),
                   r["step"].get<std::string>(), r["role"].get<std::string>(), r["status"].get<std::string>(),
                   legal.format(due), late ? "OVERDUE" : "");
        if (o->why) {
          for (const auto& line : r["due_why"]) fmt::print("{:>16}{}\n", "", line.get<std::string>());
        }
      }
      return kClean;
    });
  });

  auto* timers = app.add_subcommand("timers", "List a case's timers and escalation rungs");
  add_db(timers, *o);
  timers->add_option("case", o->case_id, "Case id")->required();
  timers->add_flag("--json", o->json, "Print JSON");
  timers->callback([o, &global, &exit_code] {
    exit_code = read_command(*o, global, [&](Engine& engine) {
      Json rows = engine.timers(o->case_id);
      if (o->json) return print_json(rows);
      for (const auto& r : rows) {
        fmt::print("{:>6}  {:<11} {:<30} {:<10} {}\n", r["id"].get<std::int64_t>(), r["kind"].get<std::string>(),
                   r["name"].get<std::string>(), r["status"].get<std::string>(),
                   engine.legal().format(*parse_instant(r["due"].get<std::string>())));
      }
      return kClean;
    });
  });

  // `termijn incidents` lists; `retry` and `dismiss` are a person's decision, audited by name.
  auto* incidents = app.add_subcommand("incidents", "Timers that could not fire: list them, retry or dismiss one");
  add_db(incidents, *o);
  incidents->add_flag("--json", o->json, "Print JSON");
  incidents->require_subcommand(0, 1);
  auto* retry = incidents->add_subcommand("retry", "Fire an incident's timer now, once its cause is fixed");
  auto* dismiss = incidents->add_subcommand("dismiss", "Decide that an incident's timer will not fire");
  for (auto* decision : {retry, dismiss}) {
    add_db(decision, *o);
    decision->add_option("incident", o->task_id, "Incident id (as listed)")->required();
    decision->add_option("--by", o->by, "Who decides (recorded in the audit log)")->required();
    decision->add_option("--key", o->key, "Idempotency key");
  }
  dismiss->add_option("--reason", o->reason, "Why the timer will not fire (recorded in the audit log)")->required();
  retry->callback([o, &global, &exit_code] {
    exit_code = write_command(*o, global, "{}", "", [&](Engine& engine, const Json&) {
      return report(engine.retry_incident(o->task_id, Actor::host(o->by), o->key));
    });
  });
  dismiss->callback([o, &global, &exit_code] {
    exit_code = write_command(*o, global, "{}", "", [&](Engine& engine, const Json&) {
      return report(engine.dismiss_incident(o->task_id, o->reason, Actor::host(o->by), o->key));
    });
  });
  incidents->callback([o, incidents, &global, &exit_code] {
    if (!incidents->get_subcommands().empty()) return;
    exit_code = read_command(*o, global, [&](Engine& engine) {
      Json rows = engine.incidents();
      if (o->json) return print_json(rows);
      if (rows.empty()) fmt::print("{}\n", tr("no open incidents"));
      for (const auto& r : rows) {
        fmt::print("{:>6}  case {:<6} {:<11} {:<24} due {}  told {}\n        {}\n", r["id"].get<std::int64_t>(),
                   r["case"].get<std::int64_t>(), r["kind"].get<std::string>(), r["timer"].get<std::string>(),
                   engine.legal().format(*parse_instant(r["due"].get<std::string>())), r["told"].get<std::string>(),
                   r["error"].get<std::string>());
      }
      return kClean;
    });
  });

  auto* audit = app.add_subcommand("audit", "Read or verify the audit log");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand("verify", "Check the hash chain: detects edited or deleted entries");
  add_db(verify, *o);
  verify->callback([o, &global, &exit_code] {
    exit_code = read_command(*o, global, [&](Engine& engine) {
      store::AuditCheck check = engine.verify_audit();
      if (check.ok) {
        fmt::print("{}\n", tr("audit log intact: {} entries{}", check.entries,
                               check.keyed_from == 0 ? "" : tr(", keyed from entry {}", check.keyed_from)));
      } else {
        fmt::print(stderr, "{}\n", tr("audit log broken: {}", check.problem));
        return kErrors;
      }
      return kClean;
    });
  });
  auto* key = audit->add_subcommand("key", "Key the audit log with the key given by --audit-key, from the next entry on");
  add_db(key, *o);
  key->add_option("--by", o->by, "Who keys it (recorded in the audit log; default: the login name)");
  key->callback([o, &global, &exit_code] {
    // Every writer must open the database with the key from now on: none may run meanwhile.
    DatabaseLock lock(o->db);
    if (!lock.held_or_explain(tr("stop it first"))) {
      exit_code = kUsage;
      return;
    }
    try {
      std::optional<store::AuditKey> audit_key = global.audit_key();
      if (!audit_key) {
        fmt::print(stderr, "{}\n", tr("termijn: give the key file with --audit-key FILE (or TERMIJN_AUDIT_KEY_FILE)"));
        exit_code = kUsage;
        return;
      }
      store::Store store(o->db, true, global.full_integrity_check);
      store.key_audit_log(*audit_key, SystemClock().now(), operator_actor(o->by).to_json());
      fmt::print("{}\n", tr("audit log of '{}' keyed from entry {} (key {})", o->db, store.verify_audit().keyed_from,
                             audit_key->fingerprint().substr(0, 16)));
      exit_code = kClean;
    } catch (const std::exception& e) {
      fmt::print(stderr, "{}\n", tr("termijn: cannot key the audit log of '{}': {}", o->db, e.what()));
      exit_code = kUsage;
    }
  });

  auto* log = audit->add_subcommand("log", "Print the audit log");
  add_db(log, *o);
  log->add_option("--case", o->case_id, "Only this case");
  log->add_flag("--json", o->json, "Print JSON");
  log->callback([o, &global, &exit_code] {
    exit_code = read_command(*o, global, [&](Engine& engine) {
      Json entries = engine.audit(o->case_id == 0 ? std::nullopt : std::optional<CaseId>(o->case_id));
      if (o->json) return print_json(entries);
      for (auto& e : entries) {
        Json detail = e["detail"];
        std::string by = who(detail);
        fmt::print("{:>6}  {}  case {:<5} {:<20} {:<36} {}\n", e["seq"].get<std::int64_t>(), e["at"].get<std::string>(),
                   e["case"].get<std::int64_t>(), e["kind"].get<std::string>(), by,
                   detail.dump(-1, ' ', false, Json::error_handler_t::replace));
      }
      return kClean;
    });
  });
}

}  // namespace termijn::cli
