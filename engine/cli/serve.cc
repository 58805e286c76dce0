// serve: the engine on real time with its HTTP/JSON API and web page. One thread owns the engine,
// the sockets and the timers; Boost.Asio wakes it for a request, when the next deadline is due,
// to deliver notifications, and on SIGINT/SIGTERM to stop. What it does is logged to stderr, as
// JSON lines or (--log-format text) for a person; every option may come from a configuration
// file (--config, examples/termijn.toml).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>

#include "engine/api/engine.h"
#include "engine/api/http/api.h"
#include "engine/api/http/delivery.h"
#include "engine/api/http/monitor.h"
#include "engine/api/http/server.h"
#include "engine/api/http/tls.h"
#include "engine/api/group_commit.h"
#include "engine/api/real_time.h"
#include "engine/base/log.h"
#include "engine/base/numbers.h"
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
  std::string webhook_ca;      // https receivers' CA (PEM); empty: the system's store
  std::string tls_cert;        // PEM chain; with tls_key, the API is served over TLS only
  std::string tls_key;
  std::string tls_client_ca;   // mutual TLS: client certificates must chain to this CA
  std::string tls_client_auth;  // "required" (the default with a client CA) or "optional"
  std::string notify_log;
  std::size_t body_limit = 1 << 20;
  std::string log_format = "json";
  int max_timer_lag = 60;  // seconds
  bool public_metrics = false;
};

// "host:port" -> parts; the port 0 takes any free one.
bool split_listen(const std::string& listen, std::string& host, unsigned short& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  host = listen.substr(0, colon);
  // The whole of what follows the colon: "8080abc" is no port (std::stoi took it as 8080).
  auto p = parse_int_in(std::string_view(listen).substr(colon + 1), 0, 65535);
  if (!p) return false;
  port = static_cast<unsigned short>(*p);
  return !host.empty();
}

int failed(const Logger& log, std::string_view event, const Status& status) {
  log.error(event, status.message(), {{"code", to_string(status.code())}});
  return exit_code(status);
}

// Each diagnostic of a deploy at start, as `termijn check` renders it.
void log_diagnostics(const Logger& log, const DiagnosticList& diagnostics) {
  for (const auto& d : diagnostics.sorted()) {
    LogLevel level = d.severity == Severity::kError ? LogLevel::kError
                     : d.severity == Severity::kWarning ? LogLevel::kWarning
                                                        : LogLevel::kInfo;
    log.log(level, "deploy.diagnostic", render(d),
            {{"file", d.range.file ? d.range.file->path() : ""}, {"line", d.range.begin.line}});
  }
}

// A notification as committed: its case by number, whom it tells (roles; persons only counted,
// as their ids are the host's names for people), and the process's text.
void log_notification(const Logger& log, const runtime::Notification& n) {
  std::string to = fmt::format("{}", fmt::join(n.roles, ", "));
  if (!n.persons.empty()) to += fmt::format("{}{} person(s)", to.empty() ? "" : " and ", n.persons.size());
  log.info("notification", fmt::format("case {} notify {}: {}", n.case_id, to, n.message),
           {{"case", n.case_id}, {"roles", n.roles}, {"persons", n.persons.size()}, {"source", n.source}});
}

