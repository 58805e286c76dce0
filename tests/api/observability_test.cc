// What an operator watches, over real HTTP on the virtual clock: /healthz, /readyz with its
// checks, /metrics read by Prometheus's own parser (Python's prometheus_client) with counters that
// move as cases start and escalations fire, errors as RFC 9457 problems, and the API-Version
// header that matches the OpenAPI document.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>

#include "engine/api/http/delivery.h"
#include "engine/api/http/metrics.h"
#include "tests/support/api_fixture.h"
#include "tests/support/run_command.h"

namespace termijn::testing {
namespace {

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, where python3-prometheus-client installs

bool have_prometheus_parser() {
  return run_command(fmt::format("{} -c 'import prometheus_client; print(\"yes\")' 2>/dev/null", kPython)) == "yes";
}

// The families Prometheus's parser read from `body`; fails the test when it could not.
json parse_with_prometheus(const std::string& body) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string path = (std::filesystem::temp_directory_path() / fmt::format("termijn-{}-{}.prom", getpid(), info->name())).string();
  std::ofstream(path) << body;
  std::string out = run_command(fmt::format("{} '{}/tests/api/parse_metrics.py' '{}' 2>&1", kPython, TERMIJN_SOURCE_DIR, path));
  std::filesystem::remove(path);
  json parsed = json::parse(out, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << "prometheus_client did not read /metrics: " << out;
  return parsed.is_discarded() ? json::object() : parsed["families"];
}

// The value of the sample `name` whose labels include `labels`; 0 when there is none.
double sample(const json& families, const std::string& name, const json& labels = json::object()) {
  for (const auto& [family, f] : families.items()) {
    for (const auto& s : f["samples"]) {
      if (s["name"] != name) continue;
      bool match = true;
      for (const auto& [k, v] : labels.items()) match = match && s["labels"].value(k, "") == v;
      if (match) return s["value"].get<double>();
    }
  }
  return 0;
}

class Observability : public Api {
 protected:
  ClientResponse scrape() {
    auto r = client->get("/metrics", tokens["beheer"]);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8");
    return r;
  }
};

TEST_F(Observability, HealthzAnswersWithoutAToken) {
  auto r = client->get("/healthz", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json(), json({{"status", "ok"}}));
}

TEST_F(Observability, ReadyOnlyWhileTheTimerLoopRunsAndNoTimerWaitsTooLong) {
  // No timer loop yet: not ready, and the body says which check failed.
  auto r = client->get("/readyz", "");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.json()["failed"], json::array({"timer_loop"})) << r.body;
  EXPECT_EQ(r.json()["checks"]["store"], "ok");
  EXPECT_EQ(r.json()["checks"]["timer_loop"], "no timer loop runs in this process");
  server->drive_timers();
  r = client->get("/readyz", "");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "ready");
  // A case whose first timer (the criteria's rung at 17:00, 15:00 UTC) falls due while nothing
  // fires it: 60 s late is still ready, 61 s is not.
  start_case();
  set_clock("2026-10-20T15:01:00Z");
  EXPECT_EQ(client->get("/readyz", "").status, 200);
  set_clock("2026-10-20T15:01:01Z");
  r = client->get("/readyz", "");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.json()["failed"], json::array({"timer_lag"})) << r.body;
  EXPECT_EQ(r.reason(), "the earliest due timer has waited 61 s to fire (at most 60 s)");
  // Fired: ready again.
  advance_to("2026-10-20T15:01:01Z");
  EXPECT_EQ(client->get("/readyz", "").status, 200);
}

TEST_F(Observability, MetricsNeedABeheerTokenUnlessTheOperatorOpensThem) {
  EXPECT_EQ(client->get("/metrics", "").status, 401);
  EXPECT_EQ(client->get("/metrics", tokens["hovj"]).status, 403);
  EXPECT_EQ(client->get("/metrics", tokens["beheer"]).status, 200);
  server.reset();
  http::MonitorOptions open;
  open.public_metrics = true;
  start({}, {}, open);
  EXPECT_EQ(client->get("/metrics", "").status, 200);
}

