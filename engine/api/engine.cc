#include "engine/api/engine.h"

#include "engine/time/instant.h"

#include <fmt/format.h>

#include <set>
#include <utility>

#include "engine/base/json_text.h"
#include "engine/base/sha256.h"
#include "engine/base/utf8.h"
#include "engine/checker/checker.h"
#include "engine/driver/compilation.h"
#include "engine/store/writer.h"

namespace termijn {

namespace {

// How a stored definition's sources fit together: the file that declares it, the standard
// library modules it imported ({"wth": path}), and their hash.
constexpr const char* kRootKey = "__root__";
constexpr const char* kStdlibKey = "__stdlib__";
constexpr const char* kStdlibHashKey = "__stdlib_hash__";

Json status_json(const Status& s) {
  return Json{{"code", to_string(s.code())}, {"message", s.message()}};
}

Status status_from(const Json& j) {
  static const std::map<std::string, StatusCode> kCodes = {
      {"ok", StatusCode::kOk},
      {"invalid argument", StatusCode::kInvalidArgument},
      {"not found", StatusCode::kNotFound},
      {"permission denied", StatusCode::kPermissionDenied},
      {"failed precondition", StatusCode::kFailedPrecondition},
      {"internal", StatusCode::kInternal}};
  auto it = kCodes.find(j.at("code").get<std::string>());
  return Status(it == kCodes.end() ? StatusCode::kInternal : it->second, j.at("message"));
}

// What binds an idempotency key to its command: the kind, the arguments and who gave it.
store::CommandRecord keyed(const std::string& key, const char* kind, const Json& args, const Actor& actor) {
  if (key.empty()) return store::CommandRecord{key, kind, Json(), ""};
  Json command{{"kind", kind}, {"args", args}, {"actor", actor.to_json()}};
  return store::CommandRecord{key, kind, Json(), sha256_hex(command.dump(-1, ' ', false, Json::error_handler_t::replace))};
}

// A command from the embedding API whose text is not UTF-8 (a request's JSON is checked when it is
// parsed): refused before it runs, where it would otherwise fail the whole group it is written
// with when its rows are made text.
Status utf8_text(const std::string& key, const Json& args, const Actor& actor) {
  if (is_utf8_text(args) && !find_invalid_utf8(key) && !find_invalid_utf8(actor.role) &&
      !find_invalid_utf8(actor.name) && !find_invalid_utf8(actor.organisation)) {
    return Status::ok();
  }
  return Status(StatusCode::kInvalidArgument, "the command holds text that is not UTF-8");
}

// The first answer to a start, replayed: its case, or the refusal it got.
Result<CaseId> replayed_start(const Result<Json>& previous) {
  if (!previous.is_ok()) return previous.status();
  if (previous->contains("case")) return previous->at("case").get<CaseId>();
  return status_from(*previous);
}

// Whether "actor" goes first among the fields of `detail`, an object's text with its keys in the
// order nlohmann::json sorts them (JsonObjectText): its first key sorts after "actor". Most do;
// not a refusal's "action", nor an escalation's "actions" (a retried incident's).
bool actor_goes_first(const std::string& detail) {
  if (detail == "{}") return true;
  if (detail.size() < 3 || detail[1] != '"') return false;
  const std::size_t end = detail.find_first_of("\"\\", 2);
  return end != std::string::npos && detail[end] == '"' && std::string_view(detail).substr(2, end - 2) > "actor";
}

// Every audit entry a command makes names who gave it, in its detail's field "actor". Throws
// Json::type_error for an actor whose text is not UTF-8.
void stamp(runtime::Changes& changes, const Actor& actor) {
  if (changes.audit.empty()) return;
  const Json who = actor.to_json();
  const std::string field = "\"actor\":" + json_text(who);
  for (auto& entry : changes.audit) {
    std::string& detail = entry.detail;
    if (detail.size() < 2 || detail.front() != '{') continue;
    if (actor_goes_first(detail)) {
      if (detail.size() > 2) detail.insert(1, 1, ',');
      detail.insert(1, field);
    } else {
      Json fields = Json::parse(detail);  // a rare entry: written again, in the sorted order
      fields["actor"] = who;
      detail = json_text(fields);
    }
  }
}

// Case data set by a start or an event: which fields (their names; the values are the case's).
void note_data_change(runtime::Changes& changes, CaseId id, const Json& data, Instant now) {
  if (!data.is_object() || data.empty()) return;
  std::vector<std::string> fields;
  for (const auto& [field, value] : data.items()) fields.push_back(field);
  changes.audit.push_back(runtime::AuditEntry{id, now, runtime::AuditKind::kCaseDataChanged,
                                              JsonObjectText().strings("fields", fields).take()});
}

// In place (the runtime changes the live cases as a command runs, Runtime::set_in_place), a
// command that succeeded but never reaches commit() (a throw on the way) is put back, so that
// what is live is what will be written.
class Unapplied {
 public:
  Unapplied(runtime::Runtime& runtime, runtime::Changes& changes, Status& broken)
      : runtime_(runtime), changes_(changes), broken_(broken) {}
  ~Unapplied() {
    if (changes_.undo.empty()) return;  // committed or discarded, or refused (undone already)
    try {
      runtime_.discard(changes_);
    } catch (const std::exception& e) {
      broken_ = Status(StatusCode::kInternal,
                       fmt::format("a command could not be undone ({}): restart the engine", e.what()));
    }
  }
  Unapplied(const Unapplied&) = delete;
  Unapplied& operator=(const Unapplied&) = delete;

