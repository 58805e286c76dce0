// What an operator watches of one engine and its HTTP API: liveness (/healthz), readiness
// (/readyz) and metrics (/metrics, engine/api/http/metrics.h). It counts what the engine tells
// it (as its EngineObserver) and every HTTP answer, and reads the rest from the engine when
// asked. It lives on the engine's thread, as everything it reads does.
//
// No metric carries personal data or a token in its labels: labels are route patterns, status
// codes, command kinds and outcomes, and sink names with a webhook's path hashed.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "engine/api/engine.h"
#include "engine/api/http/metrics.h"
#include "engine/api/real_time.h"

namespace termijn::http {

struct MonitorOptions {
  // /readyz fails when the earliest due timer has waited longer than this to fire.
  std::chrono::seconds max_timer_lag{60};
  // false: /metrics needs a beheer token, as the rest of the API does; true: anyone who can reach
  // the server may read it (for a scraper on the same host that holds no token).
  bool public_metrics = false;
};

class Monitor final : public EngineObserver {
 public:
  // Observes `engine` until destroyed.
  explicit Monitor(Engine& engine, MonitorOptions options = {});
  ~Monitor() override;
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // Recovery is done: the engine reloaded its cases and fired what fell due while it was down.
  void recovery_done() { recovered_ = true; }
  // The loop that fires timers on real time; without one, the process is never ready.
  void watch(const RealTimeDriver& driver) { driver_ = &driver; }

  void command_done(std::string_view kind, StatusCode outcome, std::chrono::duration<double> took) override;
  void timer_fired(std::chrono::duration<double> late) override;
  void audited(std::string_view kind) override;
  // An HTTP answer: `route` is the matched pattern ("/api/v1/cases/{id}"), "unmatched" for a path
  // or method no route has, "unread" for a request refused before it was read whole (413, 431).
  void request_done(std::string_view route, std::string_view method, int status, std::chrono::duration<double> took);
  // A TLS handshake that failed: no certificate or one no trusted CA signed (mutual TLS), a plain
  // HTTP client, an old protocol or cipher, a scanner.
  void handshake_failed() { tls_handshakes_failed_.add({}); }

  struct Readiness {
    bool ready = true;
    Json checks = Json::object();  // each check: "ok", or why it failed
    std::vector<std::string> failed;
    std::string problem;  // the first failure, for a person
  };
  Readiness readiness() const;
  // The body of /metrics.
  std::string exposition() const;
  const MonitorOptions& options() const { return options_; }

 private:
  Engine& engine_;
  MonitorOptions options_;
  bool recovered_ = false;
  const RealTimeDriver* driver_ = nullptr;
  metrics::Counter http_requests_;
  metrics::Histogram http_duration_;
  metrics::Counter commands_;
  metrics::Histogram command_duration_;
  metrics::Histogram fire_delay_;
  metrics::Counter escalations_;
  metrics::Counter incidents_opened_;
  metrics::Counter tls_handshakes_failed_;
};

}  // namespace termijn::http
