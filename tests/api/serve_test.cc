// `termijn serve` as an operator runs it: tokens issued with the CLI, the server started as a
// process on a free port, a case started and imposed over HTTP, the notification written by the
// log sink, a clean stop on SIGTERM, and the case still there for the CLI afterwards.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/run_command.h"
#include "tests/support/serve_process.h"
#include "tests/support/rihg.h"

namespace termijn::testing {
namespace {

using nlohmann::json;

TEST(Serve, AnOperatorRunsTheServerAndAHostDrivesACaseOverHttp) {
  std::string dir = (std::filesystem::temp_directory_path() / fmt::format("termijn-{}-serve", getpid())).string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string db = dir + "/t.db", log = dir + "/notifications.jsonl";
  std::string bin = TERMIJN_BINARY;
  // Tokens are issued only for roles a deployed process declares.
  run_command(fmt::format("'{}' deploy --db '{}' '{}'", bin, db, TERMIJN_PROCESSES));
  std::string politie = run_command(fmt::format("'{}' token add --db '{}' --name p --org Politie --role politie", bin, db));
  std::string hovj = run_command(fmt::format("'{}' token add --db '{}' --name h --org Politie --role hovj", bin, db));
  ASSERT_EQ(politie.rfind("tmj_", 0), 0u) << politie;
  EXPECT_NE(run_command(fmt::format("'{}' token list --db '{}'", bin, db)).find("hovj"), std::string::npos);

  ServeProcess serve(bin, {"--db", db, "--processes", TERMIJN_PROCESSES, "--listen", "127.0.0.1:0", "--notify-log", log});
  unsigned short port = serve.port();
  ASSERT_NE(port, 0) << serve.output();

  HttpClient client(port);
  auto started = client.post("/api/v1/cases", politie,
                             json{{"process", "landelijk"}, {"data", {{"aanhouding", false}, {"kindermishandeling", false}}}});
  ASSERT_EQ(started.status, 201) << started.body;
  auto tasks = client.get("/api/v1/tasks", hovj).json();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(client.post(fmt::format("/api/v1/tasks/{}/complete", tasks[0]["id"].get<std::int64_t>()), hovj,
                        json{{"outputs", {{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true},
                                          {"woont_anders_dan_incidenteel", true}}}})
                .status,
            200);
  tasks = client.get("/api/v1/tasks", hovj).json();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(client.post(fmt::format("/api/v1/tasks/{}/complete", tasks[0]["id"].get<std::int64_t>()), hovj,
                        json{{"outputs", termijn::testing::rihg_answers()}})
                .status,
            200);
  // Imposed: the mayor, police and care are notified (art. 2 lid 8 Wth); the log sink has it.
  std::string line;
  for (int i = 0; i < 200 && line.empty(); ++i) {
    std::ifstream in(log);
    std::getline(in, line);
    if (line.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(line.empty()) << "no notification in " << log;
  EXPECT_NE(json::parse(line)["message"].get<std::string>().find("Huisverbod opgelegd"), std::string::npos) << line;

  // Up and ready: the real timer loop runs and nothing waits.
  EXPECT_EQ(client.get("/healthz", "").status, 200);
  auto ready = client.get("/readyz", "");
  EXPECT_EQ(ready.status, 200) << ready.body;

  int status = serve.stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  // Its log: one JSON object per line, each with when, how bad and what; the notification by its
  // case number; never a token, never case data.
  std::istringstream lines(serve.output());
  std::set<std::string> events;
  for (std::string entry; std::getline(lines, entry);) {
    json j = json::parse(entry, nullptr, false);
    ASSERT_TRUE(j.is_object()) << entry;
    for (const char* member : {"ts", "level", "event", "msg"}) EXPECT_TRUE(j[member].is_string()) << entry;
    events.insert(j["event"].get<std::string>());
    EXPECT_EQ(entry.find("tmj_"), std::string::npos) << entry;
    EXPECT_EQ(entry.find("meerderjarig"), std::string::npos) << entry;
  }
  for (const char* event : {"deploy.done", "serve.started", "http.listening", "notification", "serve.stopping"}) {
    EXPECT_EQ(events.count(event), 1u) << event << " not logged: " << serve.output();
  }
  json cases = json::parse(run_command(fmt::format("'{}' cases --db '{}' --json", bin, db)));
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0]["status"], "running");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace termijn::testing