 private:
  runtime::Runtime& runtime_;
  runtime::Changes& changes_;
  Status& broken_;
};

}  // namespace

// A group of commands: waiting (applied, live, not yet handed over) or in flight (with the
// writer). In flight, its rows are the writer's until they come back with the outcome.
struct CommitGroup {
  std::set<CaseId> running;                   // running cases touched: written from their live state
  std::map<CaseId, runtime::Instance> ended;  // cases that ended, as they ended (no longer live)
  runtime::Changes rows;                      // tasks, timers, audit entries, notifications
  std::vector<store::CommandRecord> commands;  // idempotency keys and their answers
  std::map<std::string, std::size_t> by_key;   // a key in `commands`, for a retry before the flush
  std::vector<std::function<void(const Status&)>> waiting;
  std::size_t steps = 0;
};

Json Actor::to_json() const {
  Json who = is_host() ? Json{{"host", true}} : Json{{"role", role}};
  if (!name.empty()) who["name"] = name;
  if (!organisation.empty()) who["organisation"] = organisation;
  return who;
}

Engine::Engine(EngineOptions options, std::unique_ptr<store::Store> store, std::unique_ptr<store::Writer> writer)
    : options_(std::move(options)),
      clock_(options_.clock),
      store_(std::move(store)),
      runtime_(legal_),
      group_(std::make_unique<CommitGroup>()),
      writer_(std::move(writer)) {
  // No copy of a case per command: the live case changes, and what a refused command changed is
  // put back from its undo log.
  runtime_.set_in_place(true);
}

// What was never handed over was never acknowledged, and is dropped. The group in flight goes to
// disk (the writer finishes it before it stops), but its callbacks are dropped too, not called,
// as the host may be half torn down by now.
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::open(EngineOptions options) {
  if (options.clock == nullptr) return Status(StatusCode::kInvalidArgument, "the engine needs a clock");
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::Writer> writer;
  try {
    std::optional<store::AuditKey> key;
    if (!options.audit_key_file.empty()) key = store::AuditKey::from_file(options.audit_key_file);
    store = std::make_unique<store::Store>(options.store_path, options.durable, options.full_integrity_check, key);
    // The log's end, where a rewrite or a cut would be (the whole log: `termijn audit verify`).
    constexpr std::int64_t kAuditTail = 1000;
    store::AuditCheck tail = store->verify_audit_tail(kAuditTail);
    if (!tail.ok) {
      return Status(StatusCode::kInternal,
                    fmt::format("the audit log of '{}' is broken ({}); the database was changed outside termijn or "
                                "damaged: restore it from a backup",
                                options.store_path, tail.problem));
    }
    writer = std::make_unique<store::Writer>(options.store_path, options.durable, store->keying());
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, fmt::format("cannot use the database '{}': {}", options.store_path, e.what()));
  }
  std::unique_ptr<Engine> engine(new Engine(std::move(options), std::move(store), std::move(writer)));
  if (Status s = engine->recover(); !s.is_ok()) return s;
  return engine;
}

