// termijn::Engine: the engine for embedding. No globals: the host brings the store path and the
// clock. Every command is applied atomically and acknowledged only once it is on disk; a command
// with an idempotency key that was already applied returns the first answer and changes nothing.
//
// Group commit: a command's effects are live at once (the next command sees them) and go to disk
// with the others of its group in one transaction, so many commands share one wait for the disk.
// By default each command is its own group: it returns once it is on disk. A host that gives many
// commands at once defers (defer_commits, submit), acknowledges each only from when_durable, and
// calls flush() when it has given what it has. If a commit fails, every command of its group is
// undone: the engine forgets its live cases and restores them from the store.
//
// Pipelined: a writer thread with a connection of its own (store/writer.h) runs the SQLite
// statements and waits for the disk. hand_over() gives it the waiting group and returns, and the
// engine goes on with the next group; one group is in flight at a time. A failed group fails the
// group built on it too (its commands saw the failed group's effects), then the live cases are
// read back from the store. flush() hands over and waits, as before.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/base/status.h"
#include "engine/clock/clock.h"
#include "engine/driver/compilation.h"
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
  // On open the store runs SQLite's quick_check; true: the full integrity_check (slower).
  bool full_integrity_check = false;
  // A keyed database's audit key: a file only its owner can read, kept outside the database
  // (store/audit_chain.h). Empty: the database must not be keyed.
  std::string audit_key_file = {};
};

struct DeployedProcess {
  std::string name;
  int version = 0;
  std::string hash;
  bool is_new = false;  // false when this exact definition was deployed before
  // SHA-256 of the standard library modules it was compiled against (name and text of each).
  std::string stdlib_hash;
};

struct DeployResult {
  DiagnosticList diagnostics;
  std::vector<std::string> unreadable;
  std::vector<DeployedProcess> deployed;
  bool ok() const { return unreadable.empty() && !diagnostics.has_errors(); }
};

using NotificationHandler = std::function<void(const runtime::Notification&)>;

// Told what the engine did, for a host's metrics (engine/api/http/monitor.h); called on the
// engine's thread. Durations are wall time (steady clock), also when the engine runs on a
// virtual clock: they measure the engine, not the case.
class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  // A command was answered: its kind ("start", "complete", "signal", "update", "cancel",
  // "retry incident", "dismiss incident", "deploy"), its outcome and how long it took until it
  // was on disk. A start in a batch, or a command in a group (group commit), counts the time
  // until its batch or group was committed.
  virtual void command_done(std::string_view kind, StatusCode outcome, std::chrono::duration<double> took) = 0;
  // A timer fired `late` after it fell due (in the engine's time).
  virtual void timer_fired(std::chrono::duration<double> late) = 0;
  // An audit entry of `kind` ("escalated", "incident opened", ...) was committed.
  virtual void audited(std::string_view kind) = 0;
};

// Who gives a command: a process role held to what the process allows it, and the person or
// system behind it (an API token's holder and organisation; never the token). The engine stamps
// it on every audit entry the command makes. An empty role is the host itself, with full
// authority: only code that embeds the engine acts as the host, never a caller over HTTP.
struct Actor {
  std::string role;
  std::string name;
  std::string organisation;

  Actor() = default;
  // Implicit, so a host that passes a role keeps compiling.
  Actor(std::string role_name) : role(std::move(role_name)) {}  // NOLINT(google-explicit-constructor)
  Actor(const char* role_name) : role(role_name) {}             // NOLINT(google-explicit-constructor)
  Actor(std::string role_name, std::string holder, std::string holder_organisation)
      : role(std::move(role_name)), name(std::move(holder)), organisation(std::move(holder_organisation)) {}
  // The host, named for the audit log (an operator at the command line).
  static Actor host(std::string name, std::string organisation = "") {
    return Actor("", std::move(name), std::move(organisation));
  }

