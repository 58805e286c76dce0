// Compact steps (docs/engine.md#the-store): a case's open tasks and live timers are rows of their
// own, not part of its stored state, so a step writes only what it changed. What a restart reads
// back must be exactly the live state: every task with its step, token, role and deadline, every
// timer with its rung, token and incident.
#include <gtest/gtest.h>

#include <set>

#include "engine/api/engine.h"
#include "engine/store/sqlite.h"
#include "tests/support/audit_schema.h"
#include "tests/support/rihg.h"
#include "tests/support/storing.h"
#include "tests/unit/lifecycle_support.h"

namespace termijn {
namespace {

using testing::temp_path;

// A case's state as the store keeps it: the outputs its completed tasks' rows hold named by
// those tasks, not repeated.
std::string stored(const runtime::Instance& c) {
  Json state = runtime::to_json(c);
  state["output_tasks"] = Json::object();
  for (const auto& [node, given] : c.outputs) {
    if (given->task == 0) continue;
    state["outputs"].erase(std::to_string(node));
    state["output_tasks"][std::to_string(node)] = given->task;
  }
  return state.dump();
}

// Every running case whole: its state, open tasks and live timers.
Json snapshot(const Engine& engine) {
  Json out = Json::object();
  for (const auto& [id, c] : engine.runtime().cases()) out[std::to_string(id)] = runtime::whole_json(c);
  return out;
}

std::unique_ptr<Engine> open_engine(const std::string& path, Clock& clock) {
  auto opened = Engine::open(EngineOptions{path, &clock, {TERMIJN_STDLIB_DIR}});
  if (!opened.is_ok()) throw std::runtime_error(opened.status().message());
  return std::move(opened.value());
}

// Cases in every kind of waiting: national cases three days in (escalations fired, tasks
// reassigned, levels raised, named timers and waits pending) and an incident (a failed timer).
void make_cases(Engine& e, VirtualClock& clock) {
  DeployResult deployed = e.deploy({std::string(TERMIJN_SOURCE_DIR) + "/processes/landelijk.wth"});
  ASSERT_TRUE(deployed.ok()) << render(deployed.diagnostics);
  ASSERT_TRUE(e.deploy_sources({{"storing.wth", testing::kStoring}}).ok());
  for (int i = 0; i < 3; ++i) {
    auto id = e.start_case("landelijk", Json{{"aanhouding", i == 0}, {"aangehouden_op", "2026-10-20 13:30"},
                                             {"kindermishandeling", i == 1}},
                           "crisismelding");
    ASSERT_TRUE(id.is_ok()) << id.status().message();
    if (i == 2) continue;  // left alone: its deadlines escalate
    for (const auto& [task, t] : e.runtime().find_case(*id)->tasks) {
      if (t.name != "criteria_toetsen") continue;
      ASSERT_TRUE(e.complete_task(task, "hovj",
                                  Json{{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true},
                                       {"woont_anders_dan_incidenteel", true}})
                      .is_ok());
      break;
    }
  }
  ASSERT_TRUE(e.start_case("storing", Json::object(), "melding").is_ok());
  e.run_until(clock, *parse_instant("2026-10-23 12:00"));
  ASSERT_FALSE(e.incidents().empty());
}

// Makes the cases in a database at `path` and closes it; returns them as they were live.
Json cases_made(const std::string& path, VirtualClock& clock) {
  auto e = open_engine(path, clock);
  make_cases(*e, clock);
  return snapshot(*e);
}

TEST(CompactState, ARestartGivesBackEveryOpenTaskAndLiveTimerAsTheyWere) {
  std::string path = temp_path("compact-restart.db");
  VirtualClock clock(*parse_instant("2026-10-20 14:00"));
  const Json before = cases_made(path, clock);
  ASSERT_GE(before.size(), 4u);
  auto e = open_engine(path, clock);
  EXPECT_EQ(snapshot(*e).dump(1), before.dump(1));
  EXPECT_EQ(e->incidents().size(), 1u);
  // The outputs read back carry their text again, and it is the text of their value.
  for (const auto& [id, c] : e->runtime().cases()) {
    for (const auto& [node, given] : c.outputs) EXPECT_EQ(given->text, given->value.dump()) << "case " << id;
    EXPECT_EQ(runtime::state_text(c), stored(c)) << "case " << id;
  }
  // The stored states hold no tasks, timers or outputs: those are the rows'.
  store::Database db(path);
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM cases WHERE json_type(state, '$.tasks') IS NOT NULL "
                      "OR json_type(state, '$.timers') IS NOT NULL OR json(json_extract(state, '$.outputs')) <> '{}' "
                      "OR json_type(state, '$.output_tasks') IS NULL"),
            0);
  EXPECT_GE(db.scalar("SELECT COUNT(*) FROM tasks WHERE status = 'completed' AND outputs <> '{}'"), 2);
}