Status Engine::recover() {
  try {
    for (const auto& d : store_->definitions()) {
      ProgramLoader loader(options_.stdlib_dirs);
      // Texts by path; keys that start with "__" say how they fit together.
      std::map<std::string, std::string> sources;
      for (const auto& [path, text] : d.sources.items()) {
        if (path.rfind("__", 0) != 0) sources[path] = text.get<std::string>();
      }
      loader.use_sources(sources);
      if (d.sources.contains(kStdlibKey)) {
        loader.use_stdlib(d.sources[kStdlibKey].get<std::map<std::string, std::string>>());
      } else {
        loader.use_legacy_stdlib_lookup();  // deployed before modules were recorded
      }
      DiagnosticList diagnostics;
      const std::string root = d.sources.value(kRootKey, std::string());
      if (sources.count(root) == 0) {
        return Status(StatusCode::kInternal, fmt::format("deployed definition {} v{} has no root file", d.name, d.version));
      }
      loader.add_text(root, sources.at(root), diagnostics);
      LoadedProgram program = loader.finish();
      auto model = check_program(program, diagnostics);
      const model::Process* p = model->find(d.name);
      if (p == nullptr || p->hash != d.hash) {
        return Status(StatusCode::kInternal,
                      fmt::format("deployed definition {} v{} ({}) no longer compiles to the same model", d.name,
                                  d.version, d.hash.substr(0, 12)));
      }
      for (const auto& shared : model->processes) {
        if (shared->hash == d.hash) runtime_.add_definition(shared);
      }
    }
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, fmt::format("cannot recover from the store: {}", e.what()));
  }
  return restore_cases();
}

Status Engine::restore_cases() {
  runtime_.forget_cases();
  try {
    auto ids = store_->next_ids();
    runtime_.reserve_ids(ids.next_case, ids.next_task, ids.next_timer);
    for (auto& c : store_->running_cases()) {
      if (runtime_.definition(c.hash) == nullptr) {
        return Status(StatusCode::kInternal, fmt::format("case {} runs on a definition that is not stored", c.id));
      }
      runtime_.restore(std::move(c));
    }
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, fmt::format("cannot recover from the store: {}", e.what()));
  }
  return Status::ok();
}

DeployResult Engine::deploy(const std::vector<std::string>& paths, const Actor& actor) {
  return commit_deploy(compile_paths(paths, options_.stdlib_dirs), actor);
}

DeployResult Engine::deploy_sources(const std::map<std::string, std::string>& files, const Actor& actor) {
  return commit_deploy(compile_sources(files), actor);
}

Compilation Engine::compile_sources(const std::map<std::string, std::string>& files) const {
  return termijn::compile_sources(files, options_.stdlib_dirs);
}

DeployResult Engine::commit_deploy(Compilation&& compilation, const Actor& actor) {
  const auto started = std::chrono::steady_clock::now();
  DeployResult result = deploy(std::move(compilation));
  observed("deploy", started, result.ok() ? StatusCode::kOk : StatusCode::kInvalidArgument);
  if (!result.ok()) return result;
  Json processes = Json::array();
  for (const auto& d : result.deployed) {
    processes.push_back(Json{{"name", d.name}, {"version", d.version}, {"hash", d.hash}, {"new", d.is_new}});
  }
  // The definitions are stored already; a deploy that cannot be audited still happened.
  (void)record(runtime::AuditKind::kProcessesDeployed, Json{{"processes", processes}}, actor);
  return result;
}

DeployResult Engine::deploy(Compilation&& c) {
  DeployResult result;
  result.diagnostics = std::move(c.diagnostics);
  result.unreadable = std::move(c.unreadable);
  if (!result.ok()) return result;
  for (std::size_t f = 0; f < c.program.files.size(); ++f) {
    const ast::File& file = c.program.files[f];
    for (const auto& decl : file.processes) {
      auto shared = std::find_if(c.model->processes.begin(), c.model->processes.end(),
                                 [&](const auto& p) { return p->name == decl.name.name; });
      if (shared == c.model->processes.end()) continue;
      // Everything this file can see, so the definition can be recompiled exactly as deployed,
      // with the standard library modules it was compiled against and their hash.
      Json sources = Json::object();
      Json modules = Json::object();
      std::string module_texts;  // in module name order (Json objects are sorted)
      for (int visible : c.program.visible[f]) {
        const auto& src = c.program.files[visible].source;
        sources[src->path()] = src->text();
        if (!c.program.modules[visible].empty()) modules[c.program.modules[visible]] = src->path();
      }
      for (const auto& [module, path] : modules.items()) module_texts += module + '\0' + sources[path].get<std::string>() + '\0';
      std::string stdlib_hash = sha256_hex(module_texts);
      sources[kRootKey] = file.source->path();
      sources[kStdlibKey] = modules;
      sources[kStdlibHashKey] = stdlib_hash;
      bool is_new = runtime_.definition((*shared)->hash) == nullptr;
      store_->save_definition(store::StoredDefinition{(*shared)->hash, (*shared)->name, (*shared)->version, sources},
                              clock_->now());
      runtime_.add_definition(*shared);
      result.deployed.push_back(DeployedProcess{(*shared)->name, (*shared)->version, (*shared)->hash, is_new, stdlib_hash});
    }
  }
  return result;
}

