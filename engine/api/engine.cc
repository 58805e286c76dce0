#include "engine/api/engine.h"

#include "engine/time/instant.h"

#include <fmt/format.h>

#include "engine/checker/checker.h"
#include "engine/driver/compilation.h"

namespace termijn {

namespace {

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

}  // namespace

Engine::Engine(EngineOptions options, std::unique_ptr<store::Store> store)
    : options_(std::move(options)), clock_(options_.clock), store_(std::move(store)), runtime_(legal_) {}

Result<std::unique_ptr<Engine>> Engine::open(EngineOptions options) {
  if (options.clock == nullptr) return Status(StatusCode::kInvalidArgument, "the engine needs a clock");
  std::unique_ptr<store::Store> store;
  try {
    store = std::make_unique<store::Store>(options.store_path, options.durable);
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, e.what());
  }
  std::unique_ptr<Engine> engine(new Engine(std::move(options), std::move(store)));
  if (Status s = engine->recover(); !s.is_ok()) return s;
  return engine;
}

Status Engine::recover() {
  try {
    for (const auto& d : store_->definitions()) {
      ProgramLoader loader(options_.stdlib_dirs);
      std::map<std::string, std::string> sources = d.sources.get<std::map<std::string, std::string>>();
      loader.use_sources(sources);
      DiagnosticList diagnostics;
      // The definition's own file is recorded first under "root".
      const std::string root = d.sources.value("__root__", std::string());
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

DeployResult Engine::deploy(const std::vector<std::string>& paths) {
  return deploy(compile_paths(paths, options_.stdlib_dirs));
}

DeployResult Engine::deploy_sources(const std::map<std::string, std::string>& files) {
  return deploy(compile_sources(files, options_.stdlib_dirs));
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
      // Everything this file can see, so the definition can be recompiled exactly as deployed.
      Json sources = Json::object();
      for (int visible : c.program.visible[f]) {
        const auto& src = c.program.files[visible].source;
        sources[src->path()] = src->text();
      }
      sources["__root__"] = file.source->path();
      bool is_new = runtime_.definition((*shared)->hash) == nullptr;
      store_->save_definition(store::StoredDefinition{(*shared)->hash, (*shared)->name, (*shared)->version, sources},
                              clock_->now());
      runtime_.add_definition(*shared);
      result.deployed.push_back(DeployedProcess{(*shared)->name, (*shared)->version, (*shared)->hash, is_new});
    }
  }
  return result;
}

std::optional<Json> Engine::replay(const std::string& key) {
  if (key.empty()) return std::nullopt;
  return store_->command_result(key);
}

Status Engine::commit(runtime::Changes& changes, const std::string& key, const std::string& kind, const Json& result) {
  std::vector<store::CommandRecord> command;
  if (!key.empty()) command.push_back(store::CommandRecord{key, kind, result});
  return commit(changes, command);
}

Status Engine::commit(runtime::Changes& changes, const std::vector<store::CommandRecord>& commands) {
  try {
    store_->commit(changes, commands);
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, fmt::format("the store did not accept the step: {}", e.what()));
  }
  runtime_.apply(changes);
  for (const auto& n : changes.outbox) {
    for (const auto& handler : subscribers_) handler(n);
  }
  return Status::ok();
}

Result<CaseId> Engine::start_case(const std::string& process, const Json& data, const std::string& event,
                                  const std::string& key, const std::string& role) {
  if (auto previous = replay(key)) {
    if (previous->contains("case")) return previous->at("case").get<CaseId>();
    return status_from(*previous);
  }
  runtime::Changes changes;
  Result<CaseId> id =
      runtime_.start(process, event, data.is_null() ? Json::object() : data, clock_->now(), changes, role);
  if (id.status().code() == StatusCode::kPermissionDenied) record_refusal(0, role, "start", id.status().message());
  if (!id.is_ok()) return id;
  if (Status s = commit(changes, key, "start", Json{{"case", *id}}); !s.is_ok()) return s;
  return id;
}

