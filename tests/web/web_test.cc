// The web view end to end in headless Chromium: a coordinator signs in with Veilig Thuis's token
// on day 8 of a ban whose care advice is overdue, and sees the case, its escalation level, a
// running countdown past zero, the task that moved to Veilig Thuis, the legal explanation of the
// deadlines, the timeline and the process diagram. A screenshot is taken and checked.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/support/api_server.h"
#include "tests/support/browser.h"
#include "tests/support/http_client.h"
#include "tests/support/run_command.h"
#include "tests/support/rihg.h"
#include "tests/support/storing.h"

namespace termijn::testing {
namespace {

using nlohmann::json;

std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

class Web : public ::testing::Test {
 protected:
  void SetUp() override {
    browser = chromium();
    if (browser.empty()) GTEST_SKIP() << "Debian's chromium is not installed (tools/install-deps.sh --test installs it)";
    db = (std::filesystem::temp_directory_path() / fmt::format("termijn-{}-web.db", getpid())).string();
    clean();
    server = std::make_unique<ApiServer>(db, clock, std::string(TERMIJN_SOURCE_DIR) + "/processes", TERMIJN_STDLIB_DIR);
    profile = db + ".profile";
  }
  void TearDown() override {
    server.reset();
    clean();
    remove_profile(profile);
  }
  void clean() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  }
  // The page as a browser that prefers `languages` shows it (the people on the page read Dutch).
  std::string chrome(const std::string& args, const std::string& url, const std::string& languages = "nl-NL,nl") {
    return run_command(fmt::format("'{}' --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir='{}' "
                           "--accept-lang={} --virtual-time-budget=8000 {} '{}' 2>/dev/null",
                           browser, profile, languages, args, url));
  }
  // Day 0 imposed; day 1 plan made; day 8: the care advice is overdue and went to Veilig Thuis.
  std::int64_t overdue_case() {
    HttpClient client(server->port());
    std::string politie = server->token("politie"), hovj = server->token("hovj"), zorg = server->token("hulpverlening");
    auto started = client.post("/api/v1/cases", politie,
                               json{{"process", "landelijk"}, {"data", {{"aanhouding", false}, {"kindermishandeling", false}}}});
    std::int64_t id = started.json()["case"];
    auto complete = [&](const std::string& token, const std::string& step, json outputs) {
      for (const auto& t : client.get(fmt::format("/api/v1/tasks?case={}", id), token).json()) {
        if (t["step"] == step) {
          auto r = client.post(fmt::format("/api/v1/tasks/{}/complete", t["id"].get<std::int64_t>()), token,
                               json{{"outputs", outputs}});
          EXPECT_EQ(r.status, 200) << r.body;
        }
      }
    };
    complete(hovj, "criteria_toetsen",
             {{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true}, {"woont_anders_dan_incidenteel", true}});
    complete(hovj, "rihg", termijn::testing::rihg_answers());
    complete(politie, "sleutels_en_contact", json::object());
    complete(zorg, "plan_van_aanpak", json::object());
    server->on_engine([&] { return server->engine().run_until(clock, *parse_instant("2026-10-28 15:00")); });
    return id;
  }

