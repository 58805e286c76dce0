// Who saw and did what: every audit entry names the acting token's holder and organisation (never
// the token), reads of a case's personal data are audited too, and `termijn audit log --case N`
// shows it all to an auditor.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/api_fixture.h"
#include "tests/support/run_command.h"

namespace termijn::testing {
namespace {

class Accountability : public Api {
 protected:
  // The "personal data read" entries of case `id`: (what, holder name, organisation, role).
  std::vector<std::tuple<std::string, std::string, std::string, std::string>> reads(std::int64_t id) {
    return server->on_engine([&] {
      std::vector<std::tuple<std::string, std::string, std::string, std::string>> out;
      for (const auto& e : server->engine().audit(id)) {
        if (e["kind"] != "personal data read") continue;
        const json& actor = e["detail"]["actor"];
        out.emplace_back(e["detail"]["what"], actor.value("name", ""), actor.value("organisation", ""),
                         actor.value("role", ""));
      }
      return out;
    });
  }
};

TEST_F(Accountability, ReadsOfPersonalDataAreAuditedWithWhoReadThem) {
  std::int64_t id = impose();
  // The hovj works on the case: it sees the data, and the log says so, by holder and organisation.
  auto seen = client->get(fmt::format("/api/v1/cases/{}", id), tokens["hovj"]);
  ASSERT_EQ(seen.status, 200) << seen.body;
  ASSERT_TRUE(seen.json().contains("data")) << seen.body;
  auto r = reads(id);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(std::get<0>(r[0]), "case data");
  EXPECT_EQ(std::get<1>(r[0]).rfind("hovj-", 0), 0u) << std::get<1>(r[0]);
  EXPECT_EQ(std::get<2>(r[0]), "Testregio");
  EXPECT_EQ(std::get<3>(r[0]), "hovj");
  // The timeline (with the RiHG's answers) and the deadlines' explanations are reads as well.
  EXPECT_EQ(client->get(fmt::format("/api/v1/cases/{}/timeline", id), tokens["hovj"]).status, 200);
  EXPECT_EQ(client->get(fmt::format("/api/v1/cases/{}/deadlines", id), tokens["hovj"]).status, 200);
  r = reads(id);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(std::get<0>(r[1]), "timeline");
  EXPECT_EQ(std::get<0>(r[2]), "deadlines");
  // The administrators see the case without its personal data: nothing personal was read.
  auto meta = client->get(fmt::format("/api/v1/cases/{}", id), tokens["beheer"]);
  ASSERT_EQ(meta.status, 200);
  EXPECT_FALSE(meta.json().contains("data"));
  EXPECT_EQ(reads(id).size(), 3u);
}

TEST_F(Accountability, TheAuditLogOfACaseShowsWhoSawAndDidWhatAndNeverAToken) {
  std::int64_t id = impose();
  ASSERT_EQ(client->get(fmt::format("/api/v1/cases/{}", id), tokens["hovj"]).status, 200);
  // An auditor reads the log at the command line beside the running server.
  std::string log = run_command(fmt::format("{} audit log --db {} --case {}", TERMIJN_BINARY, db, id));
  EXPECT_NE(log.find("personal data read"), std::string::npos) << log;
  EXPECT_NE(log.find("(Testregio, role hovj)"), std::string::npos) << log;
  EXPECT_NE(log.find("(Testregio, role politie)"), std::string::npos) << log;  // who started it
  for (const auto& [role, token] : tokens) {
    EXPECT_EQ(log.find(token), std::string::npos) << role << "'s token is in the log";
    EXPECT_EQ(log.find(token.substr(4, 16)), std::string::npos) << role << "'s token is in the log";
  }
}

}  // namespace
}  // namespace termijn::testing