TEST(CompactState, ARestartGivesBackTheOutputsOfTheTaskThatGaveThemLast) {
  // A state names the task whose row holds a step's outputs. A `for each` opens a task of one
  // step per element, and they complete in any order: the live case keeps the outputs of the
  // one completed last, which need not be the newest task.
  std::string path = temp_path("compact-outputs.db");
  VirtualClock clock(*parse_instant("2026-10-20 14:00"));
  const char* kEach = R"(
process ieder {
  roles beheer
  case {
    namen: list<text>
  }
  events aanvraag
  start on aanvraag
  for each n in namen {
    task bellen "Bellen" by beheer within 1 days {
      output bereikt: bool
    }
  }
  task afronden "Afronden" by beheer within 10 days
}
)";
  Json live;
  {
    auto e = open_engine(path, clock);
    DeployResult deployed = e->deploy_sources({{"ieder.wth", kEach}});
    ASSERT_TRUE(deployed.ok()) << render(deployed.diagnostics);
    auto id = e->start_case("ieder", Json{{"namen", {"a", "b"}}}, "aanvraag");
    ASSERT_TRUE(id.is_ok()) << id.status().message();
    std::vector<runtime::TaskId> bellen;
    for (const auto& [task, t] : e->runtime().find_case(*id)->tasks) bellen.push_back(task);
    ASSERT_EQ(bellen.size(), 2u);
    ASSERT_TRUE(e->complete_task(bellen[1], "beheer", Json{{"bereikt", true}}).is_ok());
    ASSERT_TRUE(e->complete_task(bellen[0], "beheer", Json{{"bereikt", false}}).is_ok());
    const runtime::Instance* c = e->runtime().find_case(*id);
    ASSERT_EQ(c->outputs.size(), 1u);
    EXPECT_EQ(c->outputs.begin()->second->value, (Json{{"bereikt", false}}));
    live = snapshot(*e);
  }
  auto e = open_engine(path, clock);
  EXPECT_EQ(snapshot(*e).dump(1), live.dump(1));
}

TEST(CompactState, TheStateWrittenAtEveryStepIsTheTextOfItsJson) {
  // state_text writes the state without building it as a value first; it must say exactly what
  // to_json says (but for the outputs the task rows hold), for cases in every kind of waiting,
  // with outputs, forks and text to escape.
  std::string path = temp_path("compact-text.db");
  VirtualClock clock(*parse_instant("2026-10-20 14:00"));
  auto e = open_engine(path, clock);
  make_cases(*e, clock);
  ASSERT_GE(e->runtime().cases().size(), 4u);
  std::size_t outputs = 0;
  for (const auto& [id, c] : e->runtime().cases()) {
    EXPECT_EQ(runtime::state_text(c), stored(c)) << "case " << id;
    outputs += c.outputs.size();
  }
  EXPECT_GE(outputs, 2u);
  runtime::Instance ended = e->runtime().cases().begin()->second;
  ended.status = runtime::CaseStatus::kTerminated;
  ended.ended = clock.now();
  ended.end_reason = "geannuleerd: \"dubbel\" \\ ingevoerd";
  ended.data["naam"] = "Zoë \"de\" Vries\n\u0001";
  ended.data["getal"] = -12;
  ended.data["lijst"] = Json{1.5, true, nullptr};
  // Keyed by the node as text: "100" comes before "7".
  // Outputs given to an engine carry their text; these, as a simulation's or a state's from
  // before schema 7, are written from the value, and kept in the state.
  ended.outputs[7] = std::make_shared<const runtime::GivenOutputs>(runtime::GivenOutputs{Json{{"besluit", "verlengen"}}, {}});
  ended.outputs[100] = std::make_shared<const runtime::GivenOutputs>(runtime::GivenOutputs{Json::object(), {}});
  EXPECT_EQ(runtime::state_text(ended), stored(ended));
  EXPECT_NE(runtime::state_text(ended).find("\"100\":{},\"7\":{\"besluit\""), std::string::npos);
}

