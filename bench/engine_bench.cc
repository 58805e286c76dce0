// Engine benchmarks. Prints figures; asserts nothing about speed.
//   build/bench/bench_engine [all|disk|start_complete|grouped|latency|lifecycle|lifecycle_grouped|lifecycle_pipelined|timers|lateness|lateness_loaded|rss|restart] [N]
// `all` runs each benchmark in a process of its own, so none starts with the memory another left
// mapped (the allocator keeps it) or behind the disk's backlog of another's checkpoints.
#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "engine/api/engine.h"
#include "engine/api/group_commit.h"
#include "engine/api/real_time.h"
#include "engine/store/sqlite.h"
#include "tests/support/rihg.h"

using namespace termijn;
using Clock_ = std::chrono::steady_clock;

namespace {

const std::string kRoot = TERMIJN_SOURCE_DIR;

void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

// The databases a benchmark made go when its process ends: a gigabyte of a million timers left
// behind would still be written back by the kernel while the next benchmark waits for its fsyncs.
struct MadeDatabases {
  std::vector<std::string> paths;
  ~MadeDatabases() {
    for (const auto& path : paths) remove_db(path);
  }
} made;

std::string fresh_db(const std::string& name) {
  std::string path = (std::filesystem::temp_directory_path() / ("termijn-bench-" + std::to_string(getpid()) + "-" + name + ".db")).string();
  remove_db(path);
  made.paths.push_back(path);
  return path;
}

// TERMIJN_BENCH_NO_FSYNC=1 measures the engine without the disk's fsync.
bool durable() { return std::getenv("TERMIJN_BENCH_NO_FSYNC") == nullptr; }

std::unique_ptr<Engine> open(const std::string& db, Clock& clock) {
  auto engine = Engine::open(EngineOptions{db, &clock, {kRoot + "/stdlib"}, durable()});
  if (!engine.is_ok()) throw std::runtime_error(engine.status().message());
  auto deployed = engine.value()->deploy({kRoot + "/bench/processes", kRoot + "/processes"});
  if (!deployed.ok()) throw std::runtime_error(render(deployed.diagnostics));
  return std::move(engine.value());
}

double seconds_since(Clock_::time_point start) {
  return std::chrono::duration<double>(Clock_::now() - start).count();
}

long rss_kib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

TaskId only_task(const Engine& engine, CaseId id) {
  const runtime::Instance* c = engine.runtime().find_case(id);
  return c->tasks.begin()->first;
}

// Bulk-starts `n` cases in transactions of 5,000.
void bulk_start(Engine& engine, const std::string& process, int n, const std::function<Json(int)>& data) {
  std::vector<Engine::StartRequest> batch;
  for (int i = 0; i < n; ++i) {
    batch.push_back(Engine::StartRequest{process, data(i), "", "", ""});
    if (batch.size() == 5000 || i == n - 1) {
      for (const auto& r : engine.start_cases(batch)) {
        if (!r.is_ok()) throw std::runtime_error(r.status().message());
      }
      batch.clear();
    }
  }
}

void start_complete(int n) {
  VirtualClock clock(*parse_instant("2026-10-20 09:00"));
  auto engine = open(fresh_db("start-complete"), clock);
  auto t = Clock_::now();
  for (int i = 0; i < n; ++i) {
    Result<CaseId> id = engine->start_case("minimal", Json::object());
    if (!engine->complete_task(only_task(*engine, *id), "medewerker").is_ok()) throw std::runtime_error("complete");
  }
  double s = seconds_since(t);
  fmt::print("start->task->end, {}, one transaction per command: {} instances in {:.2f} s = {:.0f} instances/s "
             "(goal >= 20,000/s)\n", durable() ? "durable" : "NO FSYNC", n, s, n / s);
}

// One instance through group commit, as an embedding host gives it: starts a minimal case and,
// once that is acknowledged, completes its task. `acknowledged` gets each command's answer and
// when the command was given; `given` runs after each command is given, `then` after the
// completion is acknowledged. `run` must outlive the flushes that answer the instance.
struct InstanceRun {
  std::function<void(const Status&, Clock_::time_point given_at)> acknowledged;
  std::function<void()> given = [] {};
  std::function<void()> then = [] {};
};

void submit_instance(Engine& engine, const InstanceRun& run) {
  const auto t0 = Clock_::now();
  engine.submit<Result<CaseId>>([&engine] { return engine.start_case("minimal", Json::object()); },
                                [&engine, &run, t0](Result<CaseId> id) {
                                  run.acknowledged(id.status(), t0);
                                  if (!id.is_ok()) return;
                                  const TaskId task = only_task(engine, *id);
                                  const auto t1 = Clock_::now();
                                  engine.submit<Status>([&engine, task] { return engine.complete_task(task, "medewerker"); },
                                                        [&run, t1](Status s) {
                                                          run.acknowledged(s, t1);
                                                          run.then();
                                                        });
                                  run.given();
                                });
  run.given();
}

// Group commit as an embedding host uses it: `submitters` callers each start a case, wait until
// that is acknowledged (durable), complete its task, wait again, and start the next. Their
// commands go to disk together, pipelined: the submitters start in two halves, so one half's
// group is written by the writer thread while the other half's commands run.
double start_complete_grouped(int n, int submitters) {
  VirtualClock clock(*parse_instant("2026-10-20 09:00"));
  auto engine = open(fresh_db("grouped"), clock);
  int started = 0;
  int finished = 0;
  int flushes = 0;
  std::function<void()> next;
  const InstanceRun run{[](const Status& s, Clock_::time_point) {
                          if (!s.is_ok()) throw std::runtime_error(s.message());
                        },
                        [] {},
                        [&] {
                          ++finished;
                          next();
                        }};
  next = [&] {
    if (started >= n) return;
    ++started;
    submit_instance(*engine, run);
  };
  auto t = Clock_::now();
  for (int i = 0; i < submitters; ++i) {
    next();
    if (i + 1 == submitters / 2) {
      if (Status s = engine->hand_over(); !s.is_ok()) throw std::runtime_error(s.message());
      ++flushes;
    }
  }
  while (engine->waiting() > 0 || engine->in_flight()) {
    if (engine->waiting() > 0) ++flushes;  // a transaction; else only the last one collected
    if (Status s = engine->hand_over(); !s.is_ok()) throw std::runtime_error(s.message());
  }
  double s = seconds_since(t);
  fmt::print("start->task->end, {}, group commit with {} concurrent submitters: {} instances in {:.2f} s = {:.0f} "
             "instances/s, {:.1f} commands per transaction (goal >= 20,000/s)\n",
             durable() ? "durable" : "NO FSYNC", submitters, finished, s, finished / s, 2.0 * finished / flushes);
  return finished / s;
}

// Open-loop arrivals on the io_context's thread: `arrive` runs `rate` times a second for
// `seconds` from start(), whether or not the ones before were answered.
class SteadyArrivals {
 public:
  SteadyArrivals(boost::asio::io_context& io, double rate, double seconds, std::function<void()> arrive)
      : tick_(io), rate_(rate), seconds_(seconds), arrive_(std::move(arrive)) {}
  void start() {
    begin_ = Clock_::now();
    next();
  }

