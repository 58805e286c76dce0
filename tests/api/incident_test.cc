// Incidents: a timer whose consequence cannot be computed is held and told to the administrators,
// not dropped. A person fixes the cause and retries it (it fires once), or dismisses it with a
// reason; both are audited with who decided. Over real HTTP, on the virtual clock.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/api_fixture.h"
#include "tests/support/storing.h"

namespace termijn::testing {
namespace {

// The same, where the region has its municipality's application managers told.
std::string storing_told_to(const std::string& role) {
  std::string text = kStoring;
  text.replace(text.find("process storing"), std::string("process storing").size(), "process storing_" + role);
  text.insert(text.find("  events melding"), "  incidents to " + role + "\n");
  return text;
}

class Incidents : public Api {
 protected:
  void SetUp() override {
    Api::SetUp();
    auto deployed = client->post("/api/v1/processes", tokens["beheer"], json{{"files", {{"storing.wth", kStoring}}}});
    ASSERT_EQ(deployed.status, 201) << deployed.body;
  }
  // Day 0, 14:00 a report without the reference date; day 3, 09:00 the wait has fallen due.
  std::int64_t failed_case(const std::string& process = "storing") {
    set_clock("2026-10-20 14:00");
    auto r = client->post("/api/v1/cases", tokens["politie"], json{{"process", process}, {"data", json::object()}});
    EXPECT_EQ(r.status, 201) << r.body;
    std::int64_t id = r.json().value("case", 0);
    advance_to("2026-10-23 09:00");
    return id;
  }
  json incidents() {
    auto r = client->get("/api/v1/incidents", tokens["beheer"]);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  std::size_t notifications_to(const std::string& role, const std::string& text) {
    return server->on_engine([&] {
      std::size_t n = 0;
      for (const auto& row : server->engine().outbox()) {
        if (row.dump().find(text) == std::string::npos) continue;
        for (const auto& r : row["roles"]) n += r == role;
      }
      return n;
    });
  }
};

TEST_F(Incidents, ATimerThatCannotFireIsHeldToldAndFiresOnceWhenRetriedAfterTheFix) {
  std::int64_t id = failed_case();
  json open = incidents();
  ASSERT_EQ(open.size(), 1u) << open.dump(2);
  EXPECT_EQ(open[0]["case"], id);
  EXPECT_EQ(open[0]["kind"], "wait");
  EXPECT_EQ(open[0]["told"], "beheer");
  EXPECT_EQ(open[0]["failed"], "2026-10-22T12:00:00Z");  // day 2, 14:00 CEST: when it fell due
  EXPECT_NE(open[0]["error"].get<std::string>().find("peildatum"), std::string::npos) << open.dump(2);
  std::int64_t incident = open[0]["id"];
  // Told at once, and audited once; the clock going on does not fire it again and again.
  EXPECT_EQ(notifications_to("beheer", "Storing in zaak"), 1u);
  advance_to("2026-11-20 09:00");
  EXPECT_EQ(audit_count(id, "incident opened"), 1u);
  EXPECT_EQ(incidents().size(), 1u);
  // Only the administrators see and decide.
  EXPECT_EQ(client->get("/api/v1/incidents", tokens["politie"]).status, 403);
  EXPECT_EQ(client->post(fmt::format("/api/v1/incidents/{}/retry", incident), tokens["gemeente"], json::object()).status,
            403);
  // A retry before the cause is fixed is refused with the reason; nothing changes.
  auto early = client->post(fmt::format("/api/v1/incidents/{}/retry", incident), tokens["beheer"], json::object());
  EXPECT_EQ(early.status, 409) << early.body;
  EXPECT_NE(early.reason().find("peildatum"), std::string::npos) << early.body;
  EXPECT_EQ(incidents().size(), 1u);
  EXPECT_EQ(audit_count(id, "incident retried"), 0u);
  // The host supplies the date; the retry fires the wait now, and the task opens, counted from it.
  Status fixed = server->on_engine(
      [&] { return server->engine().update_case(id, json{{"peildatum", "2026-11-20T09:00:00+01:00"}}); });
  ASSERT_TRUE(fixed.is_ok()) << fixed.message();
  auto retried = client->post(fmt::format("/api/v1/incidents/{}/retry", incident), tokens["beheer"], json::object());
  EXPECT_EQ(retried.status, 200) << retried.body;
  EXPECT_TRUE(incidents().empty());
  auto tasks = client->get(fmt::format("/api/v1/tasks?case={}", id), tokens["gemeente"]).json();
  ASSERT_EQ(tasks.size(), 1u) << tasks.dump(2);
  EXPECT_EQ(tasks[0]["step"], "toets");
  EXPECT_EQ(tasks[0]["due"], "2026-11-21T08:00:00Z");
  // Exactly once: a second retry finds nothing, and the wait fired once in all.
  auto again = client->post(fmt::format("/api/v1/incidents/{}/retry", incident), tokens["beheer"], json::object());
  EXPECT_EQ(again.status, 404) << again.body;
  EXPECT_EQ(audit_count(id, "incident retried"), 1u);
  EXPECT_EQ(audit_count(id, "timer fired"), 1u);
  // Who decided is in the audit, and the chain holds.
  json actor = server->on_engine([&] {
    for (const auto& e : server->engine().audit(id)) {
      if (e["kind"] == "incident retried") return e["detail"]["actor"];
    }
    return json();
  });
  EXPECT_EQ(actor.value("role", ""), "beheer") << actor.dump();
  EXPECT_FALSE(actor.value("name", "").empty()) << actor.dump();
  EXPECT_TRUE(client->get("/api/v1/audit/verify", tokens["beheer"]).json()["ok"].get<bool>());
}

TEST_F(Incidents, DismissingNeedsAReasonAndIsKeptInTheAudit) {
  std::int64_t id = failed_case();
  std::int64_t incident = incidents().at(0)["id"];
  auto bare = client->post(fmt::format("/api/v1/incidents/{}/dismiss", incident), tokens["beheer"], json::object());
  EXPECT_EQ(bare.status, 400) << bare.body;
  auto empty = client->post(fmt::format("/api/v1/incidents/{}/dismiss", incident), tokens["beheer"],
                            json{{"reason", ""}});
  EXPECT_EQ(empty.status, 422) << empty.body;
  EXPECT_EQ(incidents().size(), 1u);
  auto dismissed = client->post(fmt::format("/api/v1/incidents/{}/dismiss", incident), tokens["beheer"],
                                json{{"reason", "de melding bleek een vergissing; de zaak wordt afgesloten"}});
  EXPECT_EQ(dismissed.status, 200) << dismissed.body;
  EXPECT_TRUE(incidents().empty());
  std::string reason = server->on_engine([&] {
    for (const auto& e : server->engine().audit(id)) {
      if (e["kind"] == "incident dismissed") return e["detail"].value("reason", "");
    }
    return std::string();
  });
  EXPECT_EQ(reason, "de melding bleek een vergissing; de zaak wordt afgesloten");
  EXPECT_EQ(audit_count(id, "timer fired"), 0u);
}

TEST_F(Incidents, AnIncidentOutlivesARestartAndClosesWithItsCase) {
  std::int64_t id = failed_case();
  std::int64_t incident = incidents().at(0)["id"];
  server.reset();
  {
    auto reopened = Engine::open(EngineOptions{db, &clock, {TERMIJN_STDLIB_DIR}});
    ASSERT_TRUE(reopened.is_ok()) << reopened.status().message();
    Engine& engine = *reopened.value();
    Json held = engine.incidents();
    ASSERT_EQ(held.size(), 1u) << held.dump(2);
    EXPECT_EQ(held[0]["id"], incident);
    EXPECT_EQ(engine.fire_due(), 0);  // held, not due
    // The case ends: the incident closes with it, audited, and is no longer listed.
    ASSERT_TRUE(engine.cancel_case(id, "afgesloten").is_ok());
    EXPECT_TRUE(engine.incidents().empty());
    std::size_t closed = 0;
    for (const auto& e : engine.audit(id)) closed += e["kind"] == "incident closed";
    EXPECT_EQ(closed, 1u);
  }
}

TEST_F(Incidents, TheProcessNamesWhoIsToldOfItsIncidents) {
  auto deployed = client->post("/api/v1/processes", tokens["beheer"],
                               json{{"files", {{"storing_gemeente.wth", storing_told_to("gemeente")}}}});
  ASSERT_EQ(deployed.status, 201) << deployed.body;
  failed_case("storing_gemeente");
  json open = incidents();
  ASSERT_EQ(open.size(), 1u) << open.dump(2);
  EXPECT_EQ(open[0]["told"], "gemeente");
  EXPECT_EQ(notifications_to("gemeente", "Storing in zaak"), 1u);
  EXPECT_EQ(notifications_to("beheer", "Storing in zaak"), 0u);
}

}  // namespace
}  // namespace termijn::testing
