// The national baseline on the virtual clock, as a story: crisis call, assessment, a ban imposed
// on 20 October 2026 at 14:35, care advice escalating from day 7, the mayor extending to 28
// days across the end of summer time, and a revocation on day 12.
#include "scenario_support.h"
#include "tests/support/rihg.h"

namespace termijn {
namespace {

using testing::at;

class Landelijk : public testing::ScenarioTest {
 protected:
  // Day 0: crisis call at 14:00; criteria met; RiHG says impose at 14:35.
  CaseId impose(bool arrest = true) {
    Result<CaseId> id = engine->start_case(
        "landelijk",
        Json{{"uithuisgeplaatste", "P1"}, {"achterblijvers", {"P2"}}, {"kinderen", Json::array()},
             {"aanhouding", arrest}, {"aangehouden_op", "2026-10-20 14:00"}, {"kindermishandeling", false}},
        "crisismelding");
    EXPECT_TRUE(id.is_ok()) << id.status().message();
    complete(*id, "criteria_toetsen", "hovj",
             {{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true}, {"woont_anders_dan_incidenteel", true}});
    clock.set(at("2026-10-20 14:35"));
    complete(*id, "rihg", "hovj", termijn::testing::rihg_answers());
    return *id;
  }
  // Day 0-1: keys handed in at 16:00, plan of approach the next morning; the care advice is next.
  CaseId impose_and_plan(bool arrest = true) {
    CaseId id = impose(arrest);
    clock.set(at("2026-10-20 16:00"));
    complete(id, "sleutels_en_contact", "politie");
    clock.set(at("2026-10-21 10:00"));
    complete(id, "plan_van_aanpak", "hulpverlening");
    return id;
  }
  Instant named_timer(CaseId id, const std::string& name) {
    const runtime::Instance* c = engine->runtime().find_case(id);
    return c->timers.at(c->named_timers.at(name)).due.at;
  }
};

TEST_F(Landelijk, Day0ImposedTheBanEndsTenDaysLaterToTheHourAcrossDST) {
  CaseId id = impose();
  EXPECT_EQ(local(named_timer(id, "einde")), "2026-10-30 14:35 CET");
  EXPECT_EQ(to_iso_utc(named_timer(id, "einde")), "2026-10-30T13:35:00Z");
  // The parallel work has started: keys and contact details within 24 hours (art. 2 lid 6 Wth).
  ASSERT_NE(task(id, "sleutels_en_contact"), nullptr);
  EXPECT_EQ(local(task(id, "sleutels_en_contact")->due.at), "2026-10-21 14:35 CEST");
  ASSERT_NE(task(id, "plan_van_aanpak"), nullptr);
  EXPECT_EQ(local(task(id, "plan_van_aanpak")->due.at), "2026-10-23 14:35 CEST");
  ASSERT_NE(task(id, "zsm_bespreking"), nullptr) << "arrested: the ZSM table discusses the case";
  EXPECT_EQ(local(task(id, "zsm_bespreking")->due.at), "2026-10-20 23:00 CEST") << "nine hours from the arrest";
  // The care advice does not wait for the plan of approach.
  ASSERT_NE(task(id, "zorgadvies"), nullptr);
  EXPECT_EQ(local(task(id, "zorgadvies")->due.at), "2026-10-28 14:35 CET");
  // Why the care advice is due when it is: the base, the term with its article, the DST change.
  const auto& why = task(id, "zorgadvies")->due.why;
  ASSERT_EQ(why.size(), 5u) << Json(why).dump(2);
  EXPECT_EQ(why[0], "einde = 2026-10-30 14:35 CET, from:");
  EXPECT_EQ(why[1], "  opgelegd = 2026-10-20 14:35 CEST");
  EXPECT_EQ(why[2], "  + Wth.eerste_termijn (10 days, art. 2 lid 1 Wth) = 2026-10-30 14:35 CET");
  EXPECT_NE(why[3].find("the clocks changed in between (UTC+02:00 to UTC+01:00)"), std::string::npos) << why[3];
  EXPECT_EQ(why[4], "- Aanname.zorgadvies_voor_einde (2 days, aanname: rapport 4.3 'richting het einde van de eerste tien dagen') = "
                    "2026-10-28 14:35 CET");
  EXPECT_EQ(notifications_to("burgemeester").size(), 1u) << "the mayor is informed of the ban (art. 3 lid 1 Wth)";
}

TEST_F(Landelijk, Day7To9CareAdviceEscalatesRungByRungExactlyOnce) {
  CaseId id = impose_and_plan();
  // Day 7, 14:35: one day before it is due, Veilig Thuis is told.
  advance_to("2026-10-27 14:34");
  EXPECT_TRUE(notifications_to("veilig_thuis").size() == 1u) << "only the imposition notice so far";
  advance_to("2026-10-27 14:35");
  EXPECT_EQ(notifications_to("veilig_thuis").size(), 2u);
  // Day 8, 14:35: due and not done: it goes to Veilig Thuis and the case is raised to level 1.
  advance_to("2026-10-28 14:35");
  EXPECT_EQ(task(id, "zorgadvies")->role, "veilig_thuis");
  EXPECT_EQ(engine->runtime().find_case(id)->level, 1);
  // Day 9: still nothing: the team lead and the mayor hear of it, level 2.
  advance_to("2026-10-29 14:35");
  EXPECT_EQ(engine->runtime().find_case(id)->level, 2);
  EXPECT_EQ(notifications_to("teamleider").size(), 1u);
  // Care workers can no longer complete it; Veilig Thuis can.
  EXPECT_EQ(engine->complete_task(task_id(id, "zorgadvies"), "hulpverlening", {{"verlenging_nodig", true}}).code(),
            StatusCode::kPermissionDenied);
  complete(id, "zorgadvies", "veilig_thuis", {{"verlenging_nodig", true}});
  // Each rung fired once.
  auto escalations = audit_of(id, "escalated");
  int zorgadvies_rungs = 0;
  for (const auto& e : escalations) zorgadvies_rungs += e.at("detail").at("step") == "zorgadvies";
  EXPECT_EQ(zorgadvies_rungs, 3);
}

TEST_F(Landelijk, Day9TheMayorExtendsTo28DaysAndTheTimersMove) {
  CaseId id = impose_and_plan(/*arrest=*/false);
  clock.set(at("2026-10-27 10:00"));
  complete(id, "zorgadvies", "hulpverlening", {{"verlenging_nodig", true}});
  complete(id, "advies_burgemeester", "gemeente", {{"advies", "verlengen"}});
  clock.set(at("2026-10-29 09:00"));
  complete(id, "horen", "gemeente");
  // Only the mayor decides an extension (art. 3 Wth: not mandatable).
  EXPECT_EQ(engine->complete_task(task_id(id, "besluit_verlenging"), "hovj", {{"besluit", "verlengen"}}).code(),
            StatusCode::kPermissionDenied);
  complete(id, "besluit_verlenging", "burgemeester", {{"besluit", "verlengen"}});
  EXPECT_EQ(local(named_timer(id, "einde")), "2026-11-17 14:35 CET") << "28 days from imposition (art. 9 Wth)";
  EXPECT_EQ(audit_of(id, "timer moved").size(), 1u);
  // Day 10 passes without the ban ending.
  advance_to("2026-10-31 12:00");
  EXPECT_EQ(engine->runtime().find_case(id)->status, runtime::CaseStatus::kRunning);
  EXPECT_EQ(task(id, "warme_overdracht"), nullptr);
  // Day 28: the ban ends and the handover starts, in working days.
  advance_to("2026-11-17 14:35");
  ASSERT_NE(task(id, "warme_overdracht"), nullptr);
  EXPECT_EQ(local(task(id, "warme_overdracht")->due.at), "2026-11-24 14:35 CET");
}

TEST_F(Landelijk, Day12RevocationCancelsTheOpenWorkAndGoesToClosing) {
  CaseId id = impose_and_plan();
  clock.set(at("2026-10-22 09:00"));
  // Art. 3 Wth: revocation cannot be mandated. The police trying it are refused, and that is audited.
  Status refused = engine->signal(id, "intrekking", Json::object(), "", "politie");
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.message(), "only burgemeester may send 'intrekking' in process 'landelijk'; not 'politie'");
  ASSERT_EQ(audit_of(id, "refused").size(), 1u);
  EXPECT_EQ(audit_of(id, "refused")[0]["detail"]["role"], "politie");
  EXPECT_NE(task(id, "zorgadvies"), nullptr) << "nothing changed";
  ASSERT_TRUE(engine->signal(id, "intrekking", Json::object(), "", "burgemeester").is_ok());
  // Everything in the ten days is cancelled; closing has started.
  EXPECT_EQ(task(id, "zorgadvies"), nullptr);
  EXPECT_NE(task(id, "zsm_bespreking"), nullptr) << "the criminal track is not the ban's: it goes on";
  EXPECT_NE(task(id, "warme_overdracht"), nullptr);
  auto cancelled = audit_of(id, "task cancelled");
  EXPECT_EQ(cancelled.size(), 1u) << "the care advice";
  EXPECT_EQ(notifications_to("politie").size(), 1u);
  // A second revocation has nothing to interrupt any more.
  EXPECT_EQ(engine->signal(id, "intrekking").code(), StatusCode::kFailedPrecondition);
}

TEST_F(Landelijk, ViolationOpensEnforcementBesideTheBan) {
  CaseId id = impose_and_plan();
  clock.set(at("2026-10-23 22:10"));
  ASSERT_TRUE(engine->signal(id, "overtreding").is_ok());
  ASSERT_NE(task(id, "handhaven"), nullptr);
  EXPECT_EQ(local(task(id, "handhaven")->due.at), "2026-10-23 23:10 CEST");
  EXPECT_NE(task(id, "zorgadvies"), nullptr) << "non-interrupting: the ban runs on";
  advance_to("2026-10-23 23:10");
  EXPECT_EQ(engine->runtime().find_case(id)->level, 1);
}

TEST_F(Landelijk, NoBanWhenTheRiskAssessmentSaysSo) {
  Result<CaseId> id = engine->start_case("landelijk", Json{{"aanhouding", false}, {"kindermishandeling", false}},
                                         "crisismelding");
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  complete(*id, "criteria_toetsen", "hovj",
           {{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true}, {"woont_anders_dan_incidenteel", true}});
  complete(*id, "rihg", "hovj", termijn::testing::rihg_answers(false));
  EXPECT_EQ(task(*id, "sleutels_en_contact"), nullptr);
  complete(*id, "afspraken_zonder_huisverbod", "hovj", {{"veiligheidsafspraken", true}});
  EXPECT_EQ(engine->runtime().find_case(*id), nullptr);
  auto cases = engine->cases("completed");
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].at("end_reason"), "geen huisverbod na risicotaxatie");
}

