// Each construct of the language at run time, on small processes written here, on the virtual
// clock with a real store.
#include <fstream>

#include "engine/store/sqlite.h"
#include "scenario_support.h"

namespace termijn {
namespace {

using testing::at;

class Constructs : public testing::ScenarioTest {
 protected:
  // Deploys `text` as a process file of its own.
  void deploy(const std::string& text) {
    auto path = db_path_;
    path.replace_extension(".wth");
    std::ofstream(path) << text;
    DeployResult r = engine->deploy({path.string()});
    std::filesystem::remove(path);
    ASSERT_TRUE(r.ok()) << render(r.diagnostics);
  }
  CaseId start(const std::string& process, const Json& data = Json::object()) {
    Result<CaseId> id = engine->start_case(process, data);
    EXPECT_TRUE(id.is_ok()) << id.status().message();
    return id.is_ok() ? *id : 0;
  }
  bool running(CaseId id) { return engine->runtime().find_case(id) != nullptr; }
  store::TaskQuery for_role(const std::string& role) {
    store::TaskQuery q;
    q.role = role;
    return q;
  }
};

TEST_F(Constructs, GuardRefusesWithItsReasonUntilTheScreeningIsRecorded) {
  deploy(R"(
process birdnesting_toets {
  roles veilig_thuis, hulpverlening
  events aanvraag
  case { intieme_terreur: one of (onbekend, uitgesloten, aanwezig) }
  start on aanvraag
  require intieme_terreur == uitgesloten
    else "birdnesting pas na screening op intieme terreur" escalate to veilig_thuis
  task regeling by hulpverlening within 2 days
}
)");
  CaseId id = start("birdnesting_toets", {{"intieme_terreur", "onbekend"}});
  EXPECT_EQ(open_tasks(id, "regeling"), 0);
  auto refused = audit_of(id, "refused");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].at("detail").at("reason"), "birdnesting pas na screening op intieme terreur");
  EXPECT_EQ(notifications_to("veilig_thuis").size(), 1u);
  // Other data changes do not repeat the refusal.
  ASSERT_TRUE(engine->update_case(id, {{"intieme_terreur", "aanwezig"}}).is_ok());
  EXPECT_EQ(audit_of(id, "refused").size(), 1u);
  ASSERT_TRUE(engine->update_case(id, {{"intieme_terreur", "uitgesloten"}}).is_ok());
  EXPECT_EQ(audit_of(id, "accepted").size(), 1u);
  EXPECT_EQ(open_tasks(id, "regeling"), 1);
}

class ForEachChildren : public Constructs, public ::testing::WithParamInterface<int> {};

TEST_P(ForEachChildren, OneCareTrackPerChild) {
  deploy(R"(
process zorg {
  roles jeugdhulp, hulpverlening
  events aanvraag
  case { kinderen: list<person> }
  start on aanvraag
  for each kind in kinderen {
    call jeugdtraject with (client = kind)
  }
  task evaluatie by hulpverlening within 1 day
}
process jeugdtraject {
  roles jeugdhulp
  events aanmelding
  case { client: person }
  start on aanmelding
  task intake by jeugdhulp within 3 days
}
)");
  int children = GetParam();
  Json kinderen = Json::array();
  for (int i = 0; i < children; ++i) kinderen.push_back("kind-" + std::to_string(i + 1));
  CaseId id = start("zorg", {{"kinderen", kinderen}});
  EXPECT_EQ(engine->tasks(for_role("jeugdhulp")).size(), static_cast<std::size_t>(children));
  EXPECT_EQ(open_tasks(id, "evaluatie"), children == 0 ? 1 : 0);
  for (const auto& t : engine->tasks(for_role("jeugdhulp"))) {
    EXPECT_EQ(open_tasks(id, "evaluatie"), 0) << "waits for every child's track";
    ASSERT_TRUE(engine->complete_task(t.at("id"), "jeugdhulp").is_ok());
  }
  EXPECT_EQ(open_tasks(id, "evaluatie"), 1);
  EXPECT_EQ(engine->cases("completed").size(), static_cast<std::size_t>(children));
}

INSTANTIATE_TEST_SUITE_P(Children, ForEachChildren, ::testing::Values(0, 1, 3));

TEST_F(Constructs, ParallelBranchesJoinWhenAllAreDone) {
  deploy(R"(
process p {
  roles a, b, c
  events aanvraag
  start on aanvraag
  parallel {
    branch een { task x by a within 1 day }
    branch twee { task y by b within 1 day  task z by b within 1 day }
  }
  task samen by c within 1 day
}
)");
  CaseId id = start("p");
  complete(id, "x", "a");
  complete(id, "y", "b");
  EXPECT_EQ(open_tasks(id, "samen"), 0);
  complete(id, "z", "b");
  EXPECT_EQ(open_tasks(id, "samen"), 1);
  complete(id, "samen", "c");
  EXPECT_FALSE(running(id));
  EXPECT_EQ(engine->cases("completed")[0].at("end_reason"), "all steps done");
}