TEST(CompactState, EveryAuditDetailIsStoredAsTheTextOfItsJson) {
  // The runtime writes an audit entry's detail as text field by field (JsonObjectText), in the
  // order nlohmann::json sorts keys, and the engine puts the actor first: the stored text is what
  // dump() of the parsed detail gives, as when the details were values, for every kind of entry.
  std::string path = temp_path("compact-audit.db");
  VirtualClock clock(*parse_instant("2026-10-20 14:00"));
  auto e = open_engine(path, clock);
  make_cases(*e, clock);
  CaseId running = 0;
  for (const auto& [id, c] : e->runtime().cases()) {
    if (c.process == "landelijk") running = id;
  }
  ASSERT_NE(running, 0);
  ASSERT_TRUE(e->update_case(running, Json{{"kindermishandeling", true}}, "", Actor{"hovj", "Zoë \"de\" Vries", "Politie"})
                  .is_ok());
  // A refusal's detail names the "action", which sorts before the "actor" the engine adds.
  const runtime::TaskId open_task = e->runtime().find_case(running)->tasks.begin()->first;
  ASSERT_EQ(e->complete_task(open_task, Actor("onbekend"), Json::object()).code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(e->cancel_case(running, "dubbel \"ingevoerd\" \\ per\nvergissing").is_ok());
  store::Database db(path);
  store::Statement rows(db.handle(), "SELECT kind, detail FROM audit ORDER BY seq");
  std::set<std::string> kinds;
  std::size_t actors = 0;
  while (rows.step()) {
    const std::string kind = rows.text(0), detail = rows.text(1);
    const Json parsed = Json::parse(detail);
    ASSERT_TRUE(parsed.is_object()) << kind << ": " << detail;
    EXPECT_EQ(detail, parsed.dump()) << kind;
    kinds.insert(kind);
    actors += parsed.contains("actor");
  }
  for (const char* kind : {"case started", "task opened", "task completed", "task cancelled", "escalated",
                           "stage entered", "decided", "notification",
                           "incident opened", "case data updated", "case data changed", "refused", "case ended"}) {
    EXPECT_EQ(kinds.count(kind), 1u) << kind;
  }
  EXPECT_GT(actors, 0u);
}

TEST(CompactState, TextThatIsNotUtf8IsRefusedAndFailsNoOtherCommandOfItsGroup) {
  // A request's JSON is checked for UTF-8 as it is parsed; a host embedding the engine can still
  // give any bytes. The stored rows are text, so such a command is refused when it is given,
  // where it would otherwise fail the whole group it is written with.
  std::string path = temp_path("compact-utf8.db");
  VirtualClock clock(*parse_instant("2026-10-20 14:00"));
  auto e = open_engine(path, clock);
  make_cases(*e, clock);
  const Json before = snapshot(*e);
  const runtime::Task* rihg = nullptr;
  CaseId running = 0;
  for (const auto& [id, c] : e->runtime().cases()) {
    for (const auto& [task, t] : c.tasks) {
      if (t.name == "rihg") rihg = &t;
    }
    if (c.process == "landelijk") running = id;
  }
  ASSERT_NE(rihg, nullptr);
  const std::string broken = "niet \xff tekst";
  Json outputs = testing::rihg_answers();
  outputs["motivation"] = broken;
  e->defer_commits(true);
  std::vector<Status> refused = {
      e->complete_task(rihg->id, rihg->role, outputs),
      e->start_case("landelijk", Json{{"aanhouding", true}, {broken, 1}}, "crisismelding").status(),
      e->signal(running, "overtreding", Json{{"reden", broken}}),
      e->update_case(running, Json{{"kindermishandeling", broken}}),
      e->cancel_case(running, broken),
      e->cancel_case(running, "dubbel", broken),  // its idempotency key
      e->cancel_case(running, "dubbel", "", Actor("beheer", broken, "")),
  };
  // The operator named in the audit entry of a purge (from the command line, unchecked there).
  auto purged = e->purge(std::nullopt, Actor::host(broken));
  refused.push_back(purged.status());
  for (const Status& s : refused) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
    EXPECT_NE(s.message().find("not UTF-8"), std::string::npos) << s.message();
  }
  EXPECT_EQ(snapshot(*e).dump(1), before.dump(1));
  // A command of the same group goes to disk.
  auto started = e->start_case("landelijk", Json{{"aanhouding", true}, {"aangehouden_op", "2026-10-20 13:30"},
                                                 {"kindermishandeling", false}}, "crisismelding");
  ASSERT_TRUE(started.is_ok()) << started.status().message();
  ASSERT_TRUE(e->flush().is_ok());
}