 private:
  void next() {
    const double elapsed = seconds_since(begin_);
    const int due = static_cast<int>(std::min(elapsed, seconds_) * rate_);
    while (issued_ < due) {
      ++issued_;
      arrive_();
    }
    if (elapsed < seconds_) {
      tick_.expires_after(std::chrono::microseconds(200));
      tick_.async_wait([this](const boost::system::error_code&) { next(); });
    }
  }
  boost::asio::steady_timer tick_;
  double rate_;
  double seconds_;
  std::function<void()> arrive_;
  Clock_::time_point begin_;
  int issued_ = 0;
};

// Latency below capacity: cases arrive at a steady rate (open loop: arrivals do not wait for
// answers) at 10 %, 50 % and 90 % of the closed-loop maximum, on an io_context with GroupCommit
// as `termijn serve` runs. Each arrival starts a case and, once that is acknowledged, completes
// its task; latency is from giving a command to its acknowledgement (durable).
void latency_below_capacity(double max_per_s) {
  VirtualClock clock(*parse_instant("2026-10-20 09:00"));
  auto engine = open(fresh_db("latency"), clock);
  boost::asio::io_context io;
  GroupCommit group(*engine, io);
  constexpr double kSeconds = 3.0;
  for (double share : {0.1, 0.5, 0.9}) {
    const double rate = share * max_per_s;
    std::vector<double> latency_ms;
    int acknowledged = 0;
    bool failed = false;
    const auto begin = Clock_::now();
    auto since = [](Clock_::time_point t0) { return std::chrono::duration<double, std::milli>(Clock_::now() - t0).count(); };
    const InstanceRun run{[&](const Status& s, Clock_::time_point given_at) {
                            latency_ms.push_back(since(given_at));
                            failed = failed || !s.is_ok();
                          },
                          [&] { group.schedule(); }, [&] { ++acknowledged; }};
    SteadyArrivals arrivals(io, rate, kSeconds, [&] { submit_instance(*engine, run); });
    arrivals.start();
    io.restart();
    io.run();
    if (failed) throw std::runtime_error("a command failed");
    std::sort(latency_ms.begin(), latency_ms.end());
    auto pct = [&](double q) { return latency_ms[static_cast<std::size_t>(q * static_cast<double>(latency_ms.size() - 1))]; };
    fmt::print("latency at {:.0f} % of capacity ({:.0f} instances/s offered, {} acknowledged in {:.1f} s): "
               "p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms per command\n",
               share * 100, rate, acknowledged, seconds_since(begin), pct(0.5), pct(0.99), latency_ms.back());
  }
}

// How the lifecycle's host commits.
enum class Commits {
  kEach,   // every command its own transaction, as the CLI gives them
  kPer64,  // deferred, one group per 64 cases' commands, handed to the writer thread while the
           // next is made (waiting for the one before)
  // deferred, as a host working its queue with group commit: after each command it collects
  // the group in flight if it is written and hands over what waits, so a group is whatever
  // came while the one before was written (at most kMaxGroup commands: then it waits)
  kWhileWriting,
};
constexpr std::size_t kMaxGroup = 4096;

// The whole national course per case on the virtual clock; every timer batch its own group.
void lifecycle(int n, Commits commits) {
  VirtualClock clock(*parse_instant("2026-10-20 09:00"));
  auto engine = open(fresh_db("lifecycle"), clock);
  engine->defer_commits(commits != Commits::kEach);
  int given = 0;
  auto given_one = [&] {
    Status s = Status::ok();
    if (commits == Commits::kPer64 && ++given % 64 == 0) s = engine->hand_over();
    if (commits == Commits::kWhileWriting) {
      if (engine->waiting() >= kMaxGroup) s = engine->hand_over(); else engine->collect();
    }
    if (!s.is_ok()) throw std::runtime_error(s.message());
  };
  const Json imposed{{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true}, {"woont_anders_dan_incidenteel", true}};
  auto complete = [&](CaseId id, const std::string& step, const std::string& role, const Json& out) {
    const runtime::Instance* c = engine->runtime().find_case(id);
    for (const auto& [task_id, task] : c->tasks) {
      if (task.name == step) {
        if (!engine->complete_task(task_id, role, out).is_ok()) throw std::runtime_error(step);
        return;
      }
    }
    throw std::runtime_error("no task " + step);
  };
  auto each = [&](const std::vector<CaseId>& ids, const std::string& step, const std::string& role, const Json& out) {
    for (CaseId id : ids) {
      complete(id, step, role, out);
      given_one();
    }
  };
  auto t = Clock_::now();
  std::vector<CaseId> ids;
  for (int i = 0; i < n; ++i) {
    CaseId id = *engine->start_case("landelijk", Json{{"aanhouding", i % 5 != 0}, {"aangehouden_op", "2026-10-20 13:30"},
                                                      {"kindermishandeling", false}, {"kinderen", Json::array()}},
                                       "crisismelding");
    complete(id, "criteria_toetsen", "hovj", imposed);
    complete(id, "rihg", "hovj", termijn::testing::rihg_answers());
    complete(id, "sleutels_en_contact", "politie", Json::object());
    if (i % 5 != 0) complete(id, "zsm_bespreking", "openbaar_ministerie", Json::object());
    complete(id, "plan_van_aanpak", "hulpverlening", Json::object());
    ids.push_back(id);
    given_one();
  }
  (void)engine->flush();
  int fired = engine->run_until(clock, *parse_instant("2026-10-26 09:00"));
  each(ids, "zorgadvies", "hulpverlening", Json{{"verlenging_nodig", false}});
  each(ids, "advies_burgemeester", "gemeente", Json{{"advies", "niet_verlengen"}});
  each(ids, "horen", "gemeente", Json::object());
  each(ids, "besluit_verlenging", "burgemeester", Json{{"besluit", "niet_verlengen"}});
  (void)engine->flush();
  fired += engine->run_until(clock, *parse_instant("2026-10-30 12:00"));
  each(ids, "warme_overdracht", "hulpverlening", Json::object());
  each(ids, "veiligheidsplan", "hulpverlening", Json::object());
  each(ids, "monitoring", "veilig_thuis", Json::object());
  if (Status s = engine->flush(); !s.is_ok()) throw std::runtime_error(s.message());
  double s = seconds_since(t);
  std::size_t left = engine->runtime().cases().size();
  fmt::print("national lifecycle (impose, 10 days, care advice, advice to the mayor, hearing, decision, closing), {}, "
             "virtual clock, {}: {} cases in {:.2f} s = {:.0f} cases/s, {} timers fired, {} still open "
             "(goal >= 2,000/s)\n", durable() ? "durable" : "NO FSYNC",
             commits == Commits::kEach    ? "one transaction per command"
             : commits == Commits::kPer64 ? "one flush per 64 cases' commands"
                                          : "group commit (a group is what came while the one before was written)",
             n, s, n / s, fired, left);
}

void timers(int n) {
  VirtualClock clock(*parse_instant("2026-10-20 09:00"));
  auto engine = open(fresh_db("timers"), clock);
  auto setup = Clock_::now();
  bulk_start(*engine, "escalerend", n, [](int) { return Json::object(); });
  fmt::print("  set-up: {} cases with a due escalation in {:.1f} s\n", n, seconds_since(setup));
  clock.set(*parse_instant("2026-10-20 11:00"));
  auto t = Clock_::now();
  int fired = engine->fire_due();
  double s = seconds_since(t);
  fmt::print("due timers drained with durable escalations: {} in {:.2f} s = {:.0f} timers/s (goal: 1M in < 30 s)\n",
             fired, s, fired / s);
}

// `load_per_s` > 0: meanwhile that many minimal instances a second arrive (open loop), each
// started and, once acknowledged, completed, on the same thread, as API callers would.
void lateness(int n, int load_per_s) {
  SystemClock clock;
  auto engine = open(fresh_db("lateness"), clock);
  Instant begin = clock.now() + std::chrono::milliseconds(1500);
  // n timers at 1,000 per second.
  bulk_start(*engine, "wachtend", n, [&](int i) {
    return Json{{"wanneer", to_millis(begin + std::chrono::milliseconds(i))}};
  });
  // As `termijn serve` runs them: the timers' steps go to disk in groups, by the writer thread.
  boost::asio::io_context io;
  RealTimeDriver driver(*engine, clock, io);
  GroupCommit group_commit(*engine, io);
  driver.schedule();
  int acknowledged = 0;
  bool failed = false;
  const InstanceRun run{[&](const Status& s, Clock_::time_point) { failed = failed || !s.is_ok(); },
                        [&] { group_commit.schedule(); }, [&] { ++acknowledged; }};
  // Until the last timer is due.
  SteadyArrivals arrivals(io, load_per_s, 1.5 + n / 1000.0, [&] { submit_instance(*engine, run); });
  if (load_per_s > 0) arrivals.start();
  boost::asio::steady_timer stop(io);
  stop.expires_after(std::chrono::milliseconds(2000 + n));
  stop.async_wait([&](const boost::system::error_code&) { io.stop(); });
  io.run();
  // The instances still on their way are answered while `run` lives.
  while (engine->waiting() > 0 || engine->in_flight()) (void)engine->flush();
  if (failed) throw std::runtime_error("a command failed");
  std::vector<std::int64_t> late;
  for (const auto& e : engine->audit()) {
    if (e.at("kind") == "timer fired") late.push_back(e.at("detail").at("late_ms"));
  }
  std::sort(late.begin(), late.end());
  if (late.empty()) {
    fmt::print("timer lateness: no timer fired\n");
    return;
  }
  auto pct = [&](double q) { return late[static_cast<std::size_t>(q * static_cast<double>(late.size() - 1))]; };
  const std::string load = load_per_s == 0 ? std::string()
                                           : fmt::format(", with {} instances/s started and completed meanwhile ({} "
                                                         "acknowledged)", load_per_s, acknowledged);
  fmt::print("timer lateness on the real clock at 1,000 timers/s{}: {} fired, p50 {} ms, p99 {} ms, max {} ms "
             "(goal p99 <= 5 ms)\n", load, late.size(), pct(0.5), pct(0.99), late.back());
}

void rss_and_restart(int n, bool report_rss, bool report_restart) {
  VirtualClock clock(*parse_instant("2026-10-20 09:00"));
  std::string db = fresh_db("idle");
  long before = 0, after = 0;
  {
    auto engine = open(db, clock);
    before = rss_kib();
    bulk_start(*engine, "minimal", n, [](int) { return Json::object(); });
    after = rss_kib();
  }
  if (report_rss) {
    fmt::print("memory per idle case (one open task): {:.0f} bytes ({} cases, RSS +{} MiB) (goal <= 2 KB)\n",
               (after - before) * 1024.0 / n, n, (after - before) / 1024);
  }
  if (report_restart) {
    auto t = Clock_::now();
    auto engine = Engine::open(EngineOptions{db, &clock, {kRoot + "/stdlib"}, durable()});
    double s = seconds_since(t);
    fmt::print("restart with {} active cases to ready: {:.2f} s (goal <= 2 s for 100,000, <= 20 s for 1,000,000)\n",
               engine.value()->runtime().cases().size(), s);
  }
}

// The disk's own limit, as SQLite reaches it with the store's settings (WAL, synchronous=FULL,
// pages of 8 KiB): transactions of one small row, and of `pages` rows of nearly a page each,
// as many pages as a group of the engine dirties (about 20 for a group of 32 commands of
// `grouped`: the case, task and audit tables and their indexes). What the engine's durable
// figures can reach at most: a group cannot be on disk faster than the disk takes its pages.
void disk(int n) {
  auto synced = [&](int pages, int transactions) {
    std::string db = fresh_db(fmt::format("disk-{}", pages));
    double s = 0;
    {
      store::Database d(db);
      d.exec("PRAGMA page_size=8192");
      d.exec("PRAGMA journal_mode=WAL");
      store::use_for_writing(d, durable());
      d.exec("CREATE TABLE t(x BLOB)");
      const std::string row(pages == 1 ? 100 : 7800, 'x');
      store::Statement insert(d.handle(), "INSERT INTO t VALUES(?)");
      auto t = Clock_::now();
      for (int i = 0; i < transactions; ++i) {
        d.exec("BEGIN");
        for (int p = 0; p < pages; ++p) insert.bind_unowned(1, row).run();
        d.exec("COMMIT");
      }
      s = seconds_since(t);
    }
    remove_db(db);
    return s;
  };
  double one = synced(1, n);
  const char* how = durable() ? "synchronous=FULL" : "NO FSYNC";
  fmt::print("the disk, {}: {:.0f} transactions/s of one row ({} in {:.2f} s)\n", how, n / one, n, one);
  const int group = 20;
  const int groups = std::max(1, n / 4);
  double many = synced(group, groups);
  fmt::print("the disk, {}: {:.0f} transactions/s of {} pages of 8 KiB, {:.2f} ms each\n", how, groups / many,
             group, many * 1000 / groups);
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = argc > 1 ? argv[1] : "all";
  auto n_or = [&](int fallback) { return argc > 2 ? std::atoi(argv[2]) : fallback; };
  if (which == "all") {
    int failed = 0;
    // The million timers last: the disk takes seconds to settle after their gigabyte.
    for (const char* one : {"disk", "start_complete", "grouped", "latency", "lifecycle", "lifecycle_grouped",
                            "lifecycle_pipelined", "lateness", "lateness_loaded", "rss", "restart", "timers"}) {
      std::string command = fmt::format("'{}' {}", argv[0], one);
      if (argc > 2) command += fmt::format(" {}", n_or(0));
      std::fflush(stdout);
      if (std::system(command.c_str()) != 0) ++failed;
    }
    return failed == 0 ? 0 : 1;
  }
  try {
    if (which == "disk") disk(n_or(2000));
    if (which == "start_complete") start_complete(n_or(20000));
    if (which == "grouped") start_complete_grouped(n_or(100000), 64);
    if (which == "latency") latency_below_capacity(start_complete_grouped(n_or(50000), 64));
    if (which == "lifecycle") lifecycle(n_or(2000), Commits::kEach);
    if (which == "lifecycle_grouped") lifecycle(n_or(20000), Commits::kPer64);
    if (which == "lifecycle_pipelined") lifecycle(n_or(20000), Commits::kWhileWriting);
    if (which == "timers") timers(n_or(1000000));
    if (which == "lateness") lateness(n_or(5000), 0);
    if (which == "lateness_loaded") lateness(n_or(5000), 10000);
    if (which == "rss" || which == "restart") {
      rss_and_restart(n_or(100000), which != "restart", which != "rss");
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench failed: {}\n", e.what());
    return 1;
  }
  return 0;
}