TEST_F(Observability, PrometheusReadsTheMetricsAndTheCountersMoveWithCasesAndEscalations) {
  if (!have_prometheus_parser()) GTEST_SKIP() << "needs Debian's python3-prometheus-client (tools/install-deps.sh --test)";
  std::string notifications = db + ".notifications.jsonl";
  server->add_sink(http::make_log_sink(notifications));
  json before = parse_with_prometheus(scrape().body);
  for (const char* name : {"termijn_ready", "termijn_timer_lag_seconds", "termijn_timers_due", "termijn_incidents_open",
                           "termijn_escalations", "termijn_timer_fire_delay_seconds", "termijn_commands",
                           "termijn_command_duration_seconds", "termijn_outbox_backlog", "termijn_http_requests",
                           "termijn_http_request_duration_seconds"}) {
    EXPECT_TRUE(before.contains(name)) << name << " is missing: " << before.dump();
  }
  EXPECT_EQ(before["termijn_http_request_duration_seconds"]["type"], "histogram");
  EXPECT_EQ(before["termijn_escalations"]["type"], "counter");

  // Two cases, one imposed (which notifies); then the clock passes the other's first deadline.
  std::int64_t first = start_case();
  impose();
  json due = parse_with_prometheus(scrape().body);
  set_clock("2026-10-20 17:30");
  json late = parse_with_prometheus(scrape().body);
  EXPECT_GT(sample(late, "termijn_timers_due"), 0);
  EXPECT_EQ(sample(late, "termijn_timer_lag_seconds"), 1800);  // the criteria's rung at 17:00 went by unfired
  advance_to("2026-10-20 19:00");
  ASSERT_GT(audit_count(first, "escalated"), 0u);
  std::size_t escalated = audit_count(first, "escalated") + audit_count(first + 1, "escalated");

  auto r = scrape();
  json after = parse_with_prometheus(r.body);
  EXPECT_EQ(sample(after, "termijn_commands_total", {{"kind", "start"}, {"outcome", "ok"}}) -
                sample(before, "termijn_commands_total", {{"kind", "start"}, {"outcome", "ok"}}),
            2);
  EXPECT_EQ(sample(after, "termijn_commands_total", {{"kind", "complete"}, {"outcome", "ok"}}), 2);
  EXPECT_EQ(sample(after, "termijn_command_duration_seconds_count", {{"kind", "start"}}), 2);
  EXPECT_EQ(sample(after, "termijn_escalations_total") - sample(before, "termijn_escalations_total"),
            static_cast<double>(escalated));
  EXPECT_GT(sample(after, "termijn_timer_fire_delay_seconds_count"), 0);
  EXPECT_EQ(sample(after, "termijn_timers_due"), 0);
  EXPECT_EQ(sample(after, "termijn_timer_lag_seconds"), 0);
  EXPECT_EQ(sample(after, "termijn_http_requests_total", {{"route", "/api/v1/cases"}, {"method", "POST"}, {"status", "201"}}), 2);
  // The three scrapes before: a scrape is counted once it is answered.
  EXPECT_EQ(sample(after, "termijn_http_requests_total", {{"route", "/metrics"}, {"method", "GET"}, {"status", "200"}}), 3);
  EXPECT_GT(sample(after, "termijn_http_request_duration_seconds_bucket", {{"route", "/api/v1/tasks/{id}/complete"}, {"le", "+Inf"}}), 0);
  EXPECT_GE(sample(due, "termijn_outbox_backlog", {{"sink", "log:" + notifications}}), 0);
  // A path no route has is counted as unmatched, never by itself.
  EXPECT_EQ(client->get("/api/v1/nothing/../etc/passwd", tokens["beheer"]).status, 404);
  json scanned = parse_with_prometheus(scrape().body);
  EXPECT_EQ(sample(scanned, "termijn_http_requests_total", {{"route", "unmatched"}, {"status", "404"}}), 1);
  EXPECT_EQ(scrape().body.find("passwd"), std::string::npos);
  std::filesystem::remove(notifications);

  // What a scrape costs here (reported, not asserted: the machine is shared).
  auto t0 = std::chrono::steady_clock::now();
  constexpr int kScrapes = 20;
  for (int i = 0; i < kScrapes; ++i) scrape();
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / kScrapes;
  std::printf("[ measured ] /metrics: %zu bytes, %.2f ms per scrape over HTTP\n", r.body.size(), ms);
}

