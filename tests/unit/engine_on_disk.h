// An engine on a fresh database with one process deployed, for the tests of group commit and its
// pipeline: the disk is read (and changed, to inject failures) through a second connection, as
// another process, or a restart, would see it.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "engine/api/engine.h"
#include "engine/store/sqlite.h"
#include "tests/unit/lifecycle_support.h"

namespace termijn::testing {

struct EngineOnDisk {
  std::string path;
  std::string process_file;  // the text of meldingen.wth
  VirtualClock clock{*parse_instant("2026-10-20 09:00")};
  std::unique_ptr<Engine> engine;

  EngineOnDisk(const char* name, std::string process) : path(temp_path(name)), process_file(std::move(process)) {
    reopen();
  }
  // A restart: the engine goes (writing what is in flight) and is opened again on the same file.
  void reopen() {
    engine.reset();
    auto opened = Engine::open(EngineOptions{path, &clock, {TERMIJN_STDLIB_DIR}});
    if (!opened.is_ok()) throw std::runtime_error(opened.status().message());
    engine = std::move(opened.value());
    DeployResult deployed = engine->deploy_sources({{"meldingen.wth", process_file}});
    if (!deployed.ok()) throw std::runtime_error(render(deployed.diagnostics));
  }
  // What a second connection finds on disk.
  std::int64_t on_disk(const std::string& sql) const {
    store::Database db(path);
    return db.scalar(sql);
  }
  void exec(const std::string& sql) const {
    store::Database db(path);
    db.exec(sql);
  }
  TaskId only_task(CaseId id) const { return engine->runtime().find_case(id)->tasks.begin()->first; }
};

}  // namespace termijn::testing