  VirtualClock clock{*parse_instant("2026-10-20 14:00")};
  std::string browser, db, profile;
  std::unique_ptr<ApiServer> server;
};

TEST_F(Web, VeiligThuisSeesTheOverdueCaseWithItsCountdownTimelineAndDiagram) {
  std::int64_t id = overdue_case();
  std::string token = server->token("veilig_thuis", "Veilig Thuis Rotterdam-Rijnmond");
  std::string url = fmt::format("http://127.0.0.1:{}/#token={}&case={}", server->port(), token, id);
  std::string dom = chrome("--dump-dom", url);
  ASSERT_FALSE(dom.empty()) << "chromium printed nothing";
  auto has = [&dom](const std::string& text) { return dom.find(text) != std::string::npos; };
  EXPECT_TRUE(has("veilig_thuis · Veilig Thuis Rotterdam-Rijnmond")) << "signed in from the fragment";
  EXPECT_TRUE(has(fmt::format("data-case=\"{}\"", id))) << "the case is listed";
  EXPECT_TRUE(has("class=\"level level-1\"")) << "escalation level 1 is shown";
  EXPECT_TRUE(has("Zorgadvies aan de gemeente")) << "the overdue task is the next deadline";
  EXPECT_TRUE(has("countdown late")) << "the countdown has passed zero";
  EXPECT_TRUE(has("te laat ")) << "and says so";
  EXPECT_TRUE(has(fmt::format("Zaak #{} · landelijk · niveau 1", id))) << "the case is opened from the fragment";
  EXPECT_TRUE(has("voor veilig_thuis")) << "the task moved to Veilig Thuis";
  EXPECT_TRUE(has("art. 2 lid 1 Wth")) << "the end of the ban explains itself";
  EXPECT_TRUE(has("<strong>escalated</strong>")) << "the timeline shows the escalation";
  EXPECT_TRUE(has("<svg")) << "the process diagram is drawn";
  EXPECT_FALSE(has(token)) << "the token is moved out of the address";

  // The screenshot: a real rendering of the page at the requested size, not an empty canvas.
  std::string png_path = (std::filesystem::path(TERMIJN_BINARY_DIR) / "web-view.png").string();
  std::filesystem::remove(png_path);
  chrome(fmt::format("--window-size=1280,1000 --screenshot='{}' --hide-scrollbars", png_path), url);
  std::ifstream in(png_path, std::ios::binary);
  std::string png((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(png.size(), 24u) << "no screenshot at " << png_path;
  EXPECT_EQ(png.substr(1, 3), "PNG");
  EXPECT_EQ(big_endian(png, 16), 1280u);
  EXPECT_EQ(big_endian(png, 20), 1000u);
  EXPECT_GT(png.size(), 40'000u) << "a blank page compresses to a few kilobytes";
}

TEST_F(Web, AWrongTokenIsRefusedOnThePage) {
  std::string dom = chrome("--dump-dom", fmt::format("http://127.0.0.1:{}/#token=tmj_wrong", server->port()));
  EXPECT_NE(dom.find("Aanmelden mislukt: the token is unknown or revoked"), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(dom.find("<html lang=\"nl\">"), std::string::npos);
  EXPECT_NE(dom.find("<h2 data-t=\"\">Open zaken</h2>"), std::string::npos) << "the static text is Dutch too";
}

// A browser that prefers another language than Dutch gets the page in English, the language the
// page is written in; one that lists Dutch after a language termijn does not speak gets Dutch.
TEST_F(Web, ThePageSpeaksTheBrowsersLanguage) {
  std::string url = fmt::format("http://127.0.0.1:{}/#token=tmj_wrong", server->port());
  std::string english = chrome("--dump-dom", url, "en-GB,en");
  EXPECT_NE(english.find("<html lang=\"en\">"), std::string::npos) << english.substr(0, 2000);
  EXPECT_NE(english.find("Sign-in failed: the token is unknown or revoked"), std::string::npos);
  EXPECT_NE(english.find("<h2 data-t=\"\">Open cases</h2>"), std::string::npos);
  EXPECT_EQ(english.find("Aanmelden"), std::string::npos);
  std::string german_then_dutch = chrome("--dump-dom", url, "de-DE,nl");
  EXPECT_NE(german_then_dutch.find("Aanmelden mislukt"), std::string::npos) << german_then_dutch.substr(0, 2000);
}

// An administrator handles incidents on the page, clicking as a person would (Chromium driven
// through the DevTools Protocol): a retry before the cause is fixed shows the reason and changes
// nothing; after the host supplies the missing date, a retry fires the timer and the incident
// leaves the list; another is dismissed with a typed reason, which the audit log keeps with who
// decided. A process role does not see the section at all.
TEST_F(Web, BeheerRetriesAndDismissesIncidentsOnThePage) {
  HttpClient client(server->port());
  std::string beheer = server->token("beheer"), politie = server->token("politie");
  ASSERT_EQ(client.post("/api/v1/processes", beheer, json{{"files", {{"storing.wth", kStoring}}}}).status, 201);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 2; ++i) {
    auto r = client.post("/api/v1/cases", politie, json{{"process", "storing"}, {"data", json::object()}});
    ASSERT_EQ(r.status, 201) << r.body;
    ids.push_back(r.json()["case"]);
  }
  server->on_engine([&] { return server->engine().run_until(clock, *parse_instant("2026-10-23 09:00")); });
  auto incidents = client.get("/api/v1/incidents", beheer).json();
  ASSERT_EQ(incidents.size(), 2u) << incidents.dump();
  std::int64_t first = incidents[0]["id"], second = incidents[1]["id"];
  auto row = [](std::int64_t id) { return fmt::format("document.querySelector('tr[data-incident=\"{}\"]')", id); };

  Browser page(browser, profile, fmt::format("http://127.0.0.1:{}/#token={}", server->port(), beheer));
  ASSERT_TRUE(page.wait_for(row(first) + " && " + row(second))) << "both incidents are listed";
  EXPECT_NE(page.evaluate(row(first) + ".textContent").get<std::string>().find("peildatum"), std::string::npos)
      << "the error says what is missing";

  // Too early: the reason is shown, the incident stays.
  page.evaluate(row(first) + ".querySelector('button.retry').click()");
  ASSERT_TRUE(page.wait_for("document.getElementById('incident-status').className === 'error'"));
  EXPECT_NE(page.evaluate("document.getElementById('incident-status').textContent").get<std::string>().find("peildatum"),
            std::string::npos);
  EXPECT_EQ(client.get("/api/v1/incidents", beheer).json().size(), 2u);

  // The host supplies the date; the retry clicked on the page fires the wait once.
  Status fixed = server->on_engine(
      [&] { return server->engine().update_case(ids[0], json{{"peildatum", "2026-11-20T09:00:00+01:00"}}); });
  ASSERT_TRUE(fixed.is_ok()) << fixed.message();
  page.evaluate(row(first) + ".querySelector('button.retry').click()");
  ASSERT_TRUE(page.wait_for("!" + row(first))) << "the retried incident leaves the list";
  EXPECT_NE(page.evaluate("document.getElementById('incident-status').textContent").get<std::string>().find(
                "opnieuw geprobeerd"), std::string::npos);

  // The other is dismissed with a reason typed into its form.
  page.evaluate(row(second) + ".querySelector('input[name=reason]').value = 'melding ingetrokken, zaak loopt niet'");
  page.evaluate(row(second) + ".querySelector('form.dismiss button').click()");
  ASSERT_TRUE(page.wait_for("!" + row(second)));
  EXPECT_TRUE(page.wait_for("!document.getElementById('no-incidents').hidden")) << "the page says none are left";
  EXPECT_TRUE(client.get("/api/v1/incidents", beheer).json().empty());
  auto audited = server->on_engine([&] {
    std::vector<json> decided;
    for (std::int64_t id : ids) {
      for (const auto& e : server->engine().audit(id)) {
        if (e["kind"] == "incident retried" || e["kind"] == "incident dismissed") decided.push_back(e);
      }
    }
    return decided;
  });
  ASSERT_EQ(audited.size(), 2u);
  EXPECT_EQ(audited[1]["detail"]["reason"], "melding ingetrokken, zaak loopt niet");
  EXPECT_EQ(audited[0]["detail"]["actor"]["role"], "beheer");

  // The police see their cases, but no incidents section.
  Browser police(browser, profile + "-politie", fmt::format("http://127.0.0.1:{}/#token={}", server->port(), politie));
  ASSERT_TRUE(police.wait_for(fmt::format("document.querySelector('tr[data-case=\"{}\"]')", ids[1])));
  EXPECT_EQ(police.evaluate("document.getElementById('incidents').hidden"), true);
}

}  // namespace
}  // namespace termijn::testing
