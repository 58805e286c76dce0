// The regional variants on the virtual clock: each variant's distinctive route.
#include "scenario_support.h"
#include "tests/support/rihg.h"

namespace termijn {
namespace {

using testing::at;

class Variants : public testing::ScenarioTest {
 protected:
  CaseId start(const std::string& process, const Json& data, const std::string& event) {
    Result<CaseId> id = engine->start_case(process, data, event);
    EXPECT_TRUE(id.is_ok()) << id.status().message();
    return id.is_ok() ? *id : 0;
  }
  // Criteria met and the RiHG says impose, at 14:35 on day 0.
  void impose(CaseId id) {
    complete(id, "criteria_toetsen", "hovj",
             {{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true}, {"woont_anders_dan_incidenteel", true}});
    clock.set(at("2026-10-20 14:35"));
    complete(id, "rihg", "hovj", testing::rihg_answers());
  }
  Json base_data() {
    return Json{{"aanhouding", false}, {"kindermishandeling", false}, {"kinderen", Json::array()},
                {"achterblijvers", Json::array({"P2"})}};
  }
};

TEST_F(Variants, RotterdamPlannedScreeningLeadsToTheFasterRiskAssessment) {
  CaseId id = start("rotterdam", {{"verzoeker", "maatschappelijk werk"}, {"aanhouding", false},
                                  {"kindermishandeling", false}}, "verzoek_geplande_screening");
  // No crisis call: the weighing team assesses first, in working days.
  EXPECT_EQ(open_tasks(id, "criteria_toetsen"), 0);
  EXPECT_EQ(local(task(id, "weegteam_beoordeling")->due.at), "2026-10-27 14:00 CET");
  complete(id, "weegteam_beoordeling", "weegteam", {{"huisverbodwaardig", true}});
  complete(id, "juridisch_advies", "jurist");
  complete(id, "besluit_screening", "hovj", {{"screenen", true}});
  // No recent incident is needed, the criteria are (report 4.1.3); then the screening by the basic
  // police team and care before the hovj's RiHG (report 4.2.1, fn. 28).
  complete(id, "criteria_toetsen", "hovj",
           {{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true}, {"woont_anders_dan_incidenteel", true}});
  EXPECT_EQ(task(id, "rihg"), nullptr);
  complete(id, "screening_bpz", "politie");
  complete(id, "screening_hulpverlening", "hulpverlening");
  ASSERT_NE(task(id, "rihg"), nullptr);
  EXPECT_EQ(task(id, "rihg")->due.at - task(id, "rihg")->opened, std::chrono::hours(4)) << "Rotterdam's RiHG";
}

TEST_F(Variants, RotterdamWeighingTeamCanSayNo) {
  CaseId id = start("rotterdam", Json::object(), "verzoek_geplande_screening");
  complete(id, "weegteam_beoordeling", "weegteam", {{"huisverbodwaardig", false}});
  EXPECT_EQ(engine->runtime().find_case(id), nullptr);
  EXPECT_EQ(engine->cases("completed")[0].at("end_reason"), "niet huisverbodwaardig volgens het weegteam");
}

TEST_F(Variants, RotterdamCrisisCallStillStartsWithTheCriteria) {
  CaseId id = start("rotterdam", base_data(), "crisismelding");
  EXPECT_EQ(open_tasks(id, "criteria_toetsen"), 1);
}

class PerPersonCare : public Variants, public ::testing::WithParamInterface<int> {};

TEST_P(PerPersonCare, OneTrackPerChildBesideTheAdultsTracks) {
  Json data = base_data();
  for (int i = 0; i < GetParam(); ++i) data["kinderen"].push_back("kind-" + std::to_string(i));
  data["achterblijvers"] = Json::array({"P2", "P3"});
  CaseId id = start("zorg_per_persoon", data, "crisismelding");
  impose(id);
  // The first contacts start with the ban, beside the plan (`add beside plan_van_aanpak`).
  EXPECT_EQ(open_tasks(id, "contact_kind"), GetParam());
  EXPECT_EQ(open_tasks(id, "contact_achterblijver"), 2);
  EXPECT_EQ(open_tasks(id, "contact_uithuisgeplaatste"), 1);
  complete(id, "plan_van_aanpak", "hulpverlening");
  EXPECT_EQ(open_tasks(id, "zorgadvies"), 1) << "the care advice does not wait for the first contacts";
  while (open_tasks(id, "contact_kind") > 0) complete(id, "contact_kind", "jeugdhulp");
  while (open_tasks(id, "contact_achterblijver") > 0) complete(id, "contact_achterblijver", "maatschappelijk_werk");
  complete(id, "contact_uithuisgeplaatste", "reclassering");
  EXPECT_EQ(open_tasks(id, "zorgadvies"), 1);
}

INSTANTIATE_TEST_SUITE_P(Children, PerPersonCare, ::testing::Values(0, 1, 3));

TEST_F(Variants, SingleProviderVeiligThuisDoesTheCare) {
  CaseId id = start("zorg_een_partij", base_data(), "crisismelding");
  impose(id);
  EXPECT_EQ(task(id, "plan_van_aanpak")->role, "veilig_thuis");
  complete(id, "plan_van_aanpak", "veilig_thuis");
  complete(id, "contact_alle_betrokkenen", "veilig_thuis");
  EXPECT_EQ(task(id, "zorgadvies")->role, "veilig_thuis");
  advance_to("2026-10-28 14:35");
  EXPECT_EQ(engine->runtime().find_case(id)->level, 1);
  EXPECT_EQ(notifications_to("gemeente").size(), 1u);
}

TEST_F(Variants, NoordMonitorsEighteenMonths) {
  const model::Process* noord = engine->runtime().latest("noord");
  ASSERT_NE(noord, nullptr);
  EXPECT_EQ(noord->parent, "zorg_een_partij");
  EXPECT_EQ(noord->find_term("Praktijk.monitoring")->value.months, 18);
  EXPECT_EQ(engine->runtime().latest("landelijk")->find_term("Praktijk.monitoring")->value.months, 12);
}

TEST_F(Variants, BirdnestingIsRefusedUnlessTheScreeningRulesOutIntimateTerror) {
  Json data = base_data();
  data["omgangsregeling"] = false;
  CaseId id = start("birdnesting", data, "crisismelding");
  EXPECT_FALSE(engine->signal(id, "birdnesting_aanvraag", Json::object(), "", "hulpverlening").is_ok())
      << "no ban yet: nothing to split";
  impose(id);
  ASSERT_TRUE(engine->signal(id, "birdnesting_aanvraag", Json::object(), "", "hulpverlening").is_ok());
  complete(id, "veiligheidsscreening", "veilig_thuis", {{"intieme_terreur", "onbekend"}, {"kindermishandeling", "uitgesloten"}});
  EXPECT_EQ(notifications_to("teamleider").size(), 1u) << "the refusal escalates";
  EXPECT_EQ(open_tasks(id, "birdnesting_regeling"), 0);
  EXPECT_EQ(open_tasks(id, "plan_van_aanpak"), 1) << "the ban and the care go on";
  // Only a screening's own answers allow it: a new request, a new screening.
  ASSERT_TRUE(engine->signal(id, "birdnesting_aanvraag", Json::object(), "", "veilig_thuis").is_ok());
  complete(id, "veiligheidsscreening", "veilig_thuis", {{"intieme_terreur", "uitgesloten"}, {"kindermishandeling", "uitgesloten"}});
  EXPECT_EQ(open_tasks(id, "birdnesting_regeling"), 1);
}

TEST_F(Variants, AnAccessArrangementGoesToTheMayor) {
  Json data = base_data();
  data["omgangsregeling"] = true;
  CaseId id = start("birdnesting", data, "crisismelding");
  impose(id);
  EXPECT_EQ(open_tasks(id, "besluit_begeleide_omgang"), 1) << "raised with the ban, beside the plan";
  complete(id, "plan_van_aanpak", "hulpverlening");
  EXPECT_EQ(open_tasks(id, "zorgadvies"), 1) << "the care advice does not wait for the mayor's decision";
  complete(id, "besluit_begeleide_omgang", "burgemeester", {{"omgang", "begeleid"}});
  EXPECT_EQ(open_tasks(id, "besluit_begeleide_omgang"), 0);
}

// The RiHG of the proposals: the national answers, the new questions all yellow.
Json proposal_answers() {
  Json answers = testing::rihg_answers();
  for (const char* item : {"eerste_incident", "ergste_incident", "recentste_incident", "eerdere_relaties", "verwurging",
                           "intieme_terreur", "dierengeweld", "ouderenmishandeling"}) {
    answers[item] = "geel";
  }
  answers["eergerelateerd_geweld"] = false;
  return answers;
}

TEST_F(Variants, Proposal2024FourteenDaysAndOtherInitiators) {
  CaseId id = start("voorstel_2024", base_data(), "melding_veilig_thuis");
  EXPECT_EQ(open_tasks(id, "criteria_toetsen"), 1) << "Veilig Thuis can start a case";
  complete(id, "criteria_toetsen", "hovj",
           {{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true}, {"woont_anders_dan_incidenteel", true}});
  clock.set(at("2026-10-20 14:35"));
  // The pattern-based RiHG asks for the first, worst and most recent incident.
  EXPECT_EQ(engine->complete_task(task_id(id, "rihg"), "hovj", testing::rihg_answers()).code(),
            StatusCode::kInvalidArgument);
  complete(id, "rihg", "hovj", proposal_answers());
  const runtime::Instance* c = engine->runtime().find_case(id);
  EXPECT_EQ(local(c->timers.at(c->named_timers.at("einde")).due.at), "2026-11-03 14:35 CET") << "14 days";
}

TEST_F(Variants, Proposal2024ExtensionHoldsAndThePoliceHearAfterNotification) {
  CaseId id = start("voorstel_2024", base_data(), "crisismelding");
  complete(id, "criteria_toetsen", "hovj",
           {{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true}, {"woont_anders_dan_incidenteel", true}});
  clock.set(at("2026-10-20 14:35"));
  complete(id, "rihg", "hovj", proposal_answers());
  complete(id, "sleutels_en_contact", "politie");
  complete(id, "plan_van_aanpak", "hulpverlening");
  complete(id, "zorgadvies", "hulpverlening", {{"verlenging_nodig", true}});
  complete(id, "advies_burgemeester", "gemeente", {{"advies", "verlengen"}});
  clock.set(at("2026-11-02 10:00"));
  complete(id, "horen", "gemeente");
  complete(id, "besluit_verlenging", "burgemeester", {{"besluit", "verlengen"}});
  const runtime::Instance* c = engine->runtime().find_case(id);
  EXPECT_EQ(local(c->timers.at(c->named_timers.at("einde")).due.at), "2026-11-17 14:35 CET")
      << "art. 9 lid 1: the end moves when the mayor decides, before the ban ends";
  EXPECT_EQ(notifications_to("politie").size(), 0u);
  complete(id, "kennisgeving_verlenging", "politie", {{"bereikt", "mijnoverheid"}});
  EXPECT_EQ(notifications_to("politie").size(), 1u) << "7.1.4: the police are told, so that they can enforce it";
}

TEST_F(Variants, ContactAndAreaBanForExPartners) {
  CaseId id = start("contact_gebiedsverbod", {{"betrokkene", "X"}, {"beschermde", "Y"}}, "verzoek_verbod");
  complete(id, "beoordeling", "burgemeester", {{"opleggen", true}, {"verbod", "gebiedsverbod"}});
  EXPECT_EQ(open_tasks(id, "betekening"), 1);
  ASSERT_TRUE(engine->signal(id, "overtreding").is_ok());
  EXPECT_EQ(open_tasks(id, "handhaven"), 1);
}

}  // namespace
}  // namespace termijn
