// serve: the engine on real time with its HTTP/JSON API and web page. One thread owns the engine,
// the sockets and the timers; Boost.Asio wakes it for a request, when the next deadline is due,
// to deliver notifications, and on SIGINT/SIGTERM to stop.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>

#include "engine/api/engine.h"
#include "engine/api/http/api.h"
#include "engine/api/http/delivery.h"
#include "engine/api/http/server.h"
#include "engine/api/real_time.h"
#include "engine/cli/commands.h"
#include "engine/cli/database_lock.h"

namespace termijn::cli {

namespace {

struct ServeOptions {
  std::string db = "termijn.db";
  std::vector<std::string> processes;
  bool once = false;
  std::string listen = "127.0.0.1:8080";
  std::vector<std::string> webhooks;
  std::string webhook_secret;  // a file: every webhook's notifications are signed with it
  std::string notify_log;
  std::size_t body_limit = 1 << 20;
};

// "host:port" -> parts; the port 0 takes any free one.
bool split_listen(const std::string& listen, std::string& host, unsigned short& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  host = listen.substr(0, colon);
  try {
    int p = std::stoi(listen.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    port = static_cast<unsigned short>(p);
  } catch (const std::exception&) {
    return false;
  }
  return !host.empty();
}

int run_serve(const ServeOptions& o, const GlobalOptions& global) {
  DatabaseLock lock(o.db);
  if (!lock.held()) {
    fmt::print(stderr, "termijn: another termijn is already serving '{}'\n", o.db);
    return kUsage;
  }
  SystemClock clock;
  auto opened = Engine::open(global.engine_options(o.db, clock));
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
  boost::asio::io_context io;
  http::OutboxDelivery delivery(io, engine.store());
  std::string signing_key;
  if (!o.webhook_secret.empty()) {
    Result<std::string> key = http::read_webhook_secret(o.webhook_secret);
    if (!key.is_ok()) return report(key.status());
    signing_key = *key;
  }
  for (const auto& url : o.webhooks) {
    auto sink = http::make_webhook_sink(io, url, std::chrono::seconds(10), signing_key);
    if (sink == nullptr) return report(http::parse_webhook_url(url).status());
    delivery.add(std::move(sink));
  }
  if (!o.notify_log.empty()) delivery.add(http::make_log_sink(o.notify_log));
  engine.subscribe([&legal, &delivery](const runtime::Notification& n) {
    std::vector<std::string> to = n.roles;
    for (const auto& person : n.persons) to.push_back("person " + person);
    fmt::print("{}  case {}  notify {}: {}\n", legal.format(n.at), n.case_id, fmt::join(to, ", "), n.message);
    std::fflush(stdout);
    delivery.kick();
  });
  fmt::print("serving '{}': {} running case(s)\n", o.db, engine.runtime().cases().size());
  int overdue = engine.fire_due();
  if (overdue > 0) fmt::print("fired {} timer(s) that fell due while the engine was down\n", overdue);
  if (o.once) {
    io.run_for(std::chrono::seconds(5));  // deliver what is waiting (a failing sink is retried next time)
    return kClean;
  }

  RealTimeDriver driver(engine, clock, io);
  http::HttpApi api(engine, [&driver] { driver.schedule(); });
  http::ServerOptions server_options;
  server_options.body_limit = o.body_limit;
  if (!split_listen(o.listen, server_options.address, server_options.port)) {
    fmt::print(stderr, "termijn: --listen '{}' is not host:port\n", o.listen);
    return kUsage;
  }
  http::HttpServer server(io, api, server_options);
  auto port = server.listen();
  if (!port.is_ok()) return report(port.status());
  fmt::print("API and web page on http://{}:{}/ (OpenAPI: /api/v1/openapi.json)\n", server_options.address, *port);
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
  serve->add_flag("--once", o->once, "Fire what is due now, deliver waiting notifications, then stop");
  serve->add_option("--listen", o->listen, "Address and port of the HTTP API and web page")->capture_default_str();
  serve->add_option("--webhook", o->webhooks, "POST every notification to this http:// address (repeatable)");
  serve->add_option("--webhook-secret", o->webhook_secret,
                    "Sign every webhook delivery (Standard Webhooks) with the whsec_ secret in this file");
  serve->add_option("--notify-log", o->notify_log, "Append every notification to this file as a JSON line");
  serve->add_option("--body-limit", o->body_limit, "Largest request body in bytes")->capture_default_str();
  serve->callback([o, &global, &exit_code] { exit_code = run_serve(*o, global); });
}

}  // namespace termijn::cli
