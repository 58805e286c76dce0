// Bytes from outside that once crashed, fooled or overreached the engine, one class a test:
// parser and reader aborts, numbers past their type, the standard library shadowed by an upload,
// damaged and read-only databases.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/api/engine.h"
#include "engine/base/numbers.h"
#include "engine/base/utf8.h"
#include "engine/driver/compilation.h"
#include "engine/frontend/parser.h"
#include "engine/scenario/scenario.h"
#include "engine/simulation/spec.h"
#include "engine/store/sqlite.h"
#include "test_support.h"

namespace termijn {
namespace {

namespace fs = std::filesystem;

using testing::parse_errors;

// ---- class 2: parser and reader aborts -----------------------------------------------------------

TEST(UntrustedSource, TokensMissingAtTheEndOfTheFileAreSyntaxErrors) {
  // Each once dereferenced a token the parser never found.
  for (const char* text : {"terms Wth { t = 10 days cite", "process p { task t { cite", "calendar nl = holidays",
                           "process p { title", "process p { timer t = f(", "process p { notify hovj",
                           "import", "process p { require x else", "process p { decide d { when x ->"}) {
    std::string errors = parse_errors(text);
    EXPECT_NE(errors.find("t.wth:1:"), std::string::npos) << text << "\n" << errors;
  }
}

TEST(UntrustedSource, InvalidUtf8IsALocatedError) {
  std::string errors = parse_errors("process p {\n  title \"caf\xC3\x28\"\n}\n");
  EXPECT_NE(errors.find("t.wth:2:13: error: byte 0xC3 is not valid UTF-8; save the file as UTF-8"), std::string::npos)
      << errors;
  EXPECT_EQ(parse_errors("process p {\n  title \"cli\xC3\xABnt\"\n}\n"), "") << "valid UTF-8 is fine";
  EXPECT_EQ(find_invalid_utf8("\xED\xA0\x80"), 0u) << "a surrogate";
  EXPECT_EQ(find_invalid_utf8("ab\xC0\xAF"), 2u) << "an overlong '/'";
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u) << "past U+10FFFF";
  EXPECT_EQ(find_invalid_utf8("\xF0\x9F\x98\x80"), std::nullopt) << "an emoji";
}

TEST(UntrustedSource, NumbersAreConvertedCheckedly) {
  EXPECT_EQ(parse_int("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(parse_int("9223372036854775808"), std::nullopt);
  EXPECT_EQ(parse_int("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(parse_int("12a"), std::nullopt);
  EXPECT_EQ(parse_int(""), std::nullopt);
  EXPECT_EQ(parse_int("+1"), std::nullopt);
  EXPECT_EQ(parse_uint("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parse_uint("18446744073709551616"), std::nullopt);
  EXPECT_EQ(parse_uint("-1"), std::nullopt);
  EXPECT_EQ(parse_int_in("24", 0, 23), std::nullopt);
  EXPECT_EQ(parse_number("1e999"), std::nullopt);
  EXPECT_EQ(parse_number("nan"), std::nullopt);
  EXPECT_EQ(parse_number("0.25"), 0.25);
}

std::string scenario_errors(const std::string& body) {
  std::string path = std::string(TERMIJN_SOURCE_DIR) + "/processes/scenarios/t.scenario";
  std::string text =
      "scenario \"x\"\nprocess landelijk from \"../landelijk.wth\"\n"
      "start 2026-10-20 14:00 on crisismelding with aanhouding=false, kindermishandeling=false\n" +
      body;
  DiagnosticList d;
  scenario::parse(std::make_shared<SourceFile>(path, text), d);
  return render(d);
}

TEST(UntrustedSource, ScenarioNumbersOutOfRangeAreLocatedErrors) {
  EXPECT_NE(scenario_errors("day 99999999999999999999 nothing\n").find("t.scenario:4:5: error: expected a day number from 0"),
            std::string::npos);
  EXPECT_NE(scenario_errors("day 2147483648 nothing\n").find("t.scenario:4:5: error: expected a day number"),
            std::string::npos);
  EXPECT_NE(scenario_errors("day 1 expect level 99999999999\n").find("t.scenario:4:20: error: expected a level"),
            std::string::npos);
  EXPECT_NE(scenario_errors("day 1 update aanhouding=99999999999999999999\n").find("the number 99999999999999999999 is too large"),
            std::string::npos);
  // `ab:cd` is no time of day: it stays a word, and the line says what it expected.
  EXPECT_NE(scenario_errors("day 1 ab:cd nothing\n").find("t.scenario:4:7:"), std::string::npos);
  EXPECT_NE(scenario_errors("day 1 \xFF nothing\n").find("t.scenario:4:7: error: byte 0xFF is not valid UTF-8"),
            std::string::npos);
}

// A date outside 1900-2200: a moment in the year 0 lies before any ISO date with four digits,
// and the scenario's run read its start back from that text.
TEST(UntrustedSource, ScenarioDatesAreWithinTheLimitOfMoments) {
  EXPECT_EQ(scenario_errors("at 2199-12-31 12:00 nothing\n").find("limit: moment"), std::string::npos);
  EXPECT_NE(scenario_errors("at 0000-01-01 00:00 nothing\n")
                .find("t.scenario:4:4: error: '0000-01-01' is not a date between the years 1900 and 2200 (limit: moment)"),
            std::string::npos);
  DiagnosticList d;
  std::string path = std::string(TERMIJN_SOURCE_DIR) + "/processes/scenarios/t.scenario";
  scenario::parse(std::make_shared<SourceFile>(path, "scenario \"y0\"\nprocess landelijk from \"../landelijk.wth\"\n"
                                                     "start 0000-01-01 00:00 on crisismelding with aanhouding=false\n"),
                  d);
  EXPECT_NE(render(d).find("t.scenario:3:7: error: '0000-01-01' is not a date between the years 1900 and 2200"),
            std::string::npos)
      << render(d);
}

std::string sim_errors(const std::string& body) {
  std::string path = std::string(TERMIJN_SOURCE_DIR) + "/examples/simulation/t.sim";
  DiagnosticList d;
  simulation::parse_spec(std::make_shared<SourceFile>(path, "simulation \"x\"\n" + body), d);
  return render(d);
}

TEST(UntrustedSource, SimulationNumbersOutOfRangeAreLocatedErrors) {
  EXPECT_NE(sim_errors("seed 99999999999999999999999\n").find("t.sim:2:6: error: '99999999999999999999999' is not a whole number"),
            std::string::npos);
  EXPECT_EQ(sim_errors("seed 18446744073709551615\n").find("t.sim:2:"), std::string::npos);
  EXPECT_NE(sim_errors("warmup 99999999999 days\n").find("t.sim:2:8: error: '99999999999' is not a number of days (0 to 3660)"),
            std::string::npos);
  EXPECT_NE(sim_errors("capacity hovj 99999999999\n").find("t.sim:2:15: error: '99999999999' is not a number of workers"),
            std::string::npos);
  EXPECT_NE(sim_errors("replications 99999999999\n").find("t.sim:2:14: error:"), std::string::npos);
  EXPECT_NE(sim_errors("arrivals 1e999 per day\n").find("t.sim:2:10: error: '1e999' is not a number of cases"),
            std::string::npos);
  EXPECT_NE(sim_errors("arrivals by hour 99999999999999-3 1\n").find("t.sim:2:18: error:"), std::string::npos);
  EXPECT_NE(sim_errors("term Wth.eerste_termijn = 99999999999999999999 days\n").find("t.sim:2:27: error:"),
            std::string::npos);
}

// Figures that pass their ranges but break the arithmetic behind them: a profile whose weights
// sum to 3e-308 scaled to infinity and never let the clock move; a lognormal whose mean squares
// to 0 drew NaN; a begin date in the year 0.
TEST(UntrustedSource, SimulationFiguresThatBreakTheirArithmeticAreLocatedErrors) {
  EXPECT_NE(sim_errors("arrivals by weekday mon 3e-308, tue 0, wed 0, thu 0, fri 0, sat 0, sun 0\n")
                .find("t.sim:2:25: error: '3e-308' is not a weight (0, or 0.000001 to 1000000)"),
            std::string::npos);
  EXPECT_EQ(sim_errors("arrivals by weekday mon 0.000001, tue 0, wed 0, thu 0, fri 0, sat 0, sun 0\n").find("weight"),
            std::string::npos);
  std::string lognormal = sim_errors("duration default = lognormal mean 1e-200 minutes sd 0 minutes\n");
  EXPECT_NE(lognormal.find("cannot be drawn: its mean is too close to zero"), std::string::npos) << lognormal;
  EXPECT_NE(sim_errors("begin 0000-01-01\n").find("t.sim:2:7: error: '0000-01-01' is not a date between the years 1900 and 2200"),
            std::string::npos);
  EXPECT_EQ(sim_errors("begin 2027-01-04\n").find("t.sim:2:"), std::string::npos);
}

// Twenty figures in focus, each repeated (a repeat is no new figure), then a twenty-first.
TEST(UntrustedSource, SimulationFocusLinesAreBounded) {
  std::string twenty;
  for (int i = 0; i < 20; ++i) twenty += fmt::format("focus measure m{}\nfocus measure m{}\n", i, i);
  EXPECT_EQ(sim_errors(twenty).find("focus lines"), std::string::npos);
  EXPECT_NE(sim_errors(twenty + "focus measure m20\n").find("t.sim:42:1: error: at most 20 focus lines"), std::string::npos);
}

// ---- class 6: the standard library cannot be shadowed ------------------------------------------

const char* kUsesWth = R"(import wth
process ban {
  roles hovj
  events melding
  start on melding
  task beslissen by hovj within Wth.eerste_termijn
}
)";

// The term `Wth.eerste_termijn` as `ban` sees it, compiled from `upload`.
std::optional<std::int64_t> first_term_days(const std::map<std::string, std::string>& upload, std::string& errors) {
  Compilation c = compile_sources(upload, {TERMIJN_STDLIB_DIR});
  errors = render(c.diagnostics);
  const model::Process* ban = c.model->find("ban");
  if (ban == nullptr) return std::nullopt;
  const model::LegalTerm* term = ban->find_term("Wth.eerste_termijn");
  return term == nullptr ? std::nullopt : std::optional<std::int64_t>(term->value.days);
}

TEST(StandardLibrary, AnUploadNamedLikeAModuleDoesNotReplaceIt) {
  // An upload's own wth.wth once replaced the standard library: bans of 100 days that still
  // cited art. 2 lid 1. Now `import wth` reads the standard library, and a second `Wth` clashes.
  std::string errors;
  auto days = first_term_days(
      {{"ban.wth", kUsesWth}, {"wth.wth", "terms Wth {\n  eerste_termijn = 100 days cite \"art. 2 lid 1 Wth\"\n}\n"}},
      errors);
  EXPECT_NE(days, 100) << "never the upload's term";
  EXPECT_NE(errors.find("wth.wth:1:7: error: term group 'Wth' is declared twice"), std::string::npos) << errors;
  // With a group of its own, the upload compiles, and `Wth` is the law's.
  days = first_term_days({{"ban.wth", kUsesWth}, {"wth.wth", "terms Eigen {\n  t = 100 days\n}\n"}}, errors);
  EXPECT_EQ(days, 10) << errors;
}

std::string temp_db(const std::string& name) {
  fs::path path = fs::temp_directory_path() / fmt::format("termijn-{}-{}.db", getpid(), name);
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
  return path.string();
}

TEST(StandardLibrary, ADeploymentRecordsTheModulesAndTheirHashAndRecoversWithThem) {
  std::string path = temp_db("stdlib-hash");
  VirtualClock clock(*parse_instant("2026-10-20 14:00"));
  std::string hash;
  {
    auto engine = Engine::open(EngineOptions{path, &clock, {TERMIJN_STDLIB_DIR}});
    ASSERT_TRUE(engine.is_ok()) << engine.status().message();
    DeployResult r = (*engine)->deploy_sources({{"ban.wth", kUsesWth}, {"wth.wth", "terms Eigen { x = 1 days }\n"}});
    ASSERT_TRUE(r.ok()) << render(r.diagnostics);
    ASSERT_EQ(r.deployed.size(), 1u);
    EXPECT_EQ(r.deployed[0].stdlib_hash.size(), 64u);
    hash = r.deployed[0].hash;
    auto stored = (*engine)->store().definitions();
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].sources["__stdlib_hash__"], r.deployed[0].stdlib_hash);
    EXPECT_TRUE(stored[0].sources["__stdlib__"].contains("wth"));
  }
  auto reopened = Engine::open(EngineOptions{path, &clock, {TERMIJN_STDLIB_DIR}});
  ASSERT_TRUE(reopened.is_ok()) << reopened.status().message();
  EXPECT_NE((*reopened)->runtime().definition(hash), nullptr) << "recompiled to the same model";
}

// ---- class 8: damaged and read-only databases ------------------------------------------------------

std::string make_database(const std::string& name) {
  std::string path = temp_db(name);
  VirtualClock clock(*parse_instant("2026-10-20 14:00"));
  auto engine = Engine::open(EngineOptions{path, &clock, {TERMIJN_STDLIB_DIR}});
  EXPECT_TRUE(engine.is_ok());
  DeployResult r = (*engine)->deploy({std::string(TERMIJN_SOURCE_DIR) + "/processes"});
  EXPECT_TRUE(r.ok()) << render(r.diagnostics);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE((*engine)->start_case("landelijk", {{"aanhouding", true}, {"aangehouden_op", "2026-10-20 13:30"}, {"kindermishandeling", false}}).is_ok());
  }
  return path;
}

Status open_status(const std::string& path) {
  VirtualClock clock(*parse_instant("2026-10-21 14:00"));
  auto engine = Engine::open(EngineOptions{path, &clock, {TERMIJN_STDLIB_DIR}});
  return engine.status();
}

TEST(DamagedDatabase, AFileThatIsNoDatabaseIsRefusedWithTheReason) {
  std::string path = temp_db("not-a-db");
  std::ofstream(path) << std::string(8192, 'x');
  Status s = open_status(path);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("file is not a database"), std::string::npos) << s.message();
}

TEST(DamagedDatabase, DamagedPagesAreFoundByTheQuickCheck) {
  std::string path = make_database("flipped");
  // Overwrite the middle of every page after the first (the schema stays readable).
  auto size = fs::file_size(path);
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  for (std::uintmax_t page = 4096; page + 4096 <= size; page += 4096) {
    f.seekp(static_cast<std::streamoff>(page + 8));
    f << std::string(64, '\x5A');
  }
  f.close();
  Status s = open_status(path);
  EXPECT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("restore it from a backup"), std::string::npos) << s.message();
}

TEST(DamagedDatabase, ARewrittenAuditLogIsRefused) {
  std::string path = make_database("audit");
  {
    store::Database db(path);
    db.exec("UPDATE audit SET kind = 'case cancelled' WHERE seq = (SELECT MAX(seq) FROM audit)");
  }
  Status s = open_status(path);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("the audit log of"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("was changed after it was written"), std::string::npos) << s.message();
  {
    store::Database db(path);
    db.exec("DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)");
  }
  EXPECT_NE(open_status(path).message().find("entries were written"), std::string::npos) << "a log cut short";
}

TEST(DamagedDatabase, AReadOnlyDatabaseIsRefusedWithTheReason) {
  std::string path = make_database("readonly");
  ASSERT_EQ(chmod(path.c_str(), 0444), 0);
  for (const char* suffix : {"-wal", "-shm"}) chmod((path + suffix).c_str(), 0444);
  // Root writes through file permissions, so the open is tried as an ordinary user (nobody), in a
  // child process; its exit code says what it saw.
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
    Status s = open_status(path);
    _exit(s.code() == StatusCode::kInternal && s.message().find("can only be read") != std::string::npos ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the open crashed";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "refused with the reason";
}

}  // namespace
}  // namespace termijn
