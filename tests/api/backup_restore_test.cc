// Back up under load, restore, verify: a real `termijn serve` takes cases and task completions
// over HTTP while `termijn backup` copies its database. Each backup, restored into a fresh path,
// verifies its audit chain and is the source as it was at one commit: its audit log is a prefix
// of the source's, and every case no later entry touched is identical in both.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/run_command.h"
#include "tests/support/serve_process.h"

namespace termijn::testing {
namespace {

using nlohmann::json;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// One client's load: start a case, complete its first task, and again, until told to stop.
void drive_cases(unsigned short port, const std::string& politie, const std::string& hovj,
                 const std::atomic<bool>& stop, std::atomic<int>& started, std::atomic<int>& failures) {
  HttpClient client(port);
  while (!stop) {
    auto r = client.post("/api/v1/cases", politie,
                         json{{"process", "landelijk"}, {"data", {{"aanhouding", false}, {"kindermishandeling", false}}}});
    if (r.status != 201) {
      ++failures;
      return;
    }
    ++started;
    auto tasks = client.get(fmt::format("/api/v1/tasks?case={}", r.json()["case"].get<std::int64_t>()), hovj).json();
    if (!tasks.is_array() || tasks.empty()) {
      ++failures;
      return;
    }
    auto done = client.post(fmt::format("/api/v1/tasks/{}/complete", tasks[0]["id"].get<std::int64_t>()), hovj,
                            json{{"outputs", {{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true},
                                              {"woont_anders_dan_incidenteel", true}}}});
    if (done.status != 200) ++failures;
  }
}

TEST(BackupRestore, BackupsTakenUnderLoadRestoreToAConsistentMomentOfTheSource) {
  std::string dir = (std::filesystem::temp_directory_path() / fmt::format("termijn-{}-backup", getpid())).string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string db = dir + "/t.db";
  std::string bin = TERMIJN_BINARY;
  run_command(fmt::format("'{}' deploy --db '{}' '{}/landelijk.wth'", bin, db, TERMIJN_PROCESSES));
  std::string politie = run_command(fmt::format("'{}' token add --db '{}' --name p --org Politie --role politie", bin, db));
  std::string hovj = run_command(fmt::format("'{}' token add --db '{}' --name h --org Politie --role hovj", bin, db));
  ServeProcess serve(bin, {"--db", db, "--listen", "127.0.0.1:0"});
  ASSERT_NE(serve.port(), 0) << serve.output();

  std::atomic<bool> stop{false};
  std::atomic<int> started{0}, failures{0};
  std::thread load(drive_cases, serve.port(), politie, hovj, std::cref(stop), std::ref(started), std::ref(failures));
  while (started < 20 && failures == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  constexpr int kBackups = 3;
  int overlapped = 0;
  for (int i = 0; i < kBackups; ++i) {
    int before = started;
    std::string out = run_command(fmt::format("'{}' backup --db '{}' --to '{}/b{}.db' 2>&1; echo exit=$?", bin, db, dir, i));
    if (started > before) ++overlapped;
    EXPECT_NE(out.find("backed up"), std::string::npos) << out;
    EXPECT_NE(out.find("exit=0"), std::string::npos) << out;
    std::cout << out << " (cases started meanwhile: " << started - before << ")\n";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  // A backup replaces nothing unasked, and a restore waits for the server to stop.
  std::string again = run_command(fmt::format("'{}' backup --db '{}' --to '{}/b0.db' 2>&1; echo exit=$?", bin, db, dir));
  EXPECT_NE(again.find("exists already"), std::string::npos) << again;
  EXPECT_NE(again.find("exit=2"), std::string::npos) << again;
  std::string busy =
      run_command(fmt::format("'{}' restore --from '{}/b0.db' --db '{}' --force 2>&1; echo exit=$?", bin, dir, db));
  EXPECT_NE(busy.find("stop it before restoring"), std::string::npos) << busy;
  EXPECT_NE(busy.find("exit=2"), std::string::npos) << busy;

  stop = true;
  load.join();
  EXPECT_EQ(failures, 0);
  EXPECT_GT(overlapped, 0) << "no backup ran while cases were being started";
  int status = serve.stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  std::vector<std::string> source_log = lines_of(run_command(fmt::format("'{}' audit log --db '{}'", bin, db)));
  json source_cases = json::parse(run_command(fmt::format("'{}' cases --db '{}' --json", bin, db)));
  std::regex case_of(R"(  case (\d+) )");
  for (int i = 0; i < kBackups; ++i) {
    std::string restored = fmt::format("{}/restored{}.db", dir, i);
    std::string out =
        run_command(fmt::format("'{}' restore --from '{}/b{}.db' --db '{}' 2>&1; echo exit=$?", bin, dir, i, restored));
    ASSERT_NE(out.find("exit=0"), std::string::npos) << out;
    std::string verified = run_command(fmt::format("'{}' audit verify --db '{}' 2>&1", bin, restored));
    EXPECT_NE(verified.find("audit log intact"), std::string::npos) << verified;

    std::vector<std::string> log = lines_of(run_command(fmt::format("'{}' audit log --db '{}'", bin, restored)));
    ASSERT_LE(log.size(), source_log.size());
    ASSERT_GT(log.size(), 0u);
    for (std::size_t k = 0; k < log.size(); ++k) ASSERT_EQ(log[k], source_log[k]) << "backup " << i << ", entry " << k + 1;
    std::set<std::int64_t> touched_later;
    for (std::size_t k = log.size(); k < source_log.size(); ++k) {
      std::smatch m;
      if (std::regex_search(source_log[k], m, case_of)) touched_later.insert(std::stoll(m[1]));
    }
    json cases = json::parse(run_command(fmt::format("'{}' cases --db '{}' --json", bin, restored)));
    ASSERT_GE(cases.size(), 20u);
    std::size_t compared = 0;
    for (std::size_t k = 0; k < cases.size(); ++k) {
      EXPECT_EQ(cases[k]["id"], static_cast<std::int64_t>(k + 1)) << "the backup's cases are the first ones";
      if (touched_later.count(static_cast<std::int64_t>(k + 1)) != 0) continue;
      EXPECT_EQ(cases[k], source_cases[k]);
      ++compared;
    }
    EXPECT_GT(compared, 0u);
    std::cout << fmt::format("backup {}: {} cases, {} audit entries, {} compared unchanged\n", i, cases.size(), log.size(),
                             compared);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace termijn::testing