TEST_F(Observability, ErrorsAreProblemDetailsAndEveryAnswerCarriesTheApiVersion) {
  auto doc = client->get("/api/v1/openapi.json", "");
  std::string version = doc.json()["info"]["version"];
  EXPECT_TRUE(std::regex_match(version, std::regex(R"((0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*))"))) << version;
  EXPECT_EQ(doc.headers["API-Version"], version);
  EXPECT_EQ(version, http::kApiVersion);

  auto missing = client->get("/api/v1/cases/999", tokens["hovj"]);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.headers["Content-Type"], "application/problem+json");
  EXPECT_EQ(missing.headers["API-Version"], version);
  EXPECT_EQ(missing.json(), json({{"type", "about:blank"}, {"title", "Not Found"}, {"status", 404}, {"detail", "no case 999"}}));
  auto unauthenticated = client->get("/api/v1/cases", "");
  EXPECT_EQ(unauthenticated.json()["title"], "Unauthorized");
  EXPECT_EQ(unauthenticated.headers["WWW-Authenticate"], "Bearer");
  EXPECT_EQ(client->get("/healthz", "").headers["API-Version"], version);
  // Refused before the request was read whole: a problem too.
  auto large = client->request("POST", "/api/v1/cases", tokens["politie"], std::string(2 << 20, 'x'));
  EXPECT_EQ(large.status, 413);
  EXPECT_EQ(large.headers["Content-Type"], "application/problem+json");
  EXPECT_EQ(large.json()["title"], "Payload Too Large");
  // A deploy with errors keeps its diagnostics, as an extension member of its own problem type.
  auto deploy = client->post("/api/v1/processes", tokens["beheer"],
                             json{{"files", {{"proef.wth", "process proef version 1 { start on x }"}}}});
  EXPECT_EQ(deploy.status, 422) << deploy.body;
  EXPECT_EQ(deploy.json()["type"], "urn:termijn:problem:process-errors");
  EXPECT_EQ(deploy.json()["status"], 422);
  EXPECT_NE(deploy.reason().find("error(s) in the process files"), std::string::npos) << deploy.body;
  EXPECT_GT(deploy.json()["diagnostics"].size(), 0u) << deploy.body;
}

TEST(Metrics, LabelValuesAndHelpAreEscapedAndValuesWrittenAsPrometheusReadsThem) {
  EXPECT_EQ(http::metrics::escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(http::metrics::format_value(3), "3");
  EXPECT_EQ(http::metrics::format_value(0.25), "0.25");
  EXPECT_EQ(http::metrics::format_value(1.0 / 0.0), "+Inf");
  http::metrics::Exposition out;
  http::metrics::Counter c("x_total", "Line one\nback\\slash", {"sink"});
  c.add({"log:/tmp/a \"b\""});
  c.write(out);
  EXPECT_EQ(out.text(), "# HELP x_total Line one\\nback\\\\slash\n# TYPE x_total counter\nx_total{sink=\"log:/tmp/a \\\"b\\\"\"} 1\n");
}

TEST(Metrics, AWebhooksPathNeverBecomesALabelOrALogField) {
  std::string shown = http::public_sink_name("webhook:http://hooks.example:9000/T000/B000/s3cr3t-t0ken");
  EXPECT_EQ(shown.find("s3cr3t"), std::string::npos) << shown;
  EXPECT_EQ(shown.rfind("webhook:http://hooks.example:9000 (path sha256:", 0), 0u) << shown;
  EXPECT_EQ(http::public_sink_name("webhook:http://127.0.0.1:9000/"), "webhook:http://127.0.0.1:9000");
  EXPECT_EQ(http::public_sink_name("log:/var/log/termijn/n.jsonl"), "log:/var/log/termijn/n.jsonl");
}

}  // namespace
}  // namespace termijn::testing