std::vector<Result<CaseId>> Engine::start_cases(const std::vector<StartRequest>& requests) {
  std::vector<Result<CaseId>> results;
  results.reserve(requests.size());
  runtime::Changes batch;
  std::vector<store::CommandRecord> keys;
  for (const auto& r : requests) {
    if (auto previous = replay(r.key)) {
      results.emplace_back(previous->contains("case") ? Result<CaseId>(previous->at("case").get<CaseId>())
                                                      : Result<CaseId>(status_from(*previous)));
      continue;
    }
    runtime::Changes one;
    Result<CaseId> id =
        runtime_.start(r.process, r.event, r.data.is_null() ? Json::object() : r.data, clock_->now(), one, r.role);
    if (id.is_ok()) {
      runtime::merge(batch, std::move(one));
      if (!r.key.empty()) keys.push_back(store::CommandRecord{r.key, "start", Json{{"case", *id}}});
    }
    results.push_back(std::move(id));
  }
  if (Status failed = commit(batch, keys); !failed.is_ok()) {
    for (auto& r : results) {
      if (r.is_ok()) r = Result<CaseId>(failed);
    }
  }
  return results;
}

template <typename Run>
Status Engine::command(const char* kind, const std::string& key, CaseId case_id, const std::string& role, Run run) {
  if (auto previous = replay(key)) return status_from(*previous);
  runtime::Changes changes;
  Status status = run(changes);
  if (status.code() == StatusCode::kPermissionDenied) record_refusal(case_id, role, kind, status.message());
  if (!status.is_ok()) return status;
  return commit(changes, key, kind, status_json(status));
}

Status Engine::complete_task(TaskId task, const std::string& role, const Json& outputs, const std::string& key) {
  const runtime::Task* t = runtime_.find_task(task);
  return command("complete", key, t != nullptr ? t->case_id : 0, role, [&](runtime::Changes& changes) {
    return runtime_.complete(task, role, outputs, clock_->now(), changes);
  });
}

Status Engine::signal(CaseId id, const std::string& event, const Json& data, const std::string& key,
                      const std::string& role) {
  return command("signal", key, id, role, [&](runtime::Changes& changes) {
    return runtime_.signal(id, event, data, clock_->now(), changes, role);
  });
}

Status Engine::update_case(CaseId id, const Json& data, const std::string& key) {
  return command("update", key, id, "", [&](runtime::Changes& changes) {
    return runtime_.update(id, data, clock_->now(), changes);
  });
}

Status Engine::cancel_case(CaseId id, const std::string& reason, const std::string& key) {
  return command("cancel", key, id, "", [&](runtime::Changes& changes) {
    return runtime_.cancel(id, reason, clock_->now(), changes);
  });
}

void Engine::record_refusal(CaseId id, const std::string& role, const std::string& action, const std::string& reason) {
  runtime::Changes changes;
  changes.audit.push_back(runtime::AuditEntry{
      id, clock_->now(), "refused", Json{{"role", role}, {"action", action}, {"reason", reason}}});
  (void)commit(changes, "", "refused", Json());  // a refusal that cannot be audited is still refused
}

Result<Engine::Purge> Engine::purge(std::optional<Instant> ended_before, const std::string& by) {
  // Art. 10 Wth: kept five years (stdlib/wth.wth: Wth.bewaartermijn), then destroyed.
  constexpr int kRetentionYears = 5;
  Duration retention{DurationKind::kCalendar, kRetentionYears * 12, 0, 0};
  Instant latest = legal_.add(clock_->now(), negate(retention), nullptr);
  if (ended_before && *ended_before > latest) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("the retention term is {} years (art. 10 Wth): only cases that ended before {} may go",
                              kRetentionYears, to_iso_utc(latest)));
  }
  Instant cutoff = ended_before.value_or(latest);
  runtime::AuditEntry record{0, clock_->now(), "case data purged",
                             Json{{"by", by}, {"ended_before", to_iso_utc(cutoff)},
                                  {"cite", "art. 10 Wth: data kept no longer than five years"}}};
  try {
    return Purge{cutoff, store_->purge_ended_before(cutoff, std::move(record))};
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, fmt::format("the store did not purge: {}", e.what()));
  }
}

int Engine::fire_due() {
  // Timers that are due together are fired in batches, one transaction each: a timer carries no
  // acknowledgement to wait for, and after a crash the whole batch simply fires again.
  constexpr std::size_t kBatch = 256;
  int fired = 0;
  const Instant now = clock_->now();
  for (;;) {
    std::vector<TimerId> due = runtime_.due_timers(now, kBatch);
    if (due.empty()) break;
    runtime::Changes batch;
    for (TimerId id : due) {
      runtime::Changes one;
      runtime_.fire(id, now, one, &batch);
      runtime::merge(batch, std::move(one));
    }
    if (!commit(batch, "", "timer", Json()).is_ok()) break;  // the store is failing: stop, retry later
    fired += static_cast<int>(due.size());
  }
  return fired;
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