std::optional<Result<Json>> Engine::replay(const store::CommandRecord& command) {
  if (command.key.empty()) return std::nullopt;
  std::optional<store::CommandRecord> first;
  if (auto waiting = group_->by_key.find(command.key); waiting != group_->by_key.end()) {
    first = group_->commands[waiting->second];  // given before, not flushed yet: answered with it
  } else if (in_flight_ && in_flight_->by_key.count(command.key) > 0) {
    first = in_flight_->commands[in_flight_->by_key.at(command.key)];  // being written: answered with it
  } else {
    first = store_->command(command.key);
  }
  if (!first) return std::nullopt;
  // Keys stored before they were bound to their command carry no fingerprint: the kind must do.
  bool same = first->kind == command.kind && (first->fingerprint.empty() || first->fingerprint == command.fingerprint);
  if (!same) {
    return Result<Json>(Status(StatusCode::kInvalidArgument,
                               fmt::format("this idempotency key was used before for another command ({}); a retry "
                                           "must repeat its command exactly, a new command needs a new key",
                                           first->kind)));
  }
  return Result<Json>(first->result);
}

Status Engine::commit(runtime::Changes& changes, const store::CommandRecord& command) {
  std::vector<store::CommandRecord> commands;
  if (!command.key.empty()) commands.push_back(command);
  return commit(changes, commands);
}

Status Engine::commit(runtime::Changes& changes, const std::vector<store::CommandRecord>& commands) {
  ++steps_given_;  // counted when refused too: an answer that gave one waits, and is told the failure
  if (!broken_.is_ok()) {
    runtime_.discard(changes);  // in place, the command had changed the live cases
    return broken_;
  }
  CommitGroup& group = *group_;
  // In place, the cases a command touched are those of its undo log; apply() leaves in
  // `changes.cases` those that ended, which are no longer live.
  for (const auto& [id, undo] : changes.undo) group.running.insert(id);
  runtime_.apply(changes);
  for (auto& [id, c] : changes.cases) {
    group.running.erase(id);
    group.ended[id] = std::move(c);
  }
  for (auto& [id, t] : changes.tasks) group.rows.tasks[id] = std::move(t);
  for (auto& [id, t] : changes.timers) group.rows.timers[id] = std::move(t);
  for (auto& entry : changes.audit) group.rows.audit.push_back(std::move(entry));
  for (auto& n : changes.outbox) group.rows.outbox.push_back(std::move(n));
  for (const auto& command : commands) {
    group.by_key[command.key] = group.commands.size();
    group.commands.push_back(command);
  }
  ++group.steps;
  return defer_ ? Status::ok() : flush();
}

Status Engine::flush() {
  // Waits for the group before, then writes this one on this thread (it would only wait for the
  // writer's); then answers both.
  Status handed = advance(true, /*here=*/true);
  Status written = advance(false);
  if (!handed.is_ok()) return handed;
  return written.is_ok() ? broken_ : written;
}

Status Engine::hand_over() { return advance(true); }

void Engine::settle() {
  // A retry of a command in the group in flight, or a refusal resting on what that group did,
  // would otherwise be answered before the group is on disk, and it may yet fail.
  if (!defer_ && in_flight_) (void)advance(false);
}

void Engine::collect() {
  if (in_flight_ && !writer_->written()) return;
  if (in_flight_ || group_->steps > 0) (void)advance(true);
}

bool Engine::in_flight() const { return in_flight_ != nullptr; }

