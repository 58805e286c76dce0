// The crash test's worker: drives many national-baseline cases on a virtual clock against a
// database, printing "ACK <key>" after each command the engine acknowledged. The parent kills it
// at random moments and restarts it; every command has an idempotency key, so a restarted worker
// redoes its last iteration safely. Each iteration's commands (a start and its case's first
// tasks) are one group commit: all live at once, acknowledged together once the group is on disk.
// Pipelined: an iteration's group is handed to the writer thread, and acknowledged when the next
// iteration collects it (or its timers are fired, which waits for it).
//   crash_worker DB PROCESS_FILE_OR_FOLDER STDLIB FROM TO
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "engine/api/engine.h"
#include "tests/support/rihg.h"

using namespace termijn;

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: crash_worker DB PROCESS_FILE_OR_FOLDER STDLIB FROM TO\n");
    return 2;
  }
  const int from = std::atoi(argv[4]);
  const int to = std::atoi(argv[5]);
  const Instant t0 = *parse_instant("2026-10-20 08:00");
  auto iteration_time = [&](int i) { return t0 + std::chrono::minutes(90) * i; };
  VirtualClock clock(iteration_time(from));
  auto opened = Engine::open(EngineOptions{argv[1], &clock, {argv[3]}});
  if (!opened.is_ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().message().c_str());
    return 1;
  }
  Engine& engine = *opened.value();
  if (!engine.deploy({argv[2]}).ok()) return 1;
  auto ack = [](const std::string& key) {
    std::printf("ACK %s\n", key.c_str());
    std::fflush(stdout);
  };
  bool failed = false;
  auto acked = [&](const std::string& key) {
    return [&failed, &ack, key](auto answer) {
      if (answer.is_ok()) {
        ack(key);
      } else {
        failed = true;
      }
    };
  };
  for (int i = from; i < to; ++i) {
    engine.run_until(clock, iteration_time(i));
    std::string key = "start-" + std::to_string(i);
    std::optional<CaseId> id;
    engine.submit<Result<CaseId>>(
        [&] {
          Result<CaseId> started = engine.start_case(
              "landelijk",
              Json{{"aanhouding", i % 3 == 0}, {"aangehouden_op", "2026-10-20 13:30"}, {"kindermishandeling", i % 5 == 0}},
              "crisismelding", key);
          if (started.is_ok()) id = *started;
          return started;
        },
        acked(key));
    if (!id) return 1;
    // Work the case's first tasks; a task done before a crash is simply no longer open.
    const Json outputs[] = {
        Json{{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true}, {"woont_anders_dan_incidenteel", true}},
        Json::object(), termijn::testing::rihg_answers(i % 4 != 0)};
    const char* steps[] = {"criteria_toetsen", "vt_raadplegen", "rihg"};
    for (int s = 0; s < 3; ++s) {
      const runtime::Instance* c = engine.runtime().find_case(*id);
      if (c == nullptr) break;
      for (const auto& [task_id, task] : c->tasks) {
        if (task.name != steps[s]) continue;
        std::string task_key = "task-" + std::to_string(task_id);
        engine.submit<Status>([&, task = task_id] { return engine.complete_task(task, "hovj", outputs[s], task_key); },
                              acked(task_key));
        break;
      }
    }
    if (!engine.hand_over().is_ok() || failed) return 1;
  }
  if (!engine.flush().is_ok() || failed) return 1;
  engine.run_until(clock, iteration_time(to));
  std::printf("DONE\n");
  return 0;
}