  bool is_host() const { return role.empty(); }
  Json to_json() const;
};

// The commands applied since the last flush, waiting for one transaction (engine.cc).
struct CommitGroup;
namespace store {
class Writer;
}

class Engine {
 public:
  ~Engine();
  // Opens or creates the store, reloads deployed definitions and running cases. Timers that fell
  // due while the engine was down fire on the next fire_due(), each recorded with how late it was.
  static Result<std::unique_ptr<Engine>> open(EngineOptions options);

  // Checks and deploys every process in the files or folders; nothing is deployed when any has
  // errors. Running cases stay on the definition they started with. Every deploy is audited.
  DeployResult deploy(const std::vector<std::string>& paths, const Actor& actor = {});
  // The same from texts in memory (an API upload): `files` maps each path to its text; imports
  // between them resolve by those paths, `import name` from the stdlib folders.
  DeployResult deploy_sources(const std::map<std::string, std::string>& files, const Actor& actor = {});
  // deploy_sources in two steps, so a host can compile off the engine's thread: compile_sources
  // only reads the texts and the stdlib folders and may run on any thread (one at a time);
  // commit_deploy stores and activates the result on the engine's thread.
  Compilation compile_sources(const std::map<std::string, std::string>& files) const;
  DeployResult commit_deploy(Compilation&& compilation, const Actor& actor = {});

  // `actor`: who is acting (see Actor). A role is held to what the process allows it (task roles,
  // `events x by ...`), and a refusal is audited. `key`: an idempotency key, bound to the command
  // it was first used for: a retry of that command gets the first answer, another command with
  // the same key is refused (InvalidArgument).
  Result<CaseId> start_case(const std::string& process, const Json& data, const std::string& event = "",
                            const std::string& key = "", const Actor& actor = {});
  // Many cases at once, committed together (a host importing cases, or a batch from its queue):
  // one transaction, so one wait for the disk. Each request succeeds or fails on its own.
  struct StartRequest {
    std::string process;
    Json data = Json::object();
    std::string event;
    std::string key;
    Actor actor;
  };
  std::vector<Result<CaseId>> start_cases(const std::vector<StartRequest>& requests);

  Status complete_task(TaskId task, const Actor& actor, const Json& outputs = Json::object(),
                       const std::string& key = "");
  Status signal(CaseId id, const std::string& event, const Json& data = Json::object(), const std::string& key = "",
                const Actor& actor = {});
  Status update_case(CaseId id, const Json& data, const std::string& key = "", const Actor& actor = {});
  Status cancel_case(CaseId id, const std::string& reason, const std::string& key = "", const Actor& actor = {});

  // Incidents: timers whose consequence could not be computed when they fell due (a value the
  // process needs is missing). Each is held, audited and told to its process's incident role
  // until a person retries it (after fixing the cause: updating the case data, deploying a fix)
  // or dismisses it with a reason. The incident's id is its timer's.
  Json incidents() const;
  // Fires the incident's timer now, exactly once; if it still fails, refused (FailedPrecondition,
  // with the reason) and nothing changes.
  Status retry_incident(TimerId timer, const Actor& actor, const std::string& key = "");
  // The timer will not fire: cancelled by a person's decision, kept in the audit with `reason`.
  Status dismiss_incident(TimerId timer, const std::string& reason, const Actor& actor, const std::string& key = "");