void Engine::on_written(std::function<void()> wake) {
  woken_ = wake != nullptr;
  writer_->on_written(std::move(wake));
}

Status Engine::advance(bool hand_waiting, bool here) {
  Status outcome = Status::ok();
  std::unique_ptr<CommitGroup> previous = take_in_flight(outcome);
  std::unique_ptr<CommitGroup> undone;
  Status undone_outcome = outcome;
  if (!outcome.is_ok()) {
    undone = undo_after(outcome);
  } else if (hand_waiting && group_->steps > 0) {
    undone_outcome = hand(here);
    if (!undone_outcome.is_ok()) undone = undo_after(undone_outcome);  // the waiting group itself
  }
  // The callers in the order their commands were given: the group before first. A host's
  // callback that throws does not keep the callers after it waiting: its exception comes out
  // once every caller has been answered.
  std::exception_ptr thrown;
  if (previous) answer(*previous, outcome, thrown);
  if (undone) answer(*undone, undone_outcome, thrown);
  if (thrown) std::rethrow_exception(thrown);
  return outcome.is_ok() ? undone_outcome : outcome;
}

Status Engine::hand(bool here) {
  CommitGroup& group = *group_;
  store::RowBatch batch;
  try {
    batch.cases.reserve(group.running.size() + group.ended.size());
    for (CaseId id : group.running) {
      if (const runtime::Instance* c = runtime_.find_case(id)) batch.cases.push_back(store::case_row_of(*c));
    }
    for (const auto& [id, c] : group.ended) batch.cases.push_back(store::case_row_of(c));
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, fmt::format("the store did not accept the step: {}", e.what()));
  }
  batch.rows = std::move(group.rows);
  batch.commands = group.commands;
  if (here) {
    writer_->write_here(std::move(batch));
  } else {
    writer_->write(std::move(batch));
  }
  in_flight_ = std::exchange(group_, std::make_unique<CommitGroup>());
  return Status::ok();
}

std::unique_ptr<CommitGroup> Engine::take_in_flight(Status& outcome) {
  if (!in_flight_) return nullptr;
  store::Written written = writer_->take();
  std::unique_ptr<CommitGroup> group = std::move(in_flight_);
  group->rows = std::move(written.batch.rows);
  if (!written.ok()) {
    outcome = Status(StatusCode::kInternal, fmt::format("the store did not accept the step: {}", written.error));
  }
  return group;
}

std::unique_ptr<CommitGroup> Engine::undo_after(const Status& failure) {
  std::unique_ptr<CommitGroup> built_on = std::exchange(group_, std::make_unique<CommitGroup>());
  if (Status restored = restore_cases(); !restored.is_ok()) {
    broken_ = Status(StatusCode::kInternal,
                     fmt::format("{}; then the live cases could not be read back ({}): restart the engine",
                                 failure.message(), restored.message()));
  }
  return built_on;
}

void Engine::answer(CommitGroup& group, const Status& outcome, std::exception_ptr& thrown) {
  auto guarded = [&thrown](auto&& call) {
    try {
      call();
    } catch (...) {
      if (!thrown) thrown = std::current_exception();
    }
  };
  // The callers first: a host's subscriber or observer that throws must not keep them waiting.
  for (auto& done : group.waiting) guarded([&] { done(outcome); });
  if (!outcome.is_ok()) return;
  guarded([&] {
    if (observer_ != nullptr) {
      for (const auto& entry : group.rows.audit) observer_->audited(runtime::to_string(entry.kind));
    }
    for (const auto& n : group.rows.outbox) {
      for (const auto& handler : subscribers_) handler(n);
    }
  });
}

void Engine::when_durable(std::function<void(const Status&)> done) {
  if (group_->steps > 0) {
    group_->waiting.push_back(std::move(done));
  } else if (in_flight_) {
    in_flight_->waiting.push_back(std::move(done));  // it may have seen what the group in flight did
  } else {
    done(broken_);
  }
}

std::size_t Engine::waiting() const { return group_->steps; }

void Engine::observed(const char* kind, std::chrono::steady_clock::time_point started, StatusCode outcome) {
  if (observer_ == nullptr) return;
  if (group_->steps == 0) {
    observer_->command_done(kind, outcome, std::chrono::steady_clock::now() - started);
    return;
  }
  // Deferred: the command is done when its group is on disk (or failed).
  when_durable([this, kind, started, outcome](const Status& durable) {
    if (observer_ != nullptr) {
      observer_->command_done(kind, durable.is_ok() ? outcome : durable.code(), std::chrono::steady_clock::now() - started);
    }
  });
}