TEST(CompactState, MigrationSixMovesTasksAndTimersOutOfStatesWrittenBefore) {
  std::string path = temp_path("compact-migrate.db");
  VirtualClock clock(*parse_instant("2026-10-20 14:00"));
  const Json before = cases_made(path, clock);
  {
    // Back to schema 5 as an older termijn left it: tasks and timers inside the state, rows without
    // the step, token, rung or incident.
    store::Database db(path);
    testing::audit_back_to_schema_8(db);
    store::Statement put(db.handle(), "UPDATE cases SET state = json_set(json_remove(state, '$.output_tasks'), "
                                      "'$.tasks', json(?), '$.timers', json(?), '$.outputs', json(?)) WHERE id = ?");
    for (const auto& [id, c] : before.items()) {
      put.bind(1, c["tasks"].dump()).bind(2, c["timers"].dump()).bind(3, c["state"]["outputs"].dump());
      put.bind(4, static_cast<std::int64_t>(std::stoll(id)));
      put.run();
    }
    db.exec("UPDATE tasks SET node = -1, token = 0; UPDATE timers SET rung = 0, token = 0, failed_at = NULL, failure = '';"
            "DROP INDEX timers_live; DROP INDEX outbox_by_case; ALTER TABLE tasks DROP COLUMN node; ALTER TABLE tasks DROP COLUMN token;"
            "ALTER TABLE timers DROP COLUMN rung; ALTER TABLE timers DROP COLUMN token;"
            "ALTER TABLE timers DROP COLUMN failed_at; ALTER TABLE timers DROP COLUMN failure;"
            "ALTER TABLE audit ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';"
            "DELETE FROM schema_migrations WHERE version >= 6");
  }
  auto e = open_engine(path, clock);
  EXPECT_EQ(e->store().schema_version(), 9);
  EXPECT_EQ(snapshot(*e).dump(1), before.dump(1));
  EXPECT_EQ(e->incidents().size(), 1u);
  // And the migrated cases go on: the incident is retried once its date is given.
  CaseId storing = e->incidents()[0]["case"];
  ASSERT_TRUE(e->update_case(storing, Json{{"peildatum", "2026-10-24 09:00"}}).is_ok());
  EXPECT_TRUE(e->retry_incident(e->incidents()[0]["id"], Actor::host("beheerder")).is_ok());
  EXPECT_TRUE(e->incidents().empty());
  // The outputs of tasks completed before schema 6 are in no row that names their step: their
  // cases' states keep them, also when written again (schema 7 leaves out only what rows hold).
  CaseId with_outputs = 0;
  for (const auto& [id, c] : e->runtime().cases()) {
    if (!c.outputs.empty()) with_outputs = id;
  }
  ASSERT_NE(with_outputs, 0);
  ASSERT_TRUE(e->update_case(with_outputs, Json{{"kindermishandeling", true}}).is_ok());
  const Json written_again = snapshot(*e);
  e.reset();
  e = open_engine(path, clock);
  EXPECT_EQ(snapshot(*e).dump(1), written_again.dump(1));
  EXPECT_FALSE(e->runtime().find_case(with_outputs)->outputs.empty());
}

}  // namespace
}  // namespace termijn