TEST_F(Landelijk, BadRequestsAreRefusedWithAReasonAndChangeNothing) {
  EXPECT_EQ(engine->start_case("landelijk", Json{{"aanhouding", "ja"}}, "crisismelding").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(engine->start_case("landelijk", Json{{"aanhoudng", true}}, "crisismelding").status().message(),
            "process 'landelijk' has no case field 'aanhoudng' (did you mean 'aanhouding'?)");
  EXPECT_EQ(engine->start_case("rotterdm", Json::object()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine->start_case("landelijk", Json::object(), "intrekking").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(engine->cases().empty());
  CaseId id = impose_and_plan();
  std::size_t audit_before = engine->audit(id).size();
  EXPECT_EQ(engine->complete_task(task_id(id, "zorgadvies") + 999, "burgemeester").code(), StatusCode::kNotFound);
  EXPECT_EQ(engine->complete_task(task_id(id, "zorgadvies"), "hulpverlening", {{"verlenging_nodig", "ja"}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(engine->complete_task(task_id(id, "zorgadvies"), "hulpverlening", Json::object()).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(engine->signal(id, "onbekend").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(engine->audit(id).size(), audit_before);
}

TEST_F(Landelijk, TheSameCommandKeyTwiceChangesStateOnce) {
  CaseId id = impose();
  TaskId t = task_id(id, "plan_van_aanpak");
  ASSERT_TRUE(engine->complete_task(t, "hulpverlening", Json::object(), "client-42").is_ok());
  std::size_t audit_after_first = engine->audit().size();
  EXPECT_TRUE(engine->complete_task(t, "hulpverlening", Json::object(), "client-42").is_ok()) << "the first answer again";
  EXPECT_EQ(engine->audit().size(), audit_after_first);
  Result<CaseId> a = engine->start_case("landelijk", Json::object(), "crisismelding", "start-7");
  Result<CaseId> b = engine->start_case("landelijk", Json::object(), "crisismelding", "start-7");
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(engine->cases().size(), 2u);
}

TEST_F(Landelijk, AfterARestartOverdueTimersFireOnceAndSayHowLate) {
  CaseId id = impose_and_plan();
  restart();
  ASSERT_NE(task(id, "zorgadvies"), nullptr) << "the case came back from the store";
  // The engine was down from day 0 to day 8 15:00.
  clock.set(at("2026-10-28 15:00"));
  int fired = engine->fire_due();
  EXPECT_EQ(fired, 2) << "the care advice's first two rungs";
  auto escalations = audit_of(id, "escalated");
  ASSERT_FALSE(escalations.empty());
  EXPECT_GT(escalations.front().at("detail").at("late_ms").get<std::int64_t>(), 0);
  std::size_t audit_size = engine->audit().size();
  restart();
  EXPECT_EQ(engine->fire_due(), 0) << "nothing fires twice";
  EXPECT_EQ(engine->audit().size(), audit_size);
  EXPECT_TRUE(engine->verify_audit().ok);
}

}  // namespace
}  // namespace termijn