Result<CaseId> Engine::start_case(const std::string& process, const Json& data, const std::string& event,
                                  const std::string& key, const Actor& actor) {
  std::vector<Result<CaseId>> one = start_cases({StartRequest{process, data, event, key, actor}});
  return std::move(one.front());
}

Result<CaseId> Engine::start_one(const StartRequest& r) {
  const Json data = r.data.is_null() ? Json::object() : r.data;
  const Json args{{"process", r.process}, {"event", r.event}, {"data", data}};
  if (Status s = utf8_text(r.key, args, r.actor); !s.is_ok()) return s;
  store::CommandRecord command = keyed(r.key, "start", args, r.actor);
  if (auto previous = replay(command)) return replayed_start(*previous);
  runtime::Changes changes;
  Unapplied unless_applied(runtime_, changes, broken_);
  const Instant now = clock_->now();
  Result<CaseId> id = runtime_.start(r.process, r.event, data, now, changes, r.actor.role);
  if (id.status().code() == StatusCode::kPermissionDenied) record_refusal(0, r.actor, "start", id.status().message());
  if (!id.is_ok()) return id;
  note_data_change(changes, *id, data, now);
  stamp(changes, r.actor);
  command.result = Json{{"case", *id}};
  if (Status s = commit(changes, command); !s.is_ok()) return s;
  return id;
}

std::vector<Result<CaseId>> Engine::start_cases(const std::vector<StartRequest>& requests) {
  const auto started = std::chrono::steady_clock::now();
  settle();
  std::vector<Result<CaseId>> results;
  results.reserve(requests.size());
  {
    Deferral deferred(*this);
    for (const auto& r : requests) results.push_back(start_one(r));
  }
  if (!defer_) {
    if (Status failed = flush(); !failed.is_ok()) {
      for (auto& r : results) {
        if (r.is_ok()) r = Result<CaseId>(failed);
      }
    }
  }
  for (const auto& r : results) observed("start", started, r.status().code());
  return results;
}

template <typename Run>
Status Engine::command(const char* kind, const std::string& key, const Json& args, CaseId case_id, const Actor& actor,
                       Run run) {
  const auto started = std::chrono::steady_clock::now();
  settle();
  Status status = [&] {
    if (Status s = utf8_text(key, args, actor); !s.is_ok()) return s;
    store::CommandRecord command = keyed(key, kind, args, actor);
    if (auto previous = replay(command)) return previous->is_ok() ? status_from(**previous) : previous->status();
    runtime::Changes changes;
    Unapplied unless_applied(runtime_, changes, broken_);
    Status s = run(changes);
    if (s.code() == StatusCode::kPermissionDenied) record_refusal(case_id, actor, kind, s.message());
    if (!s.is_ok()) return s;
    command.result = status_json(s);
    stamp(changes, actor);
    return commit(changes, command);
  }();
  observed(kind, started, status.code());
  return status;
}

Status Engine::complete_task(TaskId task, const Actor& actor, const Json& outputs, const std::string& key) {
  const runtime::Task* t = runtime_.find_task(task);
  return command("complete", key, Json{{"task", task}, {"outputs", outputs}}, t != nullptr ? t->case_id : 0, actor,
                 [&](runtime::Changes& changes) {
                   return runtime_.complete(task, actor.role, outputs, clock_->now(), changes);
                 });
}

Status Engine::signal(CaseId id, const std::string& event, const Json& data, const std::string& key,
                      const Actor& actor) {
  return command("signal", key, Json{{"case", id}, {"event", event}, {"data", data}}, id, actor,
                 [&](runtime::Changes& changes) {
                   const Instant now = clock_->now();
                   Status s = runtime_.signal(id, event, data, now, changes, actor.role);
                   if (s.is_ok()) note_data_change(changes, id, data, now);
                   return s;
                 });
}

Status Engine::update_case(CaseId id, const Json& data, const std::string& key, const Actor& actor) {
  // The runtime's own entry names the fields ("case data updated"); the stamp adds who.
  return command("update", key, Json{{"case", id}, {"data", data}}, id, actor, [&](runtime::Changes& changes) {
    return runtime_.update(id, data, clock_->now(), changes);
  });
}

