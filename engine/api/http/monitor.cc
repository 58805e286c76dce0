#include "engine/api/http/monitor.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/api/http/delivery.h"

namespace termijn::http {

namespace {

using Seconds = std::chrono::duration<double>;

// Answers in milliseconds to seconds: a request or command that takes ten seconds is broken.
const std::vector<double> kLatencyBounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
// A timer fires within a second on a healthy server; after downtime, hours or days late.
const std::vector<double> kDelayBounds{0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 21600, 86400, 604800};

// Methods from outside are any token; only the known ones become label values.
std::string method_label(std::string_view method) {
  for (const char* known : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "other";
}

// "invalid argument" -> "invalid_argument".
std::string outcome_label(StatusCode code) {
  std::string out = to_string(code);
  std::replace(out.begin(), out.end(), ' ', '_');
  return out;
}

}  // namespace

Monitor::Monitor(Engine& engine, MonitorOptions options)
    : engine_(engine),
      options_(options),
      http_requests_("termijn_http_requests_total", "HTTP requests answered, by route pattern, method and status code.",
                     {"route", "method", "status"}),
      http_duration_("termijn_http_request_duration_seconds",
                     "Time from a request read to its answer (a deploy's compile included), by route pattern.",
                     kLatencyBounds, {"route"}),
      commands_("termijn_commands_total", "Engine commands answered, by kind and outcome.", {"kind", "outcome"}),
      command_duration_("termijn_command_duration_seconds",
                        "Time an engine command took, its commit to disk included, by kind.", kLatencyBounds, {"kind"}),
      fire_delay_("termijn_timer_fire_delay_seconds",
                  "How long after it fell due each timer was taken from the due queue and fired.", kDelayBounds),
      escalations_("termijn_escalations_total", "Escalation rungs fired (audit entries 'escalated')."),
      incidents_opened_("termijn_incidents_opened_total",
                        "Timers that could not fire and became incidents (audit entries 'incident opened')."),
      tls_handshakes_failed_("termijn_http_tls_handshakes_failed_total",
                             "TLS handshakes that failed (no or an untrusted client certificate, plain HTTP, an old "
                             "protocol or cipher).") {
  engine_.observe(this);
}

Monitor::~Monitor() { engine_.observe(nullptr); }

void Monitor::command_done(std::string_view kind, StatusCode outcome, std::chrono::duration<double> took) {
  commands_.add({std::string(kind), outcome_label(outcome)});
  command_duration_.observe({std::string(kind)}, took.count());
}

void Monitor::timer_fired(std::chrono::duration<double> late) { fire_delay_.observe({}, std::max(0.0, late.count())); }

void Monitor::audited(std::string_view kind) {
  if (kind == "escalated") escalations_.add({});
  if (kind == "incident opened") incidents_opened_.add({});
}

void Monitor::request_done(std::string_view route, std::string_view method, int status,
                           std::chrono::duration<double> took) {
  http_requests_.add({std::string(route), method_label(method), std::to_string(status)});
  http_duration_.observe({std::string(route)}, took.count());
}

Monitor::Readiness Monitor::readiness() const {
  Readiness r;
  auto check = [&r](const char* name, std::string problem) {
    r.checks[name] = problem.empty() ? "ok" : problem;
    if (problem.empty()) return;
    r.ready = false;
    r.failed.emplace_back(name);
    if (r.problem.empty()) r.problem = std::move(problem);
  };
  std::string store;
  try {
    engine_.store().schema_version();  // reads the database file
  } catch (const std::exception& e) {
    store = fmt::format("the database cannot be read: {}", e.what());
  }
  check("store", store);
  check("recovery", recovered_ ? "" : "the engine is still recovering (reloading cases, firing what fell due)");
  std::string loop;
  const auto limit = RealTimeDriver::kMaxWait + options_.max_timer_lag;
  if (driver_ == nullptr) {
    loop = "no timer loop runs in this process";
  } else if (!driver_->heartbeat()) {
    loop = "the timer loop has not started";
  } else if (auto age = std::chrono::steady_clock::now() - *driver_->heartbeat(); age > limit) {
    loop = fmt::format("the timer loop last ran {:.0f} s ago (it wakes at least every {} s)", Seconds(age).count(),
                       std::chrono::duration_cast<std::chrono::seconds>(RealTimeDriver::kMaxWait).count());
  }
  check("timer_loop", loop);
  std::string lag;
  if (auto next = engine_.next_due(); next && engine_.now() - *next > options_.max_timer_lag) {
    lag = fmt::format("the earliest due timer has waited {:.0f} s to fire (at most {} s)",
                      Seconds(engine_.now() - *next).count(), options_.max_timer_lag.count());
  }
  check("timer_lag", lag);
  return r;
}

std::string Monitor::exposition() const {
  metrics::Exposition out;
  const Instant now = engine_.now();
  const runtime::Runtime& rt = engine_.runtime();
  auto gauge = [&out](const char* name, const char* help, double value) {
    out.family(name, help, "gauge");
    out.sample(name, value);
  };
  gauge("termijn_ready", "1 when /readyz answers 200, else 0.", readiness().ready ? 1 : 0);
  gauge("termijn_cases_running", "Cases in memory that have not ended.", static_cast<double>(rt.cases().size()));
  auto next = engine_.next_due();
  gauge("termijn_timer_lag_seconds", "How long the earliest due timer has waited to fire; 0 when none is due.",
        next && *next < now ? Seconds(now - *next).count() : 0.0);
  gauge("termijn_timers_due", "Pending timers that are due and have not fired yet.",
        static_cast<double>(rt.count_due(now)));
  gauge("termijn_incidents_open", "Timers that could not fire, held until a person retries or dismisses them.",
        static_cast<double>(rt.incidents().size()));
  if (driver_ != nullptr && driver_->heartbeat()) {
    gauge("termijn_timer_loop_heartbeat_age_seconds", "Seconds since the real-time timer loop last woke or was armed.",
          Seconds(std::chrono::steady_clock::now() - *driver_->heartbeat()).count());
  }
  Json sinks = engine_.store().sinks();
  auto per_sink = [&](const char* name, const char* help, const char* field) {
    out.family(name, help, "gauge");
    for (const auto& s : sinks) {
      out.sample(name, {"sink"}, {public_sink_name(s["sink"].get<std::string>())}, s[field].get<double>());
    }
  };
  per_sink("termijn_outbox_backlog", "Notifications committed and not yet delivered, per sink.", "waiting");
  per_sink("termijn_outbox_failed_attempts", "Failed delivery attempts in a row, per sink (0: delivering).", "attempts");
  escalations_.write(out);
  incidents_opened_.write(out);
  fire_delay_.write(out);
  commands_.write(out);
  command_duration_.write(out);
  http_requests_.write(out);
  http_duration_.write(out);
  tls_handshakes_failed_.write(out);
  return out.text();
}

}  // namespace termijn::http
