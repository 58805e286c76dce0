// The fixture of the API tests: a real server on localhost with the shipped processes deployed,
// one token per role, a client, and a virtual clock moved on the engine's thread.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "tests/support/api_server.h"
#include "tests/support/http_client.h"
#include "tests/support/rihg.h"

namespace termijn::testing {

using nlohmann::json;

inline Instant at(const std::string& local) { return *parse_instant(local); }

class Api : public ::testing::Test {
 protected:
  void SetUp() override { start(); }
  void TearDown() override {
    server.reset();
    remove_db();
  }
  void start(http::ServerOptions options = {}, http::DeliveryOptions delivery = {}, http::MonitorOptions monitor = {}) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    db = (std::filesystem::temp_directory_path() /
          fmt::format("termijn-{}-api-{}.db", getpid(), info->name())).string();
    remove_db();
    server = std::make_unique<ApiServer>(db, clock, std::string(TERMIJN_SOURCE_DIR) + "/processes",
                                         TERMIJN_STDLIB_DIR, options, delivery, /*durable=*/true, monitor);
    for (const char* role : {"politie", "hovj", "hulpverlening", "gemeente", "burgemeester", "veilig_thuis", "beheer"}) {
      tokens[role] = server->token(role);
    }
    client = std::make_unique<HttpClient>(server->port());
  }
  void remove_db() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  }
  // Moves the virtual clock, firing what falls due, on the engine's thread.
  void advance_to(const std::string& local) {
    server->on_engine([&] { return server->engine().run_until(clock, at(local)); });
  }
  void set_clock(const std::string& local) {
    server->on_engine([&] {
      clock.set(at(local));
      return 0;
    });
  }
  // The open task at `step` for the acting role, found through the API.
  std::int64_t task_id(const std::string& role, std::int64_t case_id, const std::string& step) {
    auto r = client->get(fmt::format("/api/v1/tasks?case={}", case_id), tokens[role]);
    EXPECT_EQ(r.status, 200) << r.body;
    for (const auto& t : r.json()) {
      if (t["step"] == step) return t["id"];
    }
    ADD_FAILURE() << role << " has no open task '" << step << "' in case " << case_id << ": " << r.body;
    return 0;
  }
  ClientResponse complete(const std::string& role, std::int64_t case_id, const std::string& step, json outputs = {}) {
    return client->post(fmt::format("/api/v1/tasks/{}/complete", task_id(role, case_id, step)), tokens[role],
                        json{{"outputs", outputs.is_null() ? json::object() : outputs}});
  }
  std::int64_t start_case(json data = {{"aanhouding", false}, {"kindermishandeling", false}}) {
    auto r = client->post("/api/v1/cases", tokens["politie"], json{{"process", "landelijk"}, {"data", data}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("case", 0);
  }
  // Day 0: the criteria hold and the RiHG says impose (a new case unless `id` is given).
  std::int64_t impose(std::int64_t id = 0) {
    if (id == 0) id = start_case();
    set_clock("2026-10-20 14:10");
    EXPECT_EQ(complete("hovj", id, "criteria_toetsen",
                       {{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true}, {"woont_anders_dan_incidenteel", true}})
                  .status, 200);
    set_clock("2026-10-20 14:35");
    EXPECT_EQ(complete("hovj", id, "rihg", rihg_answers()).status, 200);
    return id;
  }
  std::size_t audit_count(std::int64_t case_id, const std::string& kind) {
    return server->on_engine([&] {
      std::size_t n = 0;
      for (const auto& e : server->engine().audit(case_id)) n += e["kind"] == kind;
      return n;
    });
  }

  VirtualClock clock{at("2026-10-20 14:00")};
  std::string db;
  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> client;
  std::map<std::string, std::string> tokens;
};

}  // namespace termijn::testing