TEST_F(Constructs, WaitForAnEventAndATimerThatEndsAStage) {
  deploy(R"(
process p {
  roles a
  events aanvraag, melding, antwoord
  start on aanvraag
  milestone begin
  stage s {
    timer grens = begin + 2 days
    on grens interrupting -> afsluiten
    on melding { task reageren by a within 4 hours }
    wait for antwoord
    end "beantwoord"
  }
  task afsluiten by a within 1 day
}
)");
  CaseId id = start("p");
  clock.set(at("2026-10-21 08:00"));
  ASSERT_TRUE(engine->signal(id, "melding").is_ok());
  EXPECT_EQ(open_tasks(id, "reageren"), 1);
  EXPECT_EQ(local(task(id, "reageren")->due.at), "2026-10-21 12:00 CEST");
  // Two days pass without an answer: the timer ends the stage.
  advance_to("2026-10-22 14:00");
  EXPECT_EQ(open_tasks(id, "reageren"), 0) << "the handler's task belonged to the stage";
  EXPECT_EQ(open_tasks(id, "afsluiten"), 1);
  EXPECT_EQ(engine->signal(id, "antwoord").code(), StatusCode::kFailedPrecondition) << "nobody waits any more";

  CaseId second = start("p");
  ASSERT_TRUE(engine->signal(second, "antwoord").is_ok());
  EXPECT_FALSE(running(second));
  EXPECT_EQ(engine->cases("completed").back().at("end_reason"), "beantwoord");
}

TEST_F(Constructs, WorkingDaysSkipKoningsdagAndTheTermijnenwetMovesAWeekendEnd) {
  deploy(R"(
import wth
terms Lokaal {
  reactie = 1 working days cite "regionale afspraak"
  bezwaar = 10 days cite "voorbeeld" with termijnenwet
}
process p {
  roles a
  events aanvraag
  uses calendar nl_feestdagen
  start on aanvraag
  milestone begin
  parallel {
    branch werk { task overleg by a within Lokaal.reactie }
    branch atw { task bezwaar by a due begin + Lokaal.bezwaar }
    branch wth { task ban by a due begin + 11 days }
  }
}
)");
  clock.set(at("2027-04-26 09:00"));  // Monday; Tuesday 27 April is Koningsdag
  CaseId id = start("p");
  EXPECT_EQ(local(task(id, "overleg")->due.at), "2027-04-28 09:00 CEST");
  // 10 days from Monday 26 April end on Thursday 6 May... Hemelvaartsdag: moved to Friday 7 May.
  EXPECT_EQ(local(task(id, "bezwaar")->due.at), "2027-05-07 09:00 CEST");
  const auto& why = task(id, "bezwaar")->due.why;
  EXPECT_NE(why.back().find("Algemene termijnenwet"), std::string::npos) << Json(why).dump(2);
  // A plain duration is not moved: 11 days end on Friday 7 May anyway; no note needed.
  EXPECT_EQ(local(task(id, "ban")->due.at), "2027-05-07 09:00 CEST");
}

TEST_F(Constructs, EndStopsTheOtherBranches) {
  deploy(R"(
process p {
  roles a
  events aanvraag
  start on aanvraag
  parallel {
    branch lang { task lang_werk by a within 10 days }
    branch kort { task kort_werk by a within 1 hour  end "kort klaar" }
  }
}
)");
  CaseId id = start("p");
  complete(id, "kort_werk", "a");
  EXPECT_FALSE(running(id));
  EXPECT_EQ(audit_of(id, "task cancelled").size(), 1u);
  EXPECT_TRUE(engine->tasks(store::TaskQuery{}).empty());
}

TEST_F(Constructs, CancellingACaseCancelsItsWorkAndSubProcesses) {
  deploy(R"(
process ouder {
  roles a
  events aanvraag
  start on aanvraag
  call kind
}
process kind {
  roles a
  events aanvraag
  start on aanvraag
  task werk by a within 1 day
}
)");
  CaseId id = start("ouder");
  EXPECT_EQ(engine->tasks(store::TaskQuery{}).size(), 1u);
  ASSERT_TRUE(engine->cancel_case(id, "ingetrokken").is_ok());
  EXPECT_TRUE(engine->tasks(store::TaskQuery{}).empty());
  EXPECT_EQ(engine->cases("terminated").size(), 2u);
}

TEST_F(Constructs, TheAuditChainDetectsEditsAndDeletions) {
  deploy(R"(
process p {
  roles a
  events aanvraag
  start on aanvraag
  task t by a within 1 day
}
)");
  start("p");
  start("p");
  ASSERT_TRUE(engine->verify_audit().ok);
  EXPECT_EQ(engine->verify_audit().entries, 6) << "two deploys, two starts, two tasks opened";
  engine.reset();
  {
    store::Database db(db_path_.string());
    db.exec("UPDATE audit SET detail = '{\"task\":1}' WHERE seq = 3");
  }
  // The engine refuses to run on a log it cannot trust: opening checks the log's end.
  auto refused = Engine::open(EngineOptions{db_path_.string(), &clock, {TERMIJN_STDLIB_DIR}});
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("entry 3 was changed after it was written"), std::string::npos)
      << refused.status().message();
  {
    store::Database db(db_path_.string());
    db.exec("DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)");
  }
  refused = Engine::open(EngineOptions{db_path_.string(), &clock, {TERMIJN_STDLIB_DIR}});
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("the audit log of"), std::string::npos) << refused.status().message();
}

TEST_F(Constructs, RunningCasesStayOnTheirVersion) {
  deploy(R"(
process p version 1 {
  roles a
  events aanvraag
  start on aanvraag
  task t by a within 1 day
}
)");
  CaseId old_case = start("p");
  deploy(R"(
process p version 2 {
  roles a
  events aanvraag
  start on aanvraag
  task t by a within 2 days
}
)");
  CaseId new_case = start("p");
  EXPECT_EQ(task(old_case, "t")->due.at - task(old_case, "t")->opened, std::chrono::hours(24));
  EXPECT_EQ(task(new_case, "t")->due.at - task(new_case, "t")->opened, std::chrono::hours(48));
  restart();
  EXPECT_NE(engine->runtime().find_case(old_case)->hash, engine->runtime().find_case(new_case)->hash);
}

}  // namespace
}  // namespace termijn