Status Engine::cancel_case(CaseId id, const std::string& reason, const std::string& key, const Actor& actor) {
  return command("cancel", key, Json{{"case", id}, {"reason", reason}}, id, actor, [&](runtime::Changes& changes) {
    return runtime_.cancel(id, reason, clock_->now(), changes);
  });
}

Json Engine::incidents() const {
  Json out = Json::array();
  for (const auto& [timer_id, case_id] : runtime_.incidents()) {
    const runtime::Instance& c = *runtime_.find_case(case_id);
    const runtime::Timer& t = c.timers.at(timer_id);
    out.push_back(Json{{"id", timer_id},
                       {"case", case_id},
                       {"process", c.process},
                       {"timer", t.name},
                       {"kind", runtime::to_string(t.kind)},
                       {"due", to_iso_utc(t.due.at)},
                       {"failed", t.failed_at ? Json(to_iso_utc(*t.failed_at)) : Json()},
                       {"error", t.failure},
                       {"told", runtime_.definition(c.hash)->incident_role}});
  }
  return out;
}

Status Engine::retry_incident(TimerId timer, const Actor& actor, const std::string& key) {
  Result<CaseId> case_id = runtime_.incident_case(timer);
  return command("retry incident", key, Json{{"incident", timer}}, case_id.is_ok() ? *case_id : 0, actor,
                 [&](runtime::Changes& changes) { return runtime_.retry(timer, clock_->now(), changes); });
}

Status Engine::dismiss_incident(TimerId timer, const std::string& reason, const Actor& actor, const std::string& key) {
  Result<CaseId> case_id = runtime_.incident_case(timer);
  return command("dismiss incident", key, Json{{"incident", timer}, {"reason", reason}},
                 case_id.is_ok() ? *case_id : 0, actor,
                 [&](runtime::Changes& changes) { return runtime_.dismiss(timer, reason, clock_->now(), changes); });
}

Status Engine::audit_only(CaseId id, runtime::AuditKind kind, const Json& detail, const Actor& actor) {
  runtime::Changes changes;
  try {
    changes.audit.push_back(runtime::AuditEntry{id, clock_->now(), kind, json_text(detail)});
    stamp(changes, actor);
  } catch (const Json::type_error&) {
    // An operator's name from the command line, a token holder's: not checked as a request is.
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("the audit entry '{}' holds text that is not UTF-8", runtime::to_string(kind)));
  }
  return commit(changes, std::vector<store::CommandRecord>{});
}

void Engine::record_refusal(CaseId id, const Actor& actor, const std::string& action, const std::string& reason) {
  // A refusal that cannot be audited is still refused.
  (void)audit_only(id, runtime::AuditKind::kRefused,
                   Json{{"role", actor.role}, {"action", action}, {"reason", reason}}, actor);
}

Status Engine::record(runtime::AuditKind kind, Json detail, const Actor& actor) {
  // The act (a token revoked, definitions deployed) is in the store already: its entry goes down
  // in a transaction of its own, so a failing command of a group waiting or in flight cannot
  // take it with it. What those groups did is not this entry's business: their failure is theirs.
  (void)flush();
  Status s = audit_only(0, kind, detail, actor);
  if (!s.is_ok() || !defer_) return s;
  return flush();
}

Status Engine::record_read(CaseId id, const std::string& what, const Actor& actor) {
  return audit_only(id, runtime::AuditKind::kPersonalDataRead, Json{{"what", what}}, actor);
}

Result<Engine::Purge> Engine::purge(std::optional<Instant> ended_before, const Actor& by) {
  // Art. 10 Wth: kept five years (stdlib/wth.wth: Wth.bewaartermijn), then destroyed.
  constexpr int kRetentionYears = 5;
  Duration retention{DurationKind::kCalendar, kRetentionYears * 12, 0, 0};
  Instant latest = legal_.add(clock_->now(), negate(retention), nullptr);
  if (ended_before && *ended_before > latest) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("the retention term is {} years (art. 10 Wth): only cases that ended before {} may go",
                              kRetentionYears, to_iso_utc(latest)));
  }
  if (Status s = utf8_text("", Json(), by); !s.is_ok()) return s;  // the operator named in its audit entry
  if (Status flushed = flush(); !flushed.is_ok()) return flushed;  // cases that just ended are in the store
  Instant cutoff = ended_before.value_or(latest);
  try {
    runtime::AuditEntry record{0, clock_->now(), runtime::AuditKind::kCaseDataPurged,
                               json_text(Json{{"ended_before", to_iso_utc(cutoff)},
                                              {"cite", "art. 10 Wth: data kept no longer than five years"},
                                              {"actor", by.to_json()}})};
    store::PurgeOutcome outcome = store_->purge_ended_before(cutoff, std::move(record));
    return Purge{cutoff, std::move(outcome.cases), outcome.log_emptied};
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, fmt::format("the store did not purge: {}", e.what()));
  }
}

