// API throughput and latency on localhost: each client is a host system that starts a case
// (POST /cases) and completes its first task (GET /tasks, POST /tasks/{id}/complete), over
// keep-alive HTTP/1.1 connections to a real server with the durable SQLite store.
//   bench_api [clients=16] [cases per client=300]
// TERMIJN_BENCH_NO_FSYNC=1 separates the engine's and HTTP's cost from the disk's.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include "tests/support/api_server.h"
#include "tests/support/http_client.h"

using namespace termijn;
using Clock_ = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int clients = argc > 1 ? std::atoi(argv[1]) : 16;
  int per_client = argc > 2 ? std::atoi(argv[2]) : 300;
  bool durable = std::getenv("TERMIJN_BENCH_NO_FSYNC") == nullptr;
  std::string db = (std::filesystem::temp_directory_path() / fmt::format("termijn-bench-api-{}.db", getpid())).string();
  auto clean = [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  };
  clean();
  SystemClock clock;
  std::vector<std::vector<double>> latencies(clients);  // ms per request
  double seconds = 0;
  {
    testing::ApiServer server(db, clock, std::string(TERMIJN_SOURCE_DIR) + "/processes",
                              std::string(TERMIJN_SOURCE_DIR) + "/stdlib", {}, {}, durable);
    std::string politie = server.token("politie");
    std::string hovj = server.token("hovj");
    nlohmann::json start{{"process", "landelijk"}, {"data", {{"aanhouding", false}, {"kindermishandeling", false}}}};
    nlohmann::json outputs{{"outputs",
                            {{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true}, {"woont_anders_dan_incidenteel", true}}}};
    std::vector<std::thread> threads;
    auto begin = Clock_::now();
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        testing::HttpClient client(server.port());
        auto timed = [&](auto&& call) {
          auto t0 = Clock_::now();
          auto r = call();
          latencies[c].push_back(std::chrono::duration<double, std::milli>(Clock_::now() - t0).count());
          if (r.status >= 300) throw std::runtime_error(r.body);
          return r;
        };
        for (int i = 0; i < per_client; ++i) {
          auto started = timed([&] { return client.post("/api/v1/cases", politie, start); });
          std::int64_t id = started.json()["case"];
          auto tasks = timed([&] { return client.get(fmt::format("/api/v1/tasks?case={}", id), hovj); });
          std::int64_t task = tasks.json()[0]["id"];
          timed([&] { return client.post(fmt::format("/api/v1/tasks/{}/complete", task), hovj, outputs); });
        }
      });
    }
    for (auto& t : threads) t.join();
    seconds = std::chrono::duration<double>(Clock_::now() - begin).count();
  }
  clean();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all[static_cast<std::size_t>(p * (all.size() - 1))]; };
  fmt::print("api {} ({}): {} clients x {} cases, {} requests in {:.2f} s\n", durable ? "durable" : "no fsync",
             "start + list tasks + complete", clients, per_client, all.size(), seconds);
  fmt::print("  {:.0f} requests/s, {:.0f} start+complete cases/s (goal >= 10,000 requests/s with 16 clients)\n",
             all.size() / seconds, clients * per_client / seconds);
  fmt::print("  latency ms: p50 {:.2f}  p90 {:.2f}  p99 {:.2f}  max {:.2f} (goal p99 <= 10 ms)\n", pct(0.5), pct(0.9),
             pct(0.99), all.back());
  return 0;
}