// --tls-cert and --tls-key (both or neither), and mutual TLS with --tls-client-ca. A certificate
// near its end is logged as a warning at every start, so the operator hears of it in time.
Status configure_tls(const ServeOptions& o, const Logger& log, http::ServerOptions& server) {
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    return Status(StatusCode::kInvalidArgument, "--tls-cert and --tls-key go together");
  }
  if (!o.tls_client_auth.empty() && o.tls_client_ca.empty()) {
    return Status(StatusCode::kInvalidArgument, "--tls-client-auth needs --tls-client-ca (the CA client certificates chain to)");
  }
  if (o.tls_cert.empty()) {
    if (!o.tls_client_ca.empty()) return Status(StatusCode::kInvalidArgument, "--tls-client-ca needs --tls-cert and --tls-key");
    return Status::ok();
  }
  http::TlsServerOptions tls{o.tls_cert, o.tls_key, o.tls_client_ca,
                             o.tls_client_auth == "optional" ? http::ClientAuth::kOptional : http::ClientAuth::kRequired};
  auto context = http::make_server_context(tls);
  if (!context.is_ok()) return context.status();
  server.tls = *context;
  auto expiry = http::certificate_expiry(**context);
  if (!expiry.is_ok()) return expiry.status();
  auto left = std::chrono::duration_cast<std::chrono::hours>(*expiry - std::chrono::system_clock::now()).count() / 24;
  Json fields{{"certificate", o.tls_cert}, {"days_left", left}, {"client_ca", o.tls_client_ca}};
  if (left < 0) {
    // Still served: the engine's timers must go on firing; clients will refuse the connection.
    log.error("tls.certificate_expired", fmt::format("the TLS certificate '{}' has expired ({} day(s) ago): clients "
                                                     "will refuse to connect until it is renewed", o.tls_cert, -left),
              fields);
  } else if (left < 30) {
    log.warning("tls.certificate_expiring", fmt::format("the TLS certificate '{}' ends in {} day(s)", o.tls_cert, left),
                fields);
  } else {
    log.info("tls.ready", fmt::format("TLS with '{}' ({} days left){}", o.tls_cert, left,
                                      o.tls_client_ca.empty() ? "" : ", client certificates checked"),
             fields);
  }
  return Status::ok();
}

