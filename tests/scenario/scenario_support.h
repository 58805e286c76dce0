// A fixture for scenario tests: an engine on a virtual clock and a fresh SQLite file, with the
// shipped process files deployed. Times are written in Amsterdam local time.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "engine/api/engine.h"

namespace termijn::testing {

inline Instant at(const std::string& local) { return *parse_instant(local); }

class ScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("termijn-") + std::to_string(getpid()) + "-" + info->test_suite_name() + "-" +
                       info->name() + ".db";
    std::replace(name.begin(), name.end(), '/', '_');  // parameterised tests have a '/' in their name
    db_path_ = std::filesystem::temp_directory_path() / name;
    remove_db();
    open();
    DeployResult deployed = engine->deploy({std::string(TERMIJN_SOURCE_DIR) + "/processes"});
    ASSERT_TRUE(deployed.ok()) << render(deployed.diagnostics);
  }
  void TearDown() override {
    engine.reset();
    remove_db();
  }
  void remove_db() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path_.string() + suffix);
  }
  void open() {
    auto opened = Engine::open(EngineOptions{db_path_.string(), &clock, {TERMIJN_STDLIB_DIR}});
    ASSERT_TRUE(opened.is_ok()) << opened.status().message();
    engine = std::move(opened.value());
  }
  // Closes the engine and opens it again on the same file, as after a restart.
  void restart() {
    engine.reset();
    open();
  }

  // The open task of a case at `step`, or nullptr.
  const runtime::Task* task(CaseId id, const std::string& step) {
    const runtime::Instance* c = engine->runtime().find_case(id);
    if (c == nullptr) return nullptr;
    for (const auto& [_, t] : c->tasks) {
      if (t.name == step) return &t;
    }
    return nullptr;
  }
  // How many tasks at `step` are open in the case (a `for each` opens several).
  int open_tasks(CaseId id, const std::string& step) {
    const runtime::Instance* c = engine->runtime().find_case(id);
    int n = 0;
    if (c != nullptr) {
      for (const auto& [_, t] : c->tasks) n += t.name == step;
    }
    return n;
  }
  TaskId task_id(CaseId id, const std::string& step) {
    const runtime::Task* t = task(id, step);
    EXPECT_NE(t, nullptr) << "no open task '" << step << "' in case " << id;
    return t == nullptr ? 0 : t->id;
  }
  void complete(CaseId id, const std::string& step, const std::string& role, const Json& outputs = Json::object()) {
    Status s = engine->complete_task(task_id(id, step), role, outputs);
    ASSERT_TRUE(s.is_ok()) << step << ": " << s.message();
  }
  // Moves the virtual clock, firing every timer due on the way.
  void advance_to(const std::string& local) { engine->run_until(clock, at(local)); }

  std::vector<Json> audit_of(CaseId id, const std::string& kind) {
    std::vector<Json> out;
    for (const auto& e : engine->audit(id)) {
      if (e.at("kind") == kind) out.push_back(e);
    }
    return out;
  }
  std::vector<Json> notifications_to(const std::string& role) {
    std::vector<Json> out;
    for (const auto& n : engine->outbox()) {
      for (const auto& r : n.at("roles")) {
        if (r == role) out.push_back(n);
      }
    }
    return out;
  }
  std::string local(Instant t) { return engine->legal().format(t); }

  VirtualClock clock{at("2026-10-20 14:00")};
  std::unique_ptr<Engine> engine;
  std::filesystem::path db_path_;
};

}  // namespace termijn::testing