int Engine::fire_due() {
  // Timers that are due together are fired in batches, one transaction each: a timer carries no
  // acknowledgement to wait for, and after a crash the whole batch simply fires again. Pipelined:
  // the next batch fires while the one before is written. Counted once durable.
  constexpr std::size_t kBatch = 256;
  struct Tally {
    int fired = 0;
    bool failed = false;
  };
  auto tally = std::make_shared<Tally>();
  const Instant now = clock_->now();
  // A host that defers and is woken by the writer (GroupCommit, as `termijn serve`) gets the
  // fired steps durable with its groups: waiting here for the disk would make every timer after
  // them late by an fsync. Any other host gets them durable on return, as before.
  const bool host_groups = defer_ && woken_;
  int given = 0;
  bool any = false;
  {
    Deferral deferred(*this);
    for (;;) {
      std::vector<std::pair<Instant, TimerId>> due = runtime_.due_timers(now, kBatch);
      if (due.empty()) break;
      any = true;
      std::vector<std::pair<Instant, TimerId>> fired;
      fired.reserve(due.size());
      for (const auto& [at, id] : due) {
        runtime::Changes one;
        Unapplied unless_applied(runtime_, one, broken_);
        // NotFound: an earlier timer of the batch cancelled this one.
        if (runtime_.fire(id, now, one).is_ok() &&
            commit(one, std::vector<store::CommandRecord>{}).is_ok()) {
          fired.emplace_back(at, id);
        }
      }
      if (fired.empty()) break;  // nothing fired: the store is broken, or every one was cancelled
      given += static_cast<int>(fired.size());
      const bool more = due.size() == kBatch;
      when_durable([this, tally, now, due = std::move(fired)](const Status& durable) {
        if (!durable.is_ok()) {
          tally->failed = true;  // undone, and live again: due at the next call
          return;
        }
        if (observer_ != nullptr) {
          for (const auto& [at, id] : due) observer_->timer_fired(now - at);
        }
        tally->fired += static_cast<int>(due.size());
      });
      if (host_groups && !more) break;
      (void)hand_over();
      if (tally->failed) break;  // the store is failing: stop, retry later
    }
  }
  if (!any) return 0;
  if (host_groups) {
    collect();  // handed over now, or by the writer's wake when the group in flight is written
    // A failure found meanwhile (a batch's or the group in flight's) undid them: they are due
    // again, and 0 tells the driver to pause before it tries again.
    return tally->failed ? 0 : given;
  }
  (void)flush();  // what fire_due fired is durable when it returns
  return tally->fired;
}

std::optional<Instant> Engine::next_due() const {
  auto due = runtime_.next_due();
  if (!due) return std::nullopt;
  return due->first;
}

int Engine::run_until(VirtualClock& clock, Instant until) {
  int fired = 0;
  while (auto due = next_due()) {
    if (*due > until) break;
    if (*due > clock.now()) clock.set(*due);
    int n = fire_due();
    if (n == 0) break;
    fired += n;
  }
  if (until > clock.now()) clock.set(until);
  return fired;
}

Json Engine::cases(const std::optional<std::string>& status) { return store_->cases(status); }
Json Engine::tasks(const store::TaskQuery& query) { return store_->tasks(query); }
Json Engine::timers(CaseId id) { return store_->timers(id); }
Json Engine::audit(std::optional<CaseId> id) { return store_->audit_log(id); }
Json Engine::outbox() { return store_->outbox(false); }
store::AuditCheck Engine::verify_audit() { return store_->verify_audit(); }
void Engine::subscribe(NotificationHandler handler) { subscribers_.push_back(std::move(handler)); }

}  // namespace termijn
