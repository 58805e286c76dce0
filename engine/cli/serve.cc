// serve: the engine on real time. One thread owns the engine; Boost.Asio wakes it when the next
// timer is due (and on SIGINT/SIGTERM to stop).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>

#include "engine/api/engine.h"
#include "engine/api/real_time.h"
#include "engine/cli/commands.h"
#include "engine/cli/database_lock.h"

namespace termijn::cli {

namespace {

struct ServeOptions {
  std::string db = "termijn.db";
  std::vector<std::string> processes;
  bool once = false;
};

int run_serve(const ServeOptions& o, const GlobalOptions& global) {
  DatabaseLock lock(o.db);
  if (!lock.held()) {
    fmt::print(stderr, "termijn: another termijn is already serving '{}'\n", o.db);
    return kUsage;
  }
  SystemClock clock;
  auto opened = Engine::open(EngineOptions{o.db, &clock, global.stdlib_dirs()});
  if (!opened.is_ok()) return report(opened.status());
  Engine& engine = *opened.value();
  if (!o.processes.empty()) {
    DeployResult deployed = engine.deploy(o.processes);
    std::fputs(render(deployed.diagnostics).c_str(), stderr);
    for (const auto& path : deployed.unreadable) fmt::print(stderr, "termijn: cannot read '{}'\n", path);
    if (!deployed.ok()) return deployed.unreadable.empty() ? kErrors : kUsage;
    for (const auto& p : deployed.deployed) {
      fmt::print("{} {} v{} ({})\n", p.is_new ? "deployed" : "loaded", p.name, p.version, p.hash.substr(0, 16));
    }
  }
  const LegalTime& legal = engine.legal();
  engine.subscribe([&legal](const runtime::Notification& n) {
    fmt::print("{}  case {}  notify {}: {}\n", legal.format(n.at), n.case_id, fmt::join(n.roles, ", "), n.message);
    std::fflush(stdout);
  });
  fmt::print("serving '{}': {} running case(s)\n", o.db, engine.runtime().cases().size());
  int overdue = engine.fire_due();
  if (overdue > 0) fmt::print("fired {} timer(s) that fell due while the engine was down\n", overdue);
  if (o.once) return kClean;

  boost::asio::io_context io;
  RealTimeDriver driver(engine, clock, io);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    fmt::print("stopping on signal {}\n", signal);
    io.stop();
  });
  if (auto next = engine.next_due()) fmt::print("next deadline: {}\n", legal.format(*next));
  std::fflush(stdout);
  driver.schedule();
  io.run();
  return kClean;
}

}  // namespace

void add_serve_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto o = std::make_shared<ServeOptions>();
  auto* serve = app.add_subcommand("serve", "Run the engine on real time: deadlines fire, escalations follow");
  serve->add_option("--db", o->db, "The database file (created if missing)")->capture_default_str();
  serve->add_option("--processes", o->processes, "Process files or folders to deploy first");
  serve->add_flag("--once", o->once, "Fire what is due now, then stop");
  serve->callback([o, &global, &exit_code] { exit_code = run_serve(*o, global); });
}

}  // namespace termijn::cli