  // Fires every timer that is due at the clock's now, earliest first; returns how many fired,
  // durably. A host that defers and is woken by the writer (on_written, as GroupCommit) gets them
  // as it gets its commands: fire_due hands them over without waiting for the disk (collect())
  // and returns how many it fired, or 0 when a failure it met undid them; should their group
  // fail later, they are live again, due at once (when_durable tells the host).
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
    // false: a reader kept the write-ahead log, which may still hold purged pages; purge again.
    bool log_emptied = true;
  };
  Result<Purge> purge(std::optional<Instant> ended_before, const Actor& by);

  // Audits a refusal decided outside the engine (an API caller without the right role).
  void record_refusal(CaseId id, const Actor& actor, const std::string& action, const std::string& reason);
  // Audits an act outside any case that the host performs beside the engine (a token issued or
  // revoked), committed before it returns even when deferring (the act itself is already in the
  // store). Returns the store's failure, if any.
  Status record(runtime::AuditKind kind, Json detail, const Actor& actor);
  // Audits that `actor` was shown case `id`'s personal data (`what`: its data, its timeline with
  // outputs, its deadlines' explanations), so the log says who saw what, not only who did what.
  // A read that cannot be audited must not be answered: the caller gets the store's failure.
  Status record_read(CaseId id, const std::string& what, const Actor& actor);

  // Group commit (see the top of this file). Deferred, a command returns at once with its
  // answer, which is provisional until when_durable says its group is on disk.
  void defer_commits(bool defer) { defer_ = defer; }
  bool deferring() const { return defer_; }
  // Calls `done` once everything applied so far is on disk: at once when nothing waits, else at
  // the next flush(), with ok or with the store's failure (then all of it was undone).
  void when_durable(std::function<void(const Status&)> done);
  // Commits everything waiting in one transaction, then calls the when_durable callbacks (which
  // may give new commands: they wait for the next flush). Returns the store's failure, if any.
  Status flush();
  // Pipelined (see the top of this file): waits for the group in flight, if any; hands the
  // waiting group to the writer thread; then calls the callbacks of the group that was in flight,
  // whose new commands make the next group while this one is written. If the group in flight
  // failed, the waiting group fails with it and is not handed over. Returns that failure.
  Status hand_over();
  // The same without waiting: when the group in flight is written already, or nothing is in
  // flight and commands wait; nothing when the group in flight is still being written.
  void collect();
  // A group is with the writer, not yet collected.
  bool in_flight() const;
  // `wake` is called on the writer's thread whenever it has written a group (nullptr: nothing):
  // a host posts collect() to the engine's thread. It must not call the engine, nor wait for the
  // engine's thread.
  void on_written(std::function<void()> wake);
  // How many commands (and fired timers) wait for the next flush.
  std::size_t waiting() const;
  // How many steps were given since the engine opened (refused ones too, when the store is
  // broken): a caller that compares two counts learns whether anything it did between them may
  // still wait for the disk, or failed to reach it.
  std::uint64_t steps_given() const { return steps_given_; }
  // Runs `command` deferred and calls `done` with its answer once it is durable (the store's
  // failure instead, if its group failed). `Answer` is Status or Result<T>.
  // A refusal is replaced too: it may rest on what the failed group did (a case it ended).
  template <typename Answer>
  void submit(const std::function<Answer()>& command, std::function<void(Answer)> done) {
    Answer answer = [&] {
      Deferral deferred(*this);
      return command();
    }();
    when_durable([answer = std::move(answer), done = std::move(done)](const Status& durable) mutable {
      if (!durable.is_ok()) answer = Answer(durable);
      done(std::move(answer));
    });
  }

  // Called for every notification once the step that sent it is committed.
  void subscribe(NotificationHandler handler);
  // One observer at a time (nullptr: none); it must outlive the engine or be unset first.
  void observe(EngineObserver* observer) { observer_ = observer; }

  const runtime::Runtime& runtime() const { return runtime_; }
  Instant now() const { return clock_->now(); }
  const LegalTime& legal() const { return legal_; }
  // For the layers beside the engine that keep their own rows (API tokens, delivery cursors).
  store::Store& store() { return *store_; }

 private:
  // Defers while it lives, then puts back what was, also when an exception passes.
  class Deferral {
   public:
    explicit Deferral(Engine& engine) : engine_(engine), was_(engine.defer_) { engine_.defer_ = true; }
    ~Deferral() { engine_.defer_ = was_; }
    Deferral(const Deferral&) = delete;
    Deferral& operator=(const Deferral&) = delete;

   private:
    Engine& engine_;
    bool was_;
  };

  Engine(EngineOptions options, std::unique_ptr<store::Store> store, std::unique_ptr<store::Writer> writer);
  Status recover();
  // Makes `changes` live and adds them (with the command's key) to the waiting group; unless
  // deferring, commits the group. Returns the failure if the store refused; then nothing changed.
  Status commit(runtime::Changes& changes, const store::CommandRecord& command);
  Status commit(runtime::Changes& changes, const std::vector<store::CommandRecord>& commands);
  // After a failed commit: the live cases as the store has them.
  Status restore_cases();
  // Collects the group in flight, if any, waiting for it; hands the waiting group over if
  // `hand_waiting` and all went well (`here`: writes it on this thread); answers both. Returns
  // the failure, if any.
  Status advance(bool hand_waiting, bool here = false);
  // Serialises the waiting group and gives it to the writer, so it is in flight (`here`: written
  // on this thread before it returns, to be collected as if the writer had); the failure if it
  // could not be serialised (then it still waits).
  Status hand(bool here);
  // The group in flight back from the writer (waiting for it), and its outcome.
  std::unique_ptr<CommitGroup> take_in_flight(Status& outcome);
  // After a failure: the waiting group is undone with the failed one, and the live cases are
  // read back. Returns the waiting group, to be answered with the failure.
  std::unique_ptr<CommitGroup> undo_after(const Status& failure);
  // Calls a group's callbacks with its outcome; once durable, tells its audit entries to the
  // observer and its notifications to the subscribers.
  // A callback, observer or subscriber that throws does not stop the rest: the first exception
  // is kept in `thrown`.
  void answer(CommitGroup& group, const Status& outcome, std::exception_ptr& thrown);
  // Not deferring: waits for the group in flight, if any, so a command's answer never rests on a
  // group that is not on disk yet.
  void settle();
  // The first answer to `command` if its key was used before; an InvalidArgument status when
  // the key was used for another command; nothing when the key is new (or empty).
  std::optional<Result<Json>> replay(const store::CommandRecord& command);
  DeployResult deploy(Compilation&& compilation);
  // One start of a batch: replayed, refused, or applied and waiting for the flush.
  Result<CaseId> start_one(const StartRequest& request);
  // A command: replayed if its key was seen, else run (in place) and committed; a permission
  // refusal is audited against `case_id`. `args` identify the command for its idempotency key.
  template <typename Run>
  Status command(const char* kind, const std::string& key, const Json& args, CaseId case_id, const Actor& actor,
                 Run run);
  // Commits one audit entry, stamped with `actor`, and nothing else.
  Status audit_only(CaseId id, runtime::AuditKind kind, const Json& detail, const Actor& actor);
  // Tells the observer, if any, that a command of `kind` started at `started` ended with `outcome`:
  // at once, or (deferred) once its group is on disk, with the store's failure if that failed.
  void observed(const char* kind, std::chrono::steady_clock::time_point started, StatusCode outcome);

  EngineOptions options_;
  Clock* clock_;
  LegalTime legal_;
  std::unique_ptr<store::Store> store_;
  runtime::Runtime runtime_;
  std::vector<NotificationHandler> subscribers_;
  EngineObserver* observer_ = nullptr;
  bool defer_ = false;
  std::uint64_t steps_given_ = 0;
  bool woken_ = false;  // on_written has a wake
  std::unique_ptr<CommitGroup> group_;      // waiting; never null
  std::unique_ptr<CommitGroup> in_flight_;  // its rows with the writer; null when none
  std::unique_ptr<store::Writer> writer_;
  // Set when the live state could not be restored after a failed commit: every later command
  // gets it, as the engine no longer knows what is on disk.
  Status broken_ = Status::ok();
};

}  // namespace termijn
