// The API as an attacker or a careless caller would try it (issue 10), one test per class: bad
// input gets a 4xx with a reason and never internal text; only real roles hold tokens; a caller
// learns nothing about a case it may not see; an idempotency key belongs to one command; every
// audit entry names who acted; a few clients cannot lock out the others.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "engine/base/sha256.h"
#include "tests/support/api_fixture.h"
#include "tests/support/run_command.h"

namespace termijn::testing {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string nested_lists(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// Every audit entry's detail, in order, from the engine's thread.
json audit_entries(ApiServer& server, std::optional<CaseId> id) {
  return server.on_engine([&] { return server.engine().audit(id); });
}

// The last entry of `kind`, or null.
json find_entry(const json& entries, const std::string& kind) {
  for (auto e = entries.rbegin(); e != entries.rend(); ++e) {
    if ((*e)["kind"] == kind) return *e;
  }
  return json();
}

// ---- 9: 500s that should be 4xx -------------------------------------------------------------

TEST_F(Api, MalformedInputGetsA400WithAReasonAndNeverInternalText) {
  const std::string& politie = tokens["politie"];
  auto no_internals = [](const ClientResponse& r) {
    EXPECT_EQ(r.body.find("json.exception"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("stoll"), std::string::npos) << r.body;
    EXPECT_FALSE(r.reason().empty()) << r.body;
  };
  auto huge = client->request("POST", "/api/v1/cases", politie,
                              R"({"process": "landelijk", "data": {"aanhouding": 1e999}})");
  EXPECT_EQ(huge.status, 400) << huge.body;
  no_internals(huge);
  auto long_id = client->get("/api/v1/cases/99999999999999999999", politie);
  EXPECT_EQ(long_id.status, 400) << long_id.body;
  no_internals(long_id);
  auto long_task = client->post("/api/v1/tasks/99999999999999999999/complete", politie, json::object());
  EXPECT_EQ(long_task.status, 400) << long_task.body;
  auto long_query = client->get("/api/v1/tasks?case=99999999999999999999", politie);
  EXPECT_EQ(long_query.status, 400) << long_query.body;
  auto bad_utf8 = client->request("POST", "/api/v1/cases", politie, "{\"process\": \"land\xff\"}");
  EXPECT_EQ(bad_utf8.status, 400) << bad_utf8.body;
  no_internals(bad_utf8);
  // A typo is refused, naming the field and what the call takes, instead of dropping the data.
  auto typo = client->post("/api/v1/cases", politie, json{{"process", "landelijk"}, {"dta", {{"aanhouding", true}}}});
  EXPECT_EQ(typo.status, 400) << typo.body;
  EXPECT_EQ(typo.reason(), "unknown field 'dta'; this call takes: process, event, data");
  auto revoke_typo = client->post("/api/v1/cases/1/revoke", politie, json{{"reden", "x"}});
  EXPECT_EQ(revoke_typo.status, 400) << revoke_typo.body;
  // A path that is not UTF-8 is answered in valid JSON (in process: a socket's parser may refuse first).
  http::HttpResponse path = server->on_engine([&] {
    http::HttpApi api(server->engine());
    return api.handle(http::HttpRequest{"GET", "/api/v1/\xff\xfe", {{"authorization", "Bearer " + politie}}, ""});
  });
  EXPECT_EQ(path.status, 404);
  EXPECT_TRUE(json::accept(path.body)) << path.body;
  EXPECT_TRUE(client->get("/api/v1/cases", tokens["beheer"]).json().empty()) << "nothing was started";
}

TEST_F(Api, BodiesOverTheJsonLimitsAreRefusedBeforeTheyAreBuilt) {
  const std::string& politie = tokens["politie"];
  auto start_with = [&](const std::string& data) {
    return client->request("POST", "/api/v1/cases", politie, R"({"process": "landelijk", "data": )" + data + "}");
  };
  // The body's own braces and data's make two levels: 30 lists more is the limit of 32.
  auto at_limit = start_with(R"({"kinderen": )" + nested_lists(limits::kJsonNesting - 2) + "}");
  EXPECT_NE(at_limit.status, 400) << at_limit.body;  // reaches the process, which refuses the shape (422)
  auto over = start_with(R"({"kinderen": )" + nested_lists(limits::kJsonNesting - 1) + "}");
  EXPECT_EQ(over.status, 400) << over.body;
  EXPECT_NE(over.reason().find("deeper than 32"), std::string::npos) << over.body;
  // Far deeper is the same cheap refusal, not a stack overflow.
  EXPECT_EQ(start_with(nested_lists(200'000)).status, 400);
  auto long_string = start_with(R"({"uithuisgeplaatste": ")" + std::string(limits::kStringBytes + 1, 'x') + "\"}");
  EXPECT_EQ(long_string.status, 413) << long_string.reason();
  std::string many = "[0";
  for (std::size_t i = 0; i < limits::kListElements; ++i) many += ",0";
  auto long_list = start_with(R"({"kinderen": )" + many + "]}");
  EXPECT_EQ(long_list.status, 413) << long_list.reason();
  EXPECT_EQ(client->get("/api/v1/whoami", politie).status, 200);
}

// ---- 3: authority --------------------------------------------------------------------------

TEST_F(Api, OnlyRealRolesHoldTokensAndTheHostsAuthorityNeverComesOverHttp) {
  std::int64_t id = impose();
  // Issuing refuses an empty role and one no deployed process declares.
  auto refused = [&](const std::string& role) {
    return server->on_engine([&] {
      return http::issue_token(server->engine(), store::TokenHolder{"x-" + role, "X", role}, Actor::host("test"));
    });
  };
  EXPECT_EQ(refused("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused("koning").status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused("koning").status().message().find("not a role of any deployed process"), std::string::npos);
  // A token with an empty role from an older database is refused, and does not revoke the ban.
  server->on_engine([&] {
    server->engine().store().add_token(sha256_hex("tmj_old"), store::TokenHolder{"old", "Oud", ""}, clock.now());
    return 0;
  });
  auto revoke = client->post(fmt::format("/api/v1/cases/{}/revoke", id), "tmj_old", json::object());
  EXPECT_EQ(revoke.status, 403) << revoke.body;
  EXPECT_EQ(client->get("/api/v1/whoami", "tmj_old").status, 403);
  EXPECT_EQ(client->get(fmt::format("/api/v1/cases/{}", id), tokens["beheer"]).json()["status"], "running");
}

TEST_F(Api, TheCommandLineIssuesTokensOnlyForRealRoles) {
  std::string bin = TERMIJN_BINARY;
  std::string other = db + "-cli";
  auto run = [&](const std::string& args) {
    return run_command(fmt::format("'{}' {} --db '{}' 2>&1; echo \"exit $?\"", bin, args, other));
  };
  std::string empty = run("token add --name leeg --org X --role ''");
  EXPECT_NE(empty.find("exit 1"), std::string::npos) << empty;
  EXPECT_NE(empty.find("a token needs a role"), std::string::npos) << empty;
  std::string unknown = run("token add --name k --org X --role koning");
  EXPECT_NE(unknown.find("exit 1"), std::string::npos) << unknown;
  run_command(fmt::format("'{}' deploy --db '{}' '{}'", bin, other, TERMIJN_PROCESSES));
  std::string hovj = run("token add --name h --org X --role hovj --by 'F. Beheerder'");
  EXPECT_NE(hovj.find("tmj_"), std::string::npos) << hovj;
  EXPECT_NE(run("token revoke --name h --by 'F. Beheerder'").find("exit 0"), std::string::npos);
  // Both are audit entries naming who did it, and never the token.
  std::string log = run_command(fmt::format("'{}' audit log --db '{}'", bin, other));
  EXPECT_NE(log.find("token issued"), std::string::npos) << log;
  EXPECT_NE(log.find("token revoked"), std::string::npos) << log;
  EXPECT_NE(log.find("F. Beheerder"), std::string::npos) << log;
  EXPECT_EQ(log.find(hovj.substr(0, hovj.find('\n'))), std::string::npos) << "the token itself is never logged";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(other + suffix);
}

// ---- 4: need to know -----------------------------------------------------------------------

TEST_F(Api, ACaseTheCallerMayNotSeeIsAnsweredAsOneThatDoesNotExist) {
  std::int64_t id = start_case(json{{"aanhouding", true}, {"aangehouden_op", "2026-10-20 13:30"}, {"kindermishandeling", true}});
  std::int64_t task = task_id("hovj", id, "criteria_toetsen");
  const std::string& gemeente = tokens["gemeente"];
  for (const char* path : {"/api/v1/cases/{}", "/api/v1/cases/{}/timeline", "/api/v1/cases/{}/deadlines"}) {
    auto real = client->get(fmt::format(fmt::runtime(path), id), gemeente);
    auto none = client->get(fmt::format(fmt::runtime(path), 987654), gemeente);
    EXPECT_EQ(real.status, 404) << path;
    EXPECT_EQ(none.reason(), "no case 987654");
    std::string expected = none.body;
    expected.replace(expected.find("987654"), 6, std::to_string(id));
    EXPECT_EQ(real.body, expected) << path;
  }
  EXPECT_EQ(client->post(fmt::format("/api/v1/cases/{}/events", id), gemeente, json{{"event", "overtreding"}}).reason(),
            fmt::format("no case {}", id));
  // A task id in such a case says nothing of its step or role.
  auto complete = client->post(fmt::format("/api/v1/tasks/{}/complete", task), gemeente, json::object());
  EXPECT_EQ(complete.status, 404);
  EXPECT_EQ(complete.reason(), fmt::format("no task {}", task));
  // Inside, every refusal is audited.
  EXPECT_EQ(audit_count(id, "refused"), 5u);
}

TEST_F(Api, ARoleThatOnlyFollowsACaseSeesItsCourseNotItsDecisions) {
  std::int64_t id = impose();
  // The mayor may revoke, so follows the case: when and what step, not which way it went. (Read
  // first: the hovj's read at full sight is audited, and its entry is in later timelines; a read's
  // own entry is committed with its answer, so it is not in the timeline it answers.)
  json course = client->get(fmt::format("/api/v1/cases/{}/timeline", id), tokens["burgemeester"]).json();
  json full = client->get(fmt::format("/api/v1/cases/{}/timeline", id), tokens["hovj"]).json();
  ASSERT_FALSE(find_entry(full, "decided").is_null()) << full.dump(2);
  EXPECT_TRUE(find_entry(full, "decided")["detail"].contains("branch"));
  ASSERT_EQ(course.size(), full.size());
  for (const auto& entry : course) {
    for (const char* hidden : {"branch", "outputs", "fields", "actor", "message", "reason", "event", "by"}) {
      EXPECT_FALSE(entry["detail"].contains(hidden)) << entry.dump();
    }
  }
  json decided = find_entry(full, "decided");
  EXPECT_EQ(find_entry(course, "decided")["detail"], (json{{"step", decided["detail"]["step"]}}));
  EXPECT_EQ(find_entry(course, "decided")["at"], decided["at"]);
  // Deadlines, yes; their explanation, which quotes the case's data, no.
  json all = client->get(fmt::format("/api/v1/cases/{}/deadlines", id), tokens["hovj"]).json();
  json followed = client->get(fmt::format("/api/v1/cases/{}/deadlines", id), tokens["burgemeester"]).json();
  ASSERT_EQ(followed.size(), all.size());
  ASSERT_FALSE(all.empty());
  EXPECT_FALSE(all[0]["why"].empty());
  for (const auto& d : followed) EXPECT_TRUE(d["why"].empty()) << d.dump();
}

TEST_F(Api, AfterARedeployTheCaseListShowsOnlyCasesTheCallerCanOpen) {
  std::int64_t id = start_case();  // on version 2, where the municipality sends no event
  std::string v2 = read_file(std::string(TERMIJN_SOURCE_DIR) + "/processes/landelijk.wth");
  v2.replace(v2.find("version 2"), 9, "version 3");
  v2.replace(v2.find("schorsing by rechter"), 20, "schorsing by rechter or gemeente");
  auto deployed = client->post("/api/v1/processes", tokens["beheer"], json{{"files", {{"landelijk.wth", v2}}}});
  ASSERT_EQ(deployed.status, 201) << deployed.body;
  auto listed = client->get("/api/v1/cases", tokens["gemeente"]).json();
  EXPECT_TRUE(listed.empty()) << listed.dump(2);
  EXPECT_EQ(client->get(fmt::format("/api/v1/cases/{}", id), tokens["gemeente"]).status, 404);
  // A case on version 3 it may send events to is listed, and opens.
  std::int64_t newer = start_case();
  auto now_listed = client->get("/api/v1/cases", tokens["gemeente"]).json();
  ASSERT_EQ(now_listed.size(), 1u) << now_listed.dump(2);
  EXPECT_EQ(now_listed[0]["id"], newer);
  EXPECT_EQ(client->get(fmt::format("/api/v1/cases/{}", newer), tokens["gemeente"]).status, 200);
}

// ---- 5: idempotency ------------------------------------------------------------------------

TEST_F(Api, AnIdempotencyKeyBelongsToTheCommandItWasFirstUsedFor) {
  const std::string& politie = tokens["politie"];
  json body{{"process", "landelijk"}, {"data", {{"aanhouding", false}, {"kindermishandeling", false}}}};
  auto first = client->post("/api/v1/cases", politie, body, {{"Idempotency-Key", "k-1"}});
  ASSERT_EQ(first.status, 201);
  body["data"]["aanhouding"] = true;
  body["data"]["aangehouden_op"] = "2026-10-20 13:30";
  auto other = client->post("/api/v1/cases", politie, body, {{"Idempotency-Key", "k-1"}});
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_NE(other.reason().find("idempotency key was used before for another command"), std::string::npos);
  auto event = client->post(fmt::format("/api/v1/cases/{}/events", first.json()["case"].get<std::int64_t>()), politie,
                            json{{"event", "overtreding"}}, {{"Idempotency-Key", "k-1"}});
  EXPECT_EQ(event.status, 422) << event.body;
  EXPECT_EQ(client->get("/api/v1/cases", tokens["beheer"]).json().size(), 1u);
  // An embedding host gets the same answer from the engine.
  Status reused = server->on_engine([&] {
    Result<CaseId> id = server->engine().start_case("landelijk", body["data"], "", "host-key", "politie");
    EXPECT_TRUE(id.is_ok());
    return server->engine().cancel_case(*id, "vergissing", "host-key");
  });
  EXPECT_EQ(reused.code(), StatusCode::kInvalidArgument) << reused.message();
  EXPECT_GE(server->on_engine([&] { return server->engine().store().schema_version(); }), 3);  // the key's fingerprint
}

// ---- 10: audit -----------------------------------------------------------------------------

TEST_F(Api, EveryAuditEntryNamesWhoActedAndDeploysAndPurgesAreEntries) {
  std::int64_t id = start_case();
  json started = audit_entries(*server, id);
  json actor = find_entry(started, "case started")["detail"]["actor"];
  EXPECT_EQ(actor["role"], "politie");
  EXPECT_EQ(actor["organisation"], "Testregio");
  EXPECT_EQ(actor["name"].get<std::string>().rfind("politie-", 0), 0u) << actor.dump();
  for (const auto& e : started) EXPECT_TRUE(e["detail"].contains("actor")) << e.dump();
  // Case data set by a start names the fields, and who.
  json changed = find_entry(started, "case data changed");
  EXPECT_EQ(changed["detail"]["fields"], json::array({"aanhouding", "kindermishandeling"})) << started.dump(2);
  // A deploy is an entry with who deployed what.
  std::string landelijk = read_file(std::string(TERMIJN_SOURCE_DIR) + "/processes/landelijk.wth");
  ASSERT_EQ(client->post("/api/v1/processes", tokens["beheer"], json{{"files", {{"landelijk.wth", landelijk}}}}).status,
            201);
  json deployed = find_entry(audit_entries(*server, 0), "processes deployed");
  ASSERT_FALSE(deployed.is_null());
  EXPECT_EQ(deployed["detail"]["actor"]["role"], "beheer");
  EXPECT_EQ(deployed["detail"]["processes"][0]["name"], "landelijk");
  // A purge names who ordered it.
  set_clock("2032-01-01 09:00");
  ASSERT_EQ(client->post("/api/v1/purge", tokens["beheer"], json::object()).status, 200);
  json purged = find_entry(audit_entries(*server, 0), "case data purged");
  EXPECT_EQ(purged["detail"]["actor"]["organisation"], "Testregio");
  // Tokens never appear in the log.
  std::string log = audit_entries(*server, std::nullopt).dump();
  for (const auto& [role, token] : tokens) EXPECT_EQ(log.find(token), std::string::npos) << role;
}

// ---- 7: availability -----------------------------------------------------------------------

// Whether the server answers on a fresh connection from `from` (a loopback address of its own).
int whoami_status(unsigned short port, const std::string& from, const std::string& token) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.open(boost::asio::ip::tcp::v4());
  socket.bind({boost::asio::ip::make_address(from), 0});
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  std::string request = "GET /api/v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                        "\r\nConnection: close\r\n\r\n";
  boost::system::error_code ec;
  boost::asio::write(socket, boost::asio::buffer(request), ec);
  std::array<char, 64> head{};
  std::size_t n = socket.read_some(boost::asio::buffer(head), ec);
  if (ec || n < 12) return 0;
  return std::stoi(std::string(head.data() + 9, 3));
}

TEST_F(Api, OneClientHoldingIdleConnectionsDoesNotLockOutOthers) {
  server.reset();
  http::ServerOptions options;
  options.max_connections = 6;
  options.max_connections_per_client = 3;
  start(options);
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::socket> idle;
  for (int i = 0; i < 6; ++i) {
    idle.emplace_back(io);
    idle.back().connect({boost::asio::ip::make_address("127.0.0.1"), server->port()});
  }
  // The fourth and later are closed at once; the first three wait, idle.
  std::array<char, 16> buffer{};
  boost::system::error_code ec;
  idle.back().read_some(boost::asio::buffer(buffer), ec);
  EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) << ec.message();
  EXPECT_EQ(whoami_status(server->port(), "127.0.0.2", tokens["politie"]), 200);
}

TEST_F(Api, AConnectionThatSendsNothingIsClosedSoon) {
  server.reset();
  http::ServerOptions options;
  options.header_timeout = std::chrono::milliseconds(200);
  options.read_timeout = std::chrono::milliseconds(20'000);
  start(options);
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket silent(io);
  silent.connect({boost::asio::ip::make_address("127.0.0.1"), server->port()});
  auto began = std::chrono::steady_clock::now();
  std::array<char, 16> buffer{};
  boost::system::error_code ec;
  silent.read_some(boost::asio::buffer(buffer), ec);
  EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) << ec.message();
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(15)) << "closed by the header timeout, not the read timeout";
}

// A process file of about `tasks` tasks in a row: large enough that checking it takes a while.
// `processes` processes of `tasks` tasks each (limits::kStepsPerProcess bounds one process).
std::string large_program(int processes, int tasks) {
  std::string text = "import wth\n";
  for (int p = 0; p < processes; ++p) {
    text += fmt::format("\nprocess groot{} version 1 {{\n  title \"Groot\"\n  roles hovj\n  events melding by hovj\n"
                        "  start on melding\n", p);
    for (int i = 0; i < tasks; ++i) text += fmt::format("  task t{} \"Taak {}\" by hovj within 2 hours {{ }}\n", i, i);
    text += "}\n";
  }
  return text;
}

TEST_F(Api, ALargeDeployDoesNotHoldUpOtherCallers) {
  // The upload takes a while to compile. Were it compiled on the engine's thread, no other
  // caller would be answered until it was done; compiled beside it, others are. Ordering only,
  // no clock: a slow machine makes the compile longer, not the test fail.
  json upload{{"files", {{"groot.wth", large_program(4, 1990)}}}};
  std::atomic<bool> deployed{false};
  int deploy_status = 0;
  std::thread deployer([&] {
    HttpClient admin(server->port());
    deploy_status = admin.post("/api/v1/processes", tokens["beheer"], upload).status;
    deployed = true;
  });
  int answered_meanwhile = 0;
  for (int i = 0; i < 100'000 && !deployed; ++i) {
    if (client->get("/api/v1/whoami", tokens["politie"]).status == 200 && !deployed) ++answered_meanwhile;
  }
  deployer.join();
  EXPECT_EQ(deploy_status, 201);
  EXPECT_GT(answered_meanwhile, 0) << "every caller waited for the deploy";
}

// Graphviz took 40 s over a hundred decisions that jump about, and any caller may ask for a
// diagram. It draws beside the engine's thread, is stopped after model::kDrawingTime, and the
// answer (422) is kept: the next caller gets it at once, and dot never runs for it again.
TEST_F(Api, ADiagramGraphvizCannotDrawInTimeHoldsUpNobodyAndIsRefusedWithAReason) {
  if (std::system("command -v dot >/dev/null 2>&1") != 0) GTEST_SKIP() << "Graphviz's dot is not installed";
  std::string text = "import wth\n\nprocess sprongen version 1 {\n  roles hovj\n  events melding by hovj\n"
                     "  case { x: bool }\n  start on melding\n";
  for (int i = 0; i < 100; ++i) {
    text += fmt::format("  decide d{} {{\n    when x -> d{}\n    otherwise {{ task t{} by hovj within 1 day }}\n  }}\n",
                        i, i * 7919 % 100, i);
  }
  json upload{{"files", {{"sprongen.wth", text + "}\n"}}}};
  ASSERT_EQ(client->post("/api/v1/processes", tokens["beheer"], upload).status, 201);
  std::atomic<bool> answered{false};
  ClientResponse first;
  std::thread asker([&] {
    HttpClient other(server->port());
    first = other.get("/api/v1/processes/sprongen/diagram.svg", tokens["politie"]);
    answered = true;
  });
  int answered_meanwhile = 0;
  for (int i = 0; i < 1'000'000 && !answered; ++i) {
    if (client->get("/api/v1/whoami", tokens["politie"]).status == 200 && !answered) ++answered_meanwhile;
  }
  asker.join();
  EXPECT_EQ(first.status, 422) << first.body;
  EXPECT_NE(first.body.find("Graphviz could not draw process 'sprongen' within 10 seconds"), std::string::npos)
      << first.body;
  EXPECT_GT(answered_meanwhile, 0) << "every caller waited for Graphviz";
  ClientResponse again = client->get("/api/v1/processes/sprongen/diagram.svg", tokens["politie"]);
  EXPECT_EQ(again.status, 422);
  EXPECT_EQ(client->get("/api/v1/processes/landelijk/diagram.svg", tokens["politie"]).status, 200);
}

}  // namespace
}  // namespace termijn::testing
