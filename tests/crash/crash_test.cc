// Crash test: a worker process runs a load of cases and is killed with SIGKILL at 200 random
// moments. After each kill the database must hold every command the worker saw acknowledged, the
// audit chain must verify, and no timer may have fired twice. At the end, run to completion:
// every timer that fell due fired exactly once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "engine/store/sqlite.h"
#include "engine/store/store.h"

namespace termijn {
namespace {

struct WorkerRun {
  std::vector<std::string> acked;
  bool done = false;
};

// Starts the worker; kills it after `kill_after_acks` acknowledgements plus a random delay,
// or lets it finish when kill_after_acks < 0.
WorkerRun run_worker(const std::string& db, int from, int to, int kill_after_acks, int delay_us) {
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    std::string f = std::to_string(from), t = std::to_string(to);
    execl(TERMIJN_CRASH_WORKER, TERMIJN_CRASH_WORKER, db.c_str(), TERMIJN_PROCESSES, TERMIJN_STDLIB_DIR, f.c_str(),
          t.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  WorkerRun run;
  FILE* in = fdopen(out[0], "r");
  char line[256];
  while (std::fgets(line, sizeof line, in) != nullptr) {
    std::string text(line);
    if (text.rfind("ACK ", 0) == 0) run.acked.push_back(text.substr(4, text.size() - 5));
    if (text.rfind("DONE", 0) == 0) run.done = true;
    if (kill_after_acks >= 0 && static_cast<int>(run.acked.size()) >= kill_after_acks) {
      std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
      kill(pid, SIGKILL);
      break;
    }
  }
  fclose(in);
  int status = 0;
  waitpid(pid, &status, 0);
  return run;
}

// Timer id -> how often the audit says it fired, read incrementally: each update reads only the
// entries committed since the last one, so that checking after every kill stays linear in the
// log's length (a kill cannot add entries before those already read: sequence numbers only grow).
class Firings {
 public:
  const std::map<std::int64_t, int>& update(const std::string& db) {
    store::Database raw(db);
    store::Statement s(raw.handle(),
                       "SELECT seq, detail FROM audit WHERE seq > ? "
                       "AND kind IN ('timer fired', 'escalated', 'incident opened') ORDER BY seq");
    s.bind(1, last_seq_);
    while (s.step()) {
      last_seq_ = s.integer(0);
      ++count_[nlohmann::json::parse(s.text(1)).at("timer_id").get<std::int64_t>()];
    }
    return count_;
  }

 private:
  std::int64_t last_seq_ = 0;
  std::map<std::int64_t, int> count_;
};

// The audit chain, verified from the last entry checked before (which links the new ones to it).
class AuditChain {
 public:
  store::AuditCheck verify(store::Store& store, const std::string& db) {
    store::Database raw(db);
    std::int64_t last = raw.scalar("SELECT COALESCE(MAX(seq), 0) FROM audit");
    store::AuditCheck check = store.verify_audit_tail(last - verified_ + 1);
    verified_ = std::max<std::int64_t>(1, last);
    return check;
  }

 private:
  std::int64_t verified_ = 1;
};

TEST(Crash, KilledAt200RandomMomentsLosesNothingAndFiresNothingTwice) {
  // The process id keeps concurrent runs (two build trees testing at once) apart.
  const std::string db =
      (std::filesystem::temp_directory_path() / ("termijn-crash-test-" + std::to_string(getpid()) + ".db")).string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  std::mt19937 random(20261128);
  const int kKills = 200;
  const int kIterations = 400;
  std::set<std::string> acknowledged;
  int progress = 0;  // iterations certainly started before the last kill
  int kills = 0;
  Firings firings;
  AuditChain chain;
  for (; kills < kKills && progress < kIterations; ++kills) {
    int kill_after = std::uniform_int_distribution<int>(1, 12)(random);
    int delay = std::uniform_int_distribution<int>(0, 3000)(random);
    WorkerRun run = run_worker(db, progress, kIterations, kill_after, delay);
    for (const auto& key : run.acked) {
      acknowledged.insert(key);
      if (key.rfind("start-", 0) == 0) progress = std::max(progress, std::stoi(key.substr(6)));
    }
    store::Store store(db);
    for (const auto& key : run.acked) {
      ASSERT_TRUE(store.command_result(key).has_value()) << "acknowledged " << key << " is lost after kill " << kills;
    }
    store::AuditCheck check = chain.verify(store, db);
    ASSERT_TRUE(check.ok) << check.problem << " after kill " << kills;
    for (const auto& [timer, n] : firings.update(db)) ASSERT_EQ(n, 1) << "timer " << timer << " fired twice";
  }
  EXPECT_EQ(kills, kKills);
  // Finally let it run to the end, then check every acknowledged command and every timer.
  WorkerRun last = run_worker(db, progress, kIterations, -1, 0);
  ASSERT_TRUE(last.done);
  store::Store store(db);
  for (const auto& key : acknowledged) EXPECT_TRUE(store.command_result(key).has_value()) << key;
  EXPECT_TRUE(store.verify_audit().ok) << "the whole chain, once more";
  auto fired = firings.update(db);
  for (const auto& [timer, n] : fired) EXPECT_EQ(n, 1) << "timer " << timer;
  // Every timer that was due by the end fired exactly once; none is left pending in the past.
  const Instant end = *parse_instant("2026-10-20 08:00") + std::chrono::minutes(90) * kIterations;
  store::Database raw(db);
  store::Statement pending(raw.handle(), "SELECT COUNT(*) FROM timers WHERE status = 'pending' AND due_at <= ?");
  pending.bind(1, to_millis(end));
  ASSERT_TRUE(pending.step());
  EXPECT_EQ(pending.integer(0), 0);
  store::Statement fired_rows(raw.handle(), "SELECT id FROM timers WHERE status = 'fired'");
  int fired_count = 0;
  while (fired_rows.step()) {
    ++fired_count;
    EXPECT_EQ(fired.count(fired_rows.integer(0)), 1u) << "timer " << fired_rows.integer(0) << " fired without audit";
  }
  EXPECT_GT(fired_count, 100) << "the load should make escalations fall due";
  RecordProperty("kills", kills);
  RecordProperty("acknowledged", static_cast<int>(acknowledged.size()));
  RecordProperty("timers_fired", fired_count);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
}

}  // namespace
}  // namespace termijn