int run_serve(const ServeOptions& o, const GlobalOptions& global) {
  const Logger log(*parse_log_format(o.log_format));
  DatabaseLock lock(o.db);
  if (!lock.held()) {
    log.error("serve.locked", fmt::format("another termijn is already serving '{}'", o.db), {{"db", o.db}});
    return kUsage;
  }
  SystemClock clock;
  auto opened = Engine::open(global.engine_options(o.db, clock));
  if (!opened.is_ok()) return failed(log, "serve.open_failed", opened.status());
  Engine& engine = *opened.value();
  // Observing from here on: the timers that fell due while the engine was down count too.
  http::Monitor monitor(engine, http::MonitorOptions{std::chrono::seconds(o.max_timer_lag), o.public_metrics});
  if (!o.processes.empty()) {
    DeployResult deployed = engine.deploy(o.processes);
    log_diagnostics(log, deployed.diagnostics);
    for (const auto& path : deployed.unreadable) {
      log.error("deploy.unreadable", fmt::format("cannot read '{}'", path), {{"path", path}});
    }
    if (!deployed.ok()) return deployed.unreadable.empty() ? kErrors : kUsage;
    for (const auto& p : deployed.deployed) {
      log.info("deploy.done", fmt::format("{} {} v{} ({})", p.is_new ? "deployed" : "loaded", p.name, p.version, p.hash.substr(0, 16)),
               {{"process", p.name}, {"version", p.version}, {"hash", p.hash}, {"new", p.is_new}});
    }
  }
  boost::asio::io_context io;
  http::OutboxDelivery delivery(io, engine.store(), {}, log);
  http::WebhookOptions webhook;
  if (!o.webhook_secret.empty()) {
    Result<std::string> key = http::read_webhook_secret(o.webhook_secret);
    if (!key.is_ok()) return failed(log, "serve.bad_option", key.status());
    webhook.signing_key = *key;
  }
  if (!o.webhook_ca.empty()) {
    auto tls = http::make_client_context(o.webhook_ca);
    if (!tls.is_ok()) return failed(log, "serve.bad_option", tls.status());
    webhook.tls = *tls;
  }
  for (const auto& url : o.webhooks) {
    auto sink = http::make_webhook_sink(io, url, webhook);
    if (!sink.is_ok()) return failed(log, "serve.bad_option", sink.status());
    delivery.add(std::move(sink.value()));
  }
  if (!o.notify_log.empty()) delivery.add(http::make_log_sink(o.notify_log));
  engine.subscribe([&log, &delivery](const runtime::Notification& n) {
    log_notification(log, n);
    delivery.kick();
  });
  log.info("serve.started", fmt::format("serving '{}': {} running case(s)", o.db, engine.runtime().cases().size()),
           {{"db", o.db}, {"running_cases", engine.runtime().cases().size()}});
  int overdue = engine.fire_due();
  if (overdue > 0) {
    log.info("timers.fired_on_start", fmt::format("fired {} timer(s) that fell due while the engine was down", overdue),
             {{"fired", overdue}});
  }
  monitor.recovery_done();
  if (o.once) {
    io.run_for(std::chrono::seconds(5));  // deliver what is waiting (a failing sink is retried next time)
    return kClean;
  }

  RealTimeDriver driver(engine, clock, io);
  monitor.watch(driver);
  GroupCommit group_commit(engine, io);  // from here on, commands go to disk in groups
  http::HttpApi api(engine, http::ApiHooks{[&driver] { driver.schedule(); }, &monitor, log,
                                           [&group_commit] { group_commit.schedule(); }});
  http::ServerOptions server_options;
  server_options.body_limit = o.body_limit;
  if (!split_listen(o.listen, server_options.address, server_options.port)) {
    log.error("serve.bad_option", fmt::format("--listen '{}' is not host:port", o.listen));
    return kUsage;
  }
  if (Status tls = configure_tls(o, log, server_options); !tls.is_ok()) return failed(log, "serve.bad_option", tls);
  http::HttpServer server(io, api, server_options);
  auto port = server.listen();
  if (!port.is_ok()) return failed(log, "serve.listen_failed", port.status());
  const char* scheme = server_options.tls ? "https" : "http";
  log.info("http.listening",
           fmt::format("API and web page on {}://{}:{}/ (OpenAPI: /api/v1/openapi.json)", scheme, server_options.address,
                       *port),
           {{"address", server_options.address}, {"port", *port}, {"tls", server_options.tls != nullptr}});
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(server_options.address, ec);
  if (!server_options.tls && !ec && !address.is_loopback()) {
    log.warning("http.plain_on_network",
                "serving plain HTTP beyond this machine: tokens and personal data cross the network unencrypted "
                "(give --tls-cert and --tls-key, or put a TLS proxy in front)",
                {{"address", server_options.address}});
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    log.info("serve.stopping", fmt::format("stopping on signal {}", signal), {{"signal", signal}});
    io.stop();
  });
  if (auto next = engine.next_due()) {
    log.info("timers.next", fmt::format("next deadline: {}", engine.legal().format(*next)), {{"at", to_iso_utc(*next)}});
  }
  driver.schedule();
  io.run();
  // What was applied but not yet committed goes down now, and the answers waiting for it are
  // handed to their connections while the io_context still exists (the engine outlives it).
  (void)engine.flush();
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
  serve->add_option("--webhook", o->webhooks, "POST every notification to this https:// (or http://) address (repeatable)");
  serve->add_option("--webhook-ca", o->webhook_ca,
                    "Check https webhook receivers against the CA certificates in this PEM file (default: the system's)");
  serve->add_option("--tls-cert", o->tls_cert, "Serve over TLS with this PEM certificate chain (with --tls-key)");
  serve->add_option("--tls-key", o->tls_key, "The TLS certificate's private key (PEM; only its owner may read it)");
  serve->add_option("--tls-client-ca", o->tls_client_ca,
                    "Mutual TLS: client certificates must chain to a CA in this PEM file; a token then works only "
                    "for the organisation (subject O) of the connection's certificate");
  serve->add_option("--tls-client-auth", o->tls_client_auth,
                    "With --tls-client-ca: whether a client certificate is required (the default) or optional")
      ->check(CLI::IsMember({"required", "optional"}));
  serve->add_option("--webhook-secret", o->webhook_secret,
                    "Sign every webhook delivery (Standard Webhooks) with the whsec_ secret in this file");
  serve->add_option("--notify-log", o->notify_log, "Append every notification to this file as a JSON line");
  serve->add_option("--body-limit", o->body_limit, "Largest request body in bytes")->capture_default_str();
  serve->add_option("--log-format", o->log_format, "The log on stderr: one JSON object per line, or text for a person")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  serve->add_option("--max-timer-lag", o->max_timer_lag,
                    "Seconds the earliest due timer may wait to fire before /readyz says not ready")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  serve->add_flag("--public-metrics", o->public_metrics,
                  "Serve /metrics without a token (default: a beheer token is needed)");
  serve->callback([o, &global, &exit_code] { exit_code = run_serve(*o, global); });
}

}  // namespace termijn::cli
