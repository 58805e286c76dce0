// termijn::Engine: the engine for embedding. No globals: the host brings the store path and the
// clock. Every command is applied atomically and acknowledged only once it is on disk; a command
// with an idempotency key that was already applied returns the first answer and changes nothing.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/base/status.h"
#include "engine/clock/clock.h"
#include "engine/runtime/runtime.h"
#include "engine/store/store.h"

namespace termijn {

using runtime::CaseId;
using runtime::Json;
using runtime::TaskId;
using runtime::TimerId;

struct EngineOptions {
  std::string store_path;
  Clock* clock = nullptr;  // required; the engine never reads the system clock itself
  std::vector<std::filesystem::path> stdlib_dirs;
  // false: commits are not synced to disk. Survives a crash of the process, not of the machine;
  // for benchmarks that separate the engine's cost from the disk's.
  bool durable = true;
};

struct DeployedProcess {
  std::string name;
  int version = 0;
  std::string hash;
  bool is_new = false;  // false when this exact definition was deployed before
};

struct DeployResult {
  DiagnosticList diagnostics;
  std::vector<std::string> unreadable;
  std::vector<DeployedProcess> deployed;
  bool ok() const { return unreadable.empty() && !diagnostics.has_errors(); }
};

using NotificationHandler = std::function<void(const runtime::Notification&)>;

class Engine {
 public:
  // Opens or creates the store, reloads deployed definitions and running cases. Timers that fell
  // due while the engine was down fire on the next fire_due(), each recorded with how late it was.
  static Result<std::unique_ptr<Engine>> open(EngineOptions options);

  // Checks and deploys every process in the files or folders; nothing is deployed when any has
  // errors. Running cases stay on the definition they started with.
  DeployResult deploy(const std::vector<std::string>& paths);
  // The same from texts in memory (an API upload): `files` maps each path to its text; imports
  // between them resolve by those paths, `import name` from the stdlib folders.
  DeployResult deploy_sources(const std::map<std::string, std::string>& files);

  // `role`: who is acting. Empty is the host itself with full authority; a role is held to what
  // the process allows it (task roles, `events x by ...`), and a refusal is audited.
  Result<CaseId> start_case(const std::string& process, const Json& data, const std::string& event = "",
                            const std::string& key = "", const std::string& role = "");
  // Many cases at once, committed together (a host importing cases, or a batch from its queue):
  // one transaction, so one wait for the disk. Each request succeeds or fails on its own.
  struct StartRequest {
    std::string process;
    Json data = Json::object();
    std::string event;
    std::string key;
    std::string role;
  };
  std::vector<Result<CaseId>> start_cases(const std::vector<StartRequest>& requests);

  Status complete_task(TaskId task, const std::string& role, const Json& outputs = Json::object(),
                       const std::string& key = "");
  Status signal(CaseId id, const std::string& event, const Json& data = Json::object(), const std::string& key = "",
                const std::string& role = "");
  Status update_case(CaseId id, const Json& data, const std::string& key = "");
  Status cancel_case(CaseId id, const std::string& reason, const std::string& key = "");

  // Fires every timer that is due at the clock's now, earliest first; returns how many fired.
  int fire_due();
  std::optional<Instant> next_due() const;
  // Virtual time: sets `clock` to each due instant up to `until`, firing as it goes, and leaves
  // it at `until`.
  int run_until(VirtualClock& clock, Instant until);

  Json cases(const std::optional<std::string>& status = std::nullopt);
  Json tasks(const store::TaskQuery& query);
  Json timers(CaseId id);
  Json audit(std::optional<CaseId> id = std::nullopt);
  Json outbox();
  store::AuditCheck verify_audit();

  // Retention (art. 10 Wth): destroys the data of every case that ended more than five years
  // ago (or before `ended_before`, which may not be later than that), leaving an audit entry
  // naming the cases, `by` whom and why.
  struct Purge {
    Instant ended_before;
    std::vector<CaseId> cases;
  };
  Result<Purge> purge(std::optional<Instant> ended_before, const std::string& by);

  // Audits a refusal decided outside the engine (an API caller without the right role).
  void record_refusal(CaseId id, const std::string& role, const std::string& action, const std::string& reason);

  // Called for every notification once the step that sent it is committed.
  void subscribe(NotificationHandler handler);

  const runtime::Runtime& runtime() const { return runtime_; }
  Instant now() const { return clock_->now(); }
  const LegalTime& legal() const { return legal_; }
  // For the layers beside the engine that keep their own rows (API tokens, delivery cursors).
  store::Store& store() { return *store_; }

 private:
  Engine(EngineOptions options, std::unique_ptr<store::Store> store);
  Status recover();
  // Commits `changes` (with the command's key) and makes them live. Returns the failure if the
  // store refused; then nothing changed.
  Status commit(runtime::Changes& changes, const std::string& key, const std::string& kind, const Json& result);
  Status commit(runtime::Changes& changes, const std::vector<store::CommandRecord>& commands);
  std::optional<Json> replay(const std::string& key);
  DeployResult deploy(struct Compilation&& compilation);
  // A command: replayed if its key was seen, else run on copies and committed; a permission
  // refusal is audited against `case_id`.
  template <typename Run>
  Status command(const char* kind, const std::string& key, CaseId case_id, const std::string& role, Run run);

  EngineOptions options_;
  Clock* clock_;
  LegalTime legal_;
  std::unique_ptr<store::Store> store_;
  runtime::Runtime runtime_;
  std::vector<NotificationHandler> subscribers_;
};

}  // namespace termijn
