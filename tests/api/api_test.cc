// The HTTP/JSON API against a real server on localhost: a host system drives a case from the
// police report to closing as the right roles; wrong roles are refused (403, audited); bad
// requests get a 4xx with a reason and change nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/api_fixture.h"

namespace termijn::testing {
namespace {

TEST_F(Api, AHostDrivesACaseFromReportToClosingAsTheRightRoles) {
  // Day 0, 14:00: the police report a crisis; the hovj has two hours to check the criteria.
  std::int64_t id = start_case();
  ASSERT_GT(id, 0);
  auto c = client->get(fmt::format("/api/v1/cases/{}", id), tokens["hovj"]);
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(c.json()["next_deadline"]["what"], "Wettelijke criteria toetsen");
  EXPECT_EQ(c.json()["next_deadline"]["due"], "2026-10-20T14:00:00Z");  // 16:00 CEST
  // 14:35: imposed. The ban ends ten days later to the hour, and the deadline says why.
  impose(id);
  auto deadlines = client->get(fmt::format("/api/v1/cases/{}/deadlines", id), tokens["hovj"]).json();
  json einde;
  for (const auto& d : deadlines) {
    if (d["name"] == "einde") einde = d;
  }
  ASSERT_FALSE(einde.is_null()) << deadlines.dump(2);
  EXPECT_EQ(einde["due"], "2026-10-30T13:35:00Z");  // 14:35 CET, across the end of summer time
  EXPECT_NE(einde["why"].dump().find("art. 2 lid 1 Wth"), std::string::npos) << einde.dump(2);
  // The police hand in keys; care makes a plan; day 7 the care advice and the
  // policy officer's advice to the mayor, day 9 the hearing.
  set_clock("2026-10-20 16:00");
  EXPECT_EQ(complete("politie", id, "sleutels_en_contact").status, 200);
  set_clock("2026-10-21 10:00");
  EXPECT_EQ(complete("hulpverlening", id, "plan_van_aanpak").status, 200);
  set_clock("2026-10-27 10:00");
  EXPECT_EQ(complete("hulpverlening", id, "zorgadvies", {{"verlenging_nodig", false}}).status, 200);
  EXPECT_EQ(complete("gemeente", id, "advies_burgemeester", {{"advies", "niet_verlengen"}}).status, 200);
  set_clock("2026-10-29 09:00");
  EXPECT_EQ(complete("gemeente", id, "horen").status, 200);
  // Day 9: only the mayor decides on extension (art. 3 Wth); the hovj is refused, and it is audited.
  set_clock("2026-10-29 12:00");
  auto wrong = client->post(fmt::format("/api/v1/tasks/{}/complete", task_id("burgemeester", id, "besluit_verlenging")),
                            tokens["hovj"], json{{"outputs", {{"besluit", "verlengen"}}}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_NE(wrong.reason().find("is for role 'burgemeester'"), std::string::npos) << wrong.body;
  EXPECT_EQ(audit_count(id, "refused"), 1u);
  EXPECT_EQ(complete("burgemeester", id, "besluit_verlenging", {{"besluit", "niet_verlengen"}}).status, 200);
  // Day 10: the ban ends; closing: handover and safety plan, then a year of monitoring.
  advance_to("2026-10-30 14:35");
  EXPECT_EQ(complete("hulpverlening", id, "warme_overdracht").status, 200);
  EXPECT_EQ(complete("hulpverlening", id, "veiligheidsplan").status, 200);
  advance_to("2027-06-01 09:00");
  EXPECT_EQ(complete("veilig_thuis", id, "monitoring").status, 200);
  auto closed = client->get(fmt::format("/api/v1/cases/{}", id), tokens["beheer"]).json();
  EXPECT_EQ(closed["status"], "completed");
  EXPECT_EQ(closed["end_reason"], "afgerond");
  // The timeline tells the story; the audit chain holds.
  auto timeline = client->get(fmt::format("/api/v1/cases/{}/timeline", id), tokens["hulpverlening"]).json();
  EXPECT_GT(timeline.size(), 20u);
  EXPECT_EQ(timeline.front()["kind"], "case started");
  EXPECT_EQ(timeline.front()["detail"]["by"], "politie");
  auto verify = client->get("/api/v1/audit/verify", tokens["beheer"]);
  EXPECT_EQ(verify.status, 200);
  EXPECT_TRUE(verify.json()["ok"].get<bool>()) << verify.body;
}

TEST_F(Api, OnlyTheMayorRevokesAndEveryRefusalIsAudited) {
  std::int64_t id = impose();
  set_clock("2026-10-22 09:00");
  auto police = client->post(fmt::format("/api/v1/cases/{}/revoke", id), tokens["politie"], json::object());
  EXPECT_EQ(police.status, 403);
  EXPECT_EQ(police.reason(), "only burgemeester may send 'intrekking' in process 'landelijk'; not 'politie'");
  auto admin = client->post(fmt::format("/api/v1/cases/{}/revoke", id), tokens["beheer"], json::object());
  EXPECT_EQ(admin.status, 403) << "administrators do not act in cases";
  EXPECT_EQ(audit_count(id, "refused"), 1u);
  EXPECT_EQ(audit_count(0, "refused"), 1u) << "the administrator's refusal, not tied to the case";
  auto mayor = client->post(fmt::format("/api/v1/cases/{}/revoke", id), tokens["burgemeester"], json::object());
  EXPECT_EQ(mayor.status, 200) << mayor.body;
  // Revoked: the ten days' work is cancelled, closing has begun.
  auto tasks = client->get(fmt::format("/api/v1/tasks?case={}", id), tokens["hulpverlening"]).json();
  ASSERT_EQ(tasks.size(), 1u) << tasks.dump(2);
  EXPECT_EQ(tasks[0]["step"], "warme_overdracht");
  // Once revoked there is nothing to revoke: 409, not a crash.
  EXPECT_EQ(client->post(fmt::format("/api/v1/cases/{}/revoke", id), tokens["burgemeester"], json::object()).status, 409);
}

TEST_F(Api, AnEscalationShowsInTheCaseListAndTheTaskMovesToVeiligThuis) {
  std::int64_t id = impose();
  set_clock("2026-10-20 16:00");
  complete("politie", id, "sleutels_en_contact");
  set_clock("2026-10-21 10:00");
  complete("hulpverlening", id, "plan_van_aanpak");
  // Day 8, 14:35: the care advice is overdue; it is reassigned and the case raised to level 1.
  advance_to("2026-10-28 15:00");
  auto overdue = client->get("/api/v1/cases?overdue=true", tokens["veilig_thuis"]).json();
  ASSERT_EQ(overdue.size(), 1u) << overdue.dump(2);
  EXPECT_EQ(overdue[0]["level"], 1);
  auto vt_tasks = client->get("/api/v1/tasks?overdue=true", tokens["veilig_thuis"]).json();
  ASSERT_EQ(vt_tasks.size(), 1u);
  EXPECT_EQ(vt_tasks[0]["step"], "zorgadvies");
  auto late = client->post(fmt::format("/api/v1/tasks/{}/complete", vt_tasks[0]["id"].get<std::int64_t>()),
                           tokens["hulpverlening"], json{{"outputs", {{"verlenging_nodig", true}}}});
  EXPECT_EQ(late.status, 403) << "after the reassignment only Veilig Thuis may complete it";
  EXPECT_EQ(complete("veilig_thuis", id, "zorgadvies", {{"verlenging_nodig", true}}).status, 200);
}

TEST_F(Api, RolesSeeOnlyTheCasesAndDataTheyNeed) {
  std::int64_t id = start_case(json{{"aanhouding", true}, {"aangehouden_op", "2026-10-20 13:30"}, {"kindermishandeling", false},
                                     {"uithuisgeplaatste", "P-123"}});
  // The hovj works on it: the personal data is there.
  auto hovj = client->get(fmt::format("/api/v1/cases/{}", id), tokens["hovj"]).json();
  EXPECT_EQ(hovj["data"]["uithuisgeplaatste"], "P-123");
  // The mayor may revoke it, so follows it, but without its personal data.
  auto mayor = client->get(fmt::format("/api/v1/cases/{}", id), tokens["burgemeester"]);
  EXPECT_EQ(mayor.status, 200);
  EXPECT_FALSE(mayor.json().contains("data"));
  // The administrator sees that it exists, not what is in it.
  EXPECT_FALSE(client->get(fmt::format("/api/v1/cases/{}", id), tokens["beheer"]).json().contains("data"));
  // The municipality has no part in it yet: to it the case does not exist, and is not listed.
  auto gemeente = client->get(fmt::format("/api/v1/cases/{}", id), tokens["gemeente"]);
  EXPECT_EQ(gemeente.status, 404);
  EXPECT_TRUE(client->get("/api/v1/cases", tokens["gemeente"]).json().empty());
  EXPECT_EQ(client->get(fmt::format("/api/v1/cases/{}/timeline", id), tokens["gemeente"]).status, 404);
}

TEST_F(Api, BadRequestsGetAReasonAndChangeNothing) {
  const std::string& politie = tokens["politie"];
  auto reason_of = [](const ClientResponse& r) { return r.reason(); };
  EXPECT_EQ(client->get("/api/v1/cases", "").status, 401);
  EXPECT_EQ(client->get("/api/v1/cases", "tmj_not-a-token").status, 401);
  auto broken = client->request("POST", "/api/v1/cases", politie, "{\"process\": \"landelijk\",");
  EXPECT_EQ(broken.status, 400);
  EXPECT_NE(reason_of(broken).find("not valid JSON"), std::string::npos);
  EXPECT_EQ(client->request("POST", "/api/v1/cases", politie, "[1, 2]").status, 400);
  EXPECT_EQ(client->post("/api/v1/cases", politie, json{{"process", 42}}).status, 400);
  EXPECT_EQ(client->post("/api/v1/cases", politie, json{{"process", "landelijk"}, {"data", "ja"}}).status, 400);
  auto wrong_type = client->post("/api/v1/cases", politie, json{{"process", "landelijk"}, {"data", {{"aanhouding", "ja"}}}});
  EXPECT_EQ(wrong_type.status, 422);
  EXPECT_NE(reason_of(wrong_type).find("aanhouding"), std::string::npos) << wrong_type.body;
  EXPECT_EQ(client->post("/api/v1/cases", politie, json{{"process", "rotterdm"}}).status, 404);
  EXPECT_EQ(client->post("/api/v1/tasks/999/complete", politie, json::object()).status, 404);
  EXPECT_EQ(client->get("/api/v1/cases/999", politie).status, 404);
  EXPECT_EQ(client->get("/api/v1/cases/abc", politie).status, 404);
  EXPECT_EQ(client->get("/api/v1/nothing", politie).status, 404);
  EXPECT_EQ(client->request("DELETE", "/api/v1/cases", politie).status, 405);
  EXPECT_EQ(client->request("POST", "/api/v1/cases", politie, "{}", {{"Content-Type", "text/plain"}}).status, 415);
  EXPECT_EQ(client->request("POST", "/api/v1/cases", politie, std::string(2 << 20, 'x')).status, 413);
  // The server is still there, and nothing was started by any of it.
  auto cases = client->get("/api/v1/cases", tokens["beheer"]);
  EXPECT_EQ(cases.status, 200);
  EXPECT_TRUE(cases.json().empty()) << cases.body;
}

TEST_F(Api, ARetryWithTheSameIdempotencyKeyStartsNothingNew) {
  json body{{"process", "landelijk"}, {"data", {{"aanhouding", false}, {"kindermishandeling", false}}}};
  auto first = client->post("/api/v1/cases", tokens["politie"], body, {{"Idempotency-Key", "melding-2026-1017"}});
  auto again = client->post("/api/v1/cases", tokens["politie"], body, {{"Idempotency-Key", "melding-2026-1017"}});
  EXPECT_EQ(first.json()["case"], again.json()["case"]);
  EXPECT_EQ(client->get("/api/v1/cases", tokens["beheer"]).json().size(), 1u);
  // Keys belong to the token: another organisation's same key is its own command.
  std::string other = server->token("politie", "Politie Utrecht");
  auto theirs = client->post("/api/v1/cases", other, body, {{"Idempotency-Key", "melding-2026-1017"}});
  EXPECT_NE(theirs.json()["case"], first.json()["case"]);
}

TEST_F(Api, DeployReturnsDiagnosticsWithLineAndColumn) {
  std::ifstream in(std::string(TERMIJN_SOURCE_DIR) + "/processes/landelijk.wth");
  std::string landelijk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string variant =
      "import \"landelijk.wth\"\n"
      "process proef extends landelijk {\n"
      "  terms { Wth.eerste_termijn = 14 dagen }\n"
      "}\n";
  auto refused = client->post("/api/v1/processes", tokens["beheer"],
                              json{{"files", {{"landelijk.wth", landelijk}, {"proef.wth", variant}}}});
  ASSERT_EQ(refused.status, 422) << refused.body;
  auto d = refused.json()["diagnostics"][0];
  EXPECT_EQ(d["file"], "proef.wth");
  EXPECT_EQ(d["line"], 3);
  EXPECT_EQ(d["column"], 35);
  EXPECT_NE(d["message"].get<std::string>().find("did you mean 'days'?"), std::string::npos) << d.dump();
  // Fixed, it deploys; only the administrator may.
  variant.replace(variant.find("dagen"), 5, "days");
  json files{{"files", {{"landelijk.wth", landelijk}, {"proef.wth", variant}}}};
  EXPECT_EQ(client->post("/api/v1/processes", tokens["politie"], files).status, 403);
  auto deployed = client->post("/api/v1/processes", tokens["beheer"], files);
  ASSERT_EQ(deployed.status, 201) << deployed.body;
  bool found = false;
  for (const auto& p : client->get("/api/v1/processes", tokens["politie"]).json()) found |= p["name"] == "proef";
  EXPECT_TRUE(found);
  // An upload cannot reach the server's files.
  auto sneaky = client->post("/api/v1/processes", tokens["beheer"],
                             json{{"files", {{"x.wth", "import \"../../../etc/passwd\"\n"}}}});
  EXPECT_EQ(sneaky.status, 422);
  EXPECT_NE(sneaky.body.find("cannot find imported file"), std::string::npos) << sneaky.body;
  EXPECT_EQ(client->post("/api/v1/processes", tokens["beheer"], json{{"files", {{"/etc/x.wth", ""}}}}).status, 400);
}

TEST_F(Api, RetentionPurgesCasesEndedMoreThanFiveYearsAgo) {
  std::int64_t id = start_case();
  set_clock("2026-10-20 14:10");
  complete("hovj", id, "criteria_toetsen",
           {{"meerderjarig", false}, {"ernstig_en_onmiddellijk_gevaar", false}, {"woont_anders_dan_incidenteel", true}});
  std::int64_t running = start_case();
  EXPECT_EQ(client->get(fmt::format("/api/v1/cases/{}", id), tokens["beheer"]).json()["status"], "completed");
  // Four years on, nothing may go yet; asking for a later cut-off is refused.
  set_clock("2030-10-21 09:00");
  auto early = client->post("/api/v1/purge", tokens["beheer"], json{{"before", "2030-01-01T00:00:00Z"}});
  EXPECT_EQ(early.status, 422) << early.body;
  EXPECT_EQ(client->post("/api/v1/purge", tokens["beheer"], json::object()).json()["purged"].size(), 0u);
  EXPECT_EQ(client->post("/api/v1/purge", tokens["politie"], json::object()).status, 403);
  set_clock("2031-10-21 09:00");
  auto purged = client->post("/api/v1/purge", tokens["beheer"], json::object());
  ASSERT_EQ(purged.status, 200) << purged.body;
  EXPECT_EQ(purged.json()["purged"], json::array({id}));
  EXPECT_EQ(client->get(fmt::format("/api/v1/cases/{}", id), tokens["beheer"]).status, 404);
  EXPECT_EQ(client->get(fmt::format("/api/v1/cases/{}", running), tokens["beheer"]).status, 200);
  EXPECT_TRUE(client->get("/api/v1/audit/verify", tokens["beheer"]).json()["ok"].get<bool>());
  EXPECT_EQ(audit_count(0, "case data purged"), 2u) << "every purge is recorded, also one that found nothing";
}

TEST_F(Api, ASlowClientIsCutOffAndOthersAreServedMeanwhile) {
  server.reset();
  http::ServerOptions options;
  options.read_timeout = std::chrono::milliseconds(300);
  start(options);
  // Half a request, then silence.
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket slow(io);
  slow.connect({boost::asio::ip::make_address("127.0.0.1"), server->port()});
  std::string half = "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"pro";
  boost::asio::write(slow, boost::asio::buffer(half));
  EXPECT_EQ(client->get("/api/v1/whoami", tokens["politie"]).status, 200);
  // The server hangs up on the slow client after its time limit.
  std::array<char, 512> buffer{};
  boost::system::error_code ec;
  slow.read_some(boost::asio::buffer(buffer), ec);
  EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) << ec.message();
}

TEST_F(Api, ManyClientsAtOnceLoseNothing) {
  constexpr int kClients = 4;
  constexpr int kPerClient = 50;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::int64_t>> acknowledged(kClients);
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      HttpClient mine(server->port());
      for (int i = 0; i < kPerClient; ++i) {
        auto r = mine.post("/api/v1/cases", tokens["politie"],
                           json{{"process", "landelijk"},
                                {"data", {{"aanhouding", i % 2 == 0}, {"aangehouden_op", "2026-10-20 13:30"}, {"kindermishandeling", false}}}},
                           {{"Idempotency-Key", fmt::format("client-{}-{}", c, i)}});
        if (r.status == 201) acknowledged[c].push_back(r.json()["case"]);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::int64_t> ids;
  for (const auto& list : acknowledged) {
    EXPECT_EQ(list.size(), static_cast<std::size_t>(kPerClient));
    ids.insert(list.begin(), list.end());
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kClients * kPerClient)) << "every acknowledged case is its own";
  auto cases = client->get("/api/v1/cases", tokens["beheer"]).json();
  EXPECT_EQ(cases.size(), ids.size());
  EXPECT_TRUE(client->get("/api/v1/audit/verify", tokens["beheer"]).json()["ok"].get<bool>());
}

// The web page's words: public (the page asks before anyone signs in), Dutch from the catalog the
// binary carries, English empty, and nothing else.
TEST_F(Api, TheCatalogOfTheWebPageIsServedForDutchAndEnglishOnly) {
  auto dutch = client->get("/api/v1/messages/nl", "");
  ASSERT_EQ(dutch.status, 200) << dutch.body;
  EXPECT_EQ(dutch.json()["language"], "nl");
  EXPECT_EQ(dutch.json()["messages"]["Open cases"], "Open zaken");
  EXPECT_EQ(dutch.json()["messages"]["Incident #{} dismissed."], "Storing #{} afgewezen.");
  EXPECT_GT(dutch.json()["messages"].size(), 300u) << "the engine's messages come along";
  auto english = client->get("/api/v1/messages/en", "");
  ASSERT_EQ(english.status, 200);
  EXPECT_TRUE(english.json()["messages"].empty());
  for (const char* other : {"/api/v1/messages/de", "/api/v1/messages/nl_NL", "/api/v1/messages/..", "/api/v1/messages/"}) {
    EXPECT_EQ(client->get(other, "").status, 404) << other;
  }
}

TEST_F(Api, TheOpenApiDocumentDescribesEveryRoute) {
  auto doc = client->get("/api/v1/openapi.json", "");
  ASSERT_EQ(doc.status, 200);
  json paths = doc.json()["paths"];
  server->on_engine([&] {
    http::HttpApi api(server->engine());
    for (const auto& [method, pattern] : api.routes()) {
      std::string lower = method;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      EXPECT_TRUE(paths.contains(pattern) && paths[pattern].contains(lower)) << method << " " << pattern;
    }
    return 0;
  });
  // And the copy in docs/ is the one served.
  std::ifstream in(std::string(TERMIJN_SOURCE_DIR) + "/docs/openapi.json");
  EXPECT_EQ(json::parse(in), doc.json());
}

}  // namespace
}  // namespace termijn::testing
