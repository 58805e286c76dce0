// The event log of a simulation: CSV that reads back to what was written (RFC 4180), and XES that
// a real XML parser accepts, whatever the names in the process files; the same result gives the
// same bytes; and, on a real run, every case's events tell a complete story.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "engine/simulation/event_log.h"
#include "engine/simulation/simulation.h"
#include "tests/simulation/simulation_support.h"

namespace termijn::simulation {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using Rows = std::vector<std::vector<std::string>>;

// A strict RFC 4180 reader: fields separated by commas, records by LF (CRLF also read); a quoted
// field may hold commas, LF and doubled quotes. Nullopt when the text is not well-formed CSV.
std::optional<Rows> read_csv(const std::string& text) {
  Rows rows;
  std::vector<std::string> row;
  std::string field;
  std::size_t i = 0;
  bool done = text.empty();
  while (!done) {
    if (i < text.size() && text[i] == '"') {
      ++i;
      for (;;) {
        if (i >= text.size()) return std::nullopt;  // unterminated quote
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        if (text[i] == '"') return std::nullopt;  // a quote inside an unquoted field
        field += text[i++];
      }
    }
    row.push_back(std::move(field));
    field.clear();
    if (i < text.size() && text[i] == ',') {
      ++i;
      continue;
    }
    if (i < text.size() && text[i] == '\r') ++i;
    if (i < text.size() && text[i] != '\n') return std::nullopt;  // text after a closing quote
    ++i;
    rows.push_back(std::move(row));
    row.clear();
    done = i >= text.size();
  }
  return rows;
}

Instant at(const std::string& iso) { return *parse_instant(iso); }

CaseRecord a_case(std::int64_t index, std::string stream, bool measured, Instant arrival,
                  std::vector<CaseEvent> events) {
  CaseRecord c;
  c.index = index;
  c.stream = std::move(stream);
  c.arrival = arrival;
  c.measured = measured;
  c.events = std::move(events);
  if (!c.events.empty() && c.events.back().kind == "case ended") {
    c.ended = c.events.back().at;
    c.end_reason = "klaar";
  }
  return c;
}

// Two scenarios (the second named with a comma and quotes), three replications' worth of kept
// cases, eleven events: a role, a detail with commas and quotes, one with a line break, an
// activity "<&>".
SimulationResult two_scenarios() {
  Instant t0 = at("2026-10-20T12:35:00Z");
  SimulationResult r;
  r.title = "Tien tegen veertien";
  r.seed = 20261128;
  r.replications = 2;
  ScenarioResult ten;
  ten.name = "tien dagen";
  ten.replications.resize(1);
  ten.replications[0].cases = {
      a_case(1, "", true, t0,
             {CaseEvent{t0, "case started", "melding", "", R"({"event":"melding","version":1})"},
              CaseEvent{t0, "task opened", "werk", "medewerker",
                        R"({"due":"2026-10-20T13:35:00Z","role":"medewerker","step":"werk"})"},
              CaseEvent{t0 + minutes(90) + milliseconds(250), "task completed", "werk", "medewerker",
                        R"({"outputs":{"toelichting":"ja, \"zeker\""},"role":"medewerker","step":"werk"})"},
              CaseEvent{t0 + hours(2) + milliseconds(1800), "milestone reached", "<&>", "", R"({"step":"<&>"})"},
              CaseEvent{t0 + hours(50), "case ended", "", "", R"({"reason":"klaar","status":"ended"})"}}),
      a_case(2, "herhaald", false, t0 + hours(1),
             {CaseEvent{t0 + hours(1), "case started", "melding", "", "{}"},
              CaseEvent{t0 + hours(1), "task opened", "werk", "medewerker", R"({"role":"medewerker","step":"werk"})"},
              CaseEvent{t0 + hours(3), "task cancelled", "werk", "", "{\"why\":\"regel 1\nregel 2\"}"}})};
  ScenarioResult fourteen;
  fourteen.name = "veertien dagen, \"lang\"";
  fourteen.replications.resize(2);
  fourteen.replications[0].cases = {
      a_case(1, "", true, t0,
             {CaseEvent{t0, "case started", "melding", "", "{}"},
              CaseEvent{t0 + hours(240), "timer fired", "einde", "", R"({"late_ms":0,"timer":"einde"})"}})};
  fourteen.replications[1].cases = {a_case(1, "", true, t0, {CaseEvent{t0, "case started", "melding", "", "{}"}})};
  r.scenarios = {ten, fourteen};
  return r;
}

// A command's exit status and standard output.
std::pair<int, std::string> run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, out};
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  return {::pclose(pipe), out};
}

bool have_xmllint() { return fs::exists("/usr/bin/xmllint"); }

// The XES text in a file that xmllint can read; removed when it goes.
struct XmlFile {
  explicit XmlFile(const std::string& text) {
    path = fs::temp_directory_path() / fmt::format("termijn-{}-event-log-{}.xes", getpid(), counter++);
    std::ofstream(path, std::ios::binary) << text;
  }
  ~XmlFile() { fs::remove(path); }
  XmlFile(const XmlFile&) = delete;
  XmlFile& operator=(const XmlFile&) = delete;
  // xmllint's errors, or "" when the file is well-formed.
  std::string errors() const {
    auto [status, out] = run(fmt::format("xmllint --noout '{}' 2>&1", path.string()));
    return status == 0 ? "" : out.empty() ? "xmllint failed" : out;
  }
  std::string xpath(const std::string& expression) const {
    auto [status, out] = run(fmt::format("xmllint --xpath '{}' '{}' 2>/dev/null", expression, path.string()));
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return status == 0 ? out : "(xpath failed: " + expression + ")";
  }
  static inline int counter = 0;
  fs::path path;
};

TEST(EventLog, CsvHasAHeaderAndARowPerEventOfEveryKeptCase) {
  auto rows = read_csv(event_log_csv(two_scenarios()));
  ASSERT_TRUE(rows) << "well-formed CSV";
  ASSERT_EQ(rows->size(), 1u + 11u);
  EXPECT_EQ((*rows)[0], (std::vector<std::string>{"scenario", "replication", "case", "stream", "measured", "time",
                                                  "hours_after_arrival", "kind", "activity", "role", "detail"}));
  for (const auto& row : *rows) EXPECT_EQ(row.size(), 11u);
  std::map<std::string, int> per_scenario;
  for (std::size_t i = 1; i < rows->size(); ++i) ++per_scenario[(*rows)[i][0] + " #" + (*rows)[i][1]];
  EXPECT_EQ(per_scenario, (std::map<std::string, int>{
                              {"tien dagen #0", 8}, {"veertien dagen, \"lang\" #0", 2}, {"veertien dagen, \"lang\" #1", 1}}));
}

TEST(EventLog, CsvQuotesOnlyFieldsWithCommasQuotesOrLineBreaksAndReadsBackUnchanged) {
  SimulationResult r = two_scenarios();
  std::string text = event_log_csv(r);
  // The detail with a comma and quotes, quoted and its quotes doubled.
  EXPECT_NE(text.find(R"(,"{""outputs"":{""toelichting"":""ja, \""zeker\""""},""role"":""medewerker"",""step"":""werk""}")"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\n\"veertien dagen, \"\"lang\"\"\",0,1,,true,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"{\"\"why\"\":\"\"regel 1\nregel 2\"\"}\"\n"), std::string::npos) << "a line break, quoted";
  EXPECT_NE(text.find("\ntien dagen,0,2,herhaald,false,2026-10-20T13:35:00.000Z,0.000,task opened,werk,medewerker,"),
            std::string::npos)
      << "plain fields stay as they are";
  auto rows = read_csv(text);
  ASSERT_TRUE(rows);
  std::vector<std::string> details;
  for (std::size_t i = 1; i < rows->size(); ++i) details.push_back((*rows)[i][10]);
  std::vector<std::string> expected;
  for (const auto& s : r.scenarios) {
    for (const auto& rep : s.replications) {
      for (const auto& c : rep.cases) {
        for (const auto& e : c.events) expected.push_back(e.detail);
      }
    }
  }
  EXPECT_EQ(details, expected) << "every field reads back as written";
  EXPECT_EQ((*rows)[4][8], "<&>");
}

TEST(EventLog, CsvTimesAreUtcToTheMillisecondWithHoursAfterArrival) {
  auto rows = read_csv(event_log_csv(two_scenarios()));
  ASSERT_TRUE(rows);
  auto time_and_hours = [&](std::size_t row) { return (*rows)[row][5] + " " + (*rows)[row][6]; };
  EXPECT_EQ(time_and_hours(1), "2026-10-20T12:35:00.000Z 0.000");
  EXPECT_EQ(time_and_hours(3), "2026-10-20T14:05:00.250Z 1.500");
  EXPECT_EQ(time_and_hours(4), "2026-10-20T14:35:01.800Z 2.001") << "1.8 s is half a thousandth of an hour: up";
  EXPECT_EQ(time_and_hours(5), "2026-10-22T14:35:00.000Z 50.000");
  EXPECT_EQ(time_and_hours(8), "2026-10-20T15:35:00.000Z 2.000") << "from the case's own arrival";
  EXPECT_EQ(time_and_hours(10), "2026-10-30T12:35:00.000Z 240.000");
}

TEST(EventLog, XesIsWellFormedXml) {
  if (!have_xmllint()) GTEST_SKIP() << "no /usr/bin/xmllint (Debian: libxml2-utils)";
  XmlFile file(event_log_xes(two_scenarios()));
  EXPECT_EQ(file.errors(), "");
}

TEST(EventLog, XesHasATracePerCaseAndAnEventPerAuditEntry) {
  std::string xes = event_log_xes(two_scenarios());
  EXPECT_EQ(count(xes, "<trace>"), 4u);
  EXPECT_EQ(count(xes, "<event>"), 11u);
  EXPECT_EQ(xes.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0), 0u);
  EXPECT_NE(xes.find("<log xes.version=\"1.0\" xes.features=\"nested-attributes\" xmlns=\"http://www.xes-standard.org/\">"),
            std::string::npos);
  for (const char* extension : {R"(<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>)",
                                R"(<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>)",
                                R"(<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>)",
                                R"(<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>)",
                                R"(<classifier name="Activity" keys="concept:name lifecycle:transition"/>)",
                                R"(<classifier name="Audit entry" keys="termijn:kind concept:name"/>)"}) {
    EXPECT_NE(xes.find(extension), std::string::npos) << extension;
  }
  if (!have_xmllint()) GTEST_SKIP() << "counted by text only: no /usr/bin/xmllint";
  XmlFile file(xes);
  EXPECT_EQ(file.xpath("count(/*[local-name()=\"log\"]/*[local-name()=\"trace\"])"), "4");
  EXPECT_EQ(file.xpath("count(//*[local-name()=\"trace\"]/*[local-name()=\"event\"])"), "11");
  // The case's name is unique across scenarios: scenario/replication/case.
  EXPECT_EQ(file.xpath("string(//*[local-name()=\"trace\"][2]/*[@key=\"concept:name\"]/@value)"), "tien dagen/0/2");
  EXPECT_EQ(file.xpath("string(//*[local-name()=\"trace\"][4]/*[@key=\"concept:name\"]/@value)"),
            "veertien dagen, \"lang\"/1/1");
}

TEST(EventLog, XesEventsCarryLifecycleTimestampRoleAndTheAuditKind) {
  std::string xes = event_log_xes(two_scenarios());
  // Every event has a transition, a timestamp and its audit kind; only tasks have a role.
  EXPECT_EQ(count(xes, "<string key=\"lifecycle:transition\""), 11u + 1u) << "and the global default";
  EXPECT_EQ(count(xes, "<date key=\"time:timestamp\""), 11u + 1u);
  EXPECT_EQ(count(xes, "<string key=\"termijn:kind\""), 11u + 1u);
  EXPECT_EQ(count(xes, "<string key=\"org:role\" value=\"medewerker\"/>"), 3u);
  EXPECT_EQ(count(xes, "key=\"org:role\""), 3u);
  EXPECT_NE(xes.find("<string key=\"lifecycle:model\" value=\"standard\"/>"), std::string::npos);
  if (!have_xmllint()) GTEST_SKIP() << "no /usr/bin/xmllint to read the values back";
  XmlFile file(xes);
  auto value = [&](int trace, int event, const std::string& key) {
    return file.xpath(fmt::format("string(//*[local-name()=\"trace\"][{}]/*[local-name()=\"event\"][{}]/*[@key=\"{}\"]/@value)",
                                  trace, event, key));
  };
  EXPECT_EQ(value(1, 2, "concept:name"), "werk");
  EXPECT_EQ(value(1, 2, "lifecycle:transition"), "start");
  EXPECT_EQ(value(1, 2, "org:role"), "medewerker");
  EXPECT_EQ(value(1, 3, "lifecycle:transition"), "complete");
  EXPECT_EQ(value(1, 3, "time:timestamp"), "2026-10-20T14:05:00.250Z");
  EXPECT_EQ(value(1, 3, "termijn:kind"), "task completed");
  EXPECT_EQ(value(1, 4, "concept:name"), "<&>") << "escaped, and read back as written";
  EXPECT_EQ(value(1, 5, "concept:name"), "case ended") << "no activity: the kind names the event";
  EXPECT_EQ(value(1, 5, "lifecycle:transition"), "complete");
  EXPECT_EQ(value(2, 3, "lifecycle:transition"), "ate_abort");
  EXPECT_EQ(value(3, 2, "termijn:kind"), "timer fired");
  auto trace = [&](int n, const std::string& key) {
    return file.xpath(fmt::format("string(//*[local-name()=\"trace\"][{}]/*[@key=\"{}\"]/@value)", n, key));
  };
  EXPECT_EQ(trace(2, "scenario"), "tien dagen");
  EXPECT_EQ(trace(2, "stream"), "herhaald");
  EXPECT_EQ(trace(2, "measured"), "false");
  EXPECT_EQ(trace(4, "replication"), "1");
  EXPECT_EQ(file.xpath("name(//*[local-name()=\"trace\"][4]/*[@key=\"replication\"])"), "int");
  EXPECT_EQ(file.xpath("name(//*[local-name()=\"trace\"][4]/*[@key=\"measured\"])"), "boolean");
}

TEST(EventLog, NamesFromUntrustedFilesCannotBreakTheXes) {
  Instant t0 = at("2026-10-20T12:35:00Z");
  SimulationResult r;
  r.title = "</log><!-- & -->";
  ScenarioResult s;
  s.name = "a'b\"c<d>e&f";
  s.replications.resize(1);
  s.replications[0].cases = {
      a_case(7, "\x01stroom\x7f", true, t0,
             {CaseEvent{t0, "task opened", "bel\x01\x08\x1f", "rol\tmet\ntab", "{}"},
              CaseEvent{t0, "task opened", "\xff\xfe half \xe2\x82", "\xed\xa0\x80", "{}"},
              CaseEvent{t0, "task opened", "\xef\xbf\xbe\xc0\xaf", "", "{}"},
              CaseEvent{t0, "event handled", "ü €", "", "{}"}})};
  r.scenarios = {s};
  std::string xes = event_log_xes(r);
  EXPECT_EQ(xes.find('\x01'), std::string::npos);
  EXPECT_EQ(xes.find('\xff'), std::string::npos);
  EXPECT_EQ(count(xes, "</log>"), 1u);
  if (!have_xmllint()) GTEST_SKIP() << "no /usr/bin/xmllint";
  XmlFile file(xes);
  ASSERT_EQ(file.errors(), "");
  auto event = [&](int n, const std::string& key) {
    return file.xpath(fmt::format("string(//*[local-name()=\"event\"][{}]/*[@key=\"{}\"]/@value)", n, key));
  };
  EXPECT_EQ(event(1, "concept:name"), "bel\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") << "control characters: U+FFFD";
  EXPECT_EQ(event(1, "org:role"), "rol\tmet\ntab") << "tab and line feed kept, as character references";
  EXPECT_EQ(event(2, "concept:name"), "\xef\xbf\xbd\xef\xbf\xbd half \xef\xbf\xbd\xef\xbf\xbd") << "broken UTF-8";
  EXPECT_EQ(event(3, "concept:name"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") << "U+FFFE and an overlong '/'";
  EXPECT_EQ(event(4, "concept:name"), "ü €") << "well-formed UTF-8 stays";
  EXPECT_EQ(file.xpath("string(//*[local-name()=\"trace\"]/*[@key=\"scenario\"]/@value)"), "a'b\"c<d>e&f");
  EXPECT_EQ(file.xpath("string(/*[local-name()=\"log\"]/*[@key=\"concept:name\"]/@value)"), "</log><!-- & -->");
}

TEST(EventLog, NothingKeptGivesAHeaderAndAnEmptyLog) {
  SimulationResult r;
  ScenarioResult s;
  s.name = "leeg";
  s.replications.resize(3);  // run without keep_cases: no cases
  r.scenarios = {s};
  EXPECT_EQ(event_log_csv(r),
            "scenario,replication,case,stream,measured,time,hours_after_arrival,kind,activity,role,detail\n");
  std::string xes = event_log_xes(r);
  EXPECT_EQ(count(xes, "<trace>"), 0u);
  if (!have_xmllint()) GTEST_SKIP() << "no /usr/bin/xmllint";
  XmlFile file(xes);
  EXPECT_EQ(file.errors(), "");
}

// ---- end to end: a tiny process simulated, its cases kept ----

// A bound stage whose two-hour term cancels the work still open when it passes, then a closing
// task: tasks that complete and tasks that are cancelled, a timer, a milestone, stages.
class EventLogRun {
 public:
  EventLogRun() {
    dir_ = fs::temp_directory_path() / fmt::format("termijn-{}-event-log", getpid());
    fs::create_directories(dir_);
    std::ofstream(dir_ / "kort.wth") << "process kort {\n"
                                        "  roles medewerker, toezicht\n"
                                        "  events melding\n"
                                        "  start on melding\n"
                                        "  milestone begonnen\n"
                                        "  stage looptijd until einde {\n"
                                        "    timer einde = begonnen + 2 hours\n"
                                        "    task werk \"Werk\" by medewerker within 1 hour\n"
                                        "  }\n"
                                        "  task afsluiten by toezicht within 1 day\n"
                                        "}\n";
  }
  ~EventLogRun() { fs::remove_all(dir_); }
  EventLogRun(const EventLogRun&) = delete;
  EventLogRun& operator=(const EventLogRun&) = delete;

  std::optional<SimulationResult> simulate_with(int threads, DiagnosticList& d) {
    Spec spec = from_text((dir_ / "t.sim").string(),
                          "simulation \"event log\"\n"
                          "process kort from \"kort.wth\"\n"
                          "period 6 days\nwarmup 2 days\ndrain 3 days\nreplications 2\nseed 11\n"
                          "arrivals 12 per day\n"
                          "duration werk = uniform 30 min, 4 hours\n"
                          "duration afsluiten = 20 min\n"
                          "scenario \"traag\"\n"
                          "scenario \"snel\"\n"
                          "duration werk = uniform 10 min, 90 min\n",
                          d);
    if (d.has_errors()) return std::nullopt;
    return simulate(spec, {TERMIJN_STDLIB_DIR}, d, RunOptions{threads, true, 1, {}});
  }

 private:
  fs::path dir_;
};

TEST(EventLog, ASimulatedCaseStartsAndEveryTaskItOpensCompletesOrIsCancelled) {
  EventLogRun model;
  DiagnosticList d;
  auto result = model.simulate_with(0, d);
  ASSERT_TRUE(result) << render(d);
  ASSERT_EQ(result->scenarios.size(), 2u);
  std::string text = event_log_csv(*result);
  auto rows = read_csv(text);
  ASSERT_TRUE(rows) << "well-formed CSV";
  ASSERT_GT(rows->size(), 1u);

  // The rows of each case, in order, by "scenario/replication/case".
  std::map<std::string, std::vector<const std::vector<std::string>*>> cases;
  std::vector<std::string> order;
  std::set<std::string> replications;
  for (std::size_t i = 1; i < rows->size(); ++i) {
    const auto& row = (*rows)[i];
    ASSERT_EQ(row.size(), 11u);
    std::string id = row[0] + "/" + row[1] + "/" + row[2];
    if (cases.find(id) == cases.end()) order.push_back(id);
    cases[id].push_back(&row);
    replications.insert(row[1]);
    EXPECT_NE(row[6].front(), '-') << "nothing happens before the case arrives: " << id;
  }
  EXPECT_EQ(replications, std::set<std::string>{"0"}) << "only the first replication's cases are kept";
  std::size_t kept = 0;
  for (const auto& s : result->scenarios) kept += s.replications[0].cases.size();
  EXPECT_EQ(cases.size(), kept) << "a case without events would have no row, and every case has some";

  int measured = 0, completed = 0, cancelled = 0;
  for (const auto& id : order) {
    const auto& events = cases[id];
    if ((*events.front())[4] != "true") continue;
    ++measured;
    EXPECT_EQ((*events.front())[7], "case started") << id;
    std::map<std::string, int> open;  // by activity
    for (const auto* row : events) {
      const std::string& kind = (*row)[7];
      const std::string& activity = (*row)[8];
      if (kind == "task opened") {
        ++open[activity];
        EXPECT_NE((*row)[9], "") << "a task has a role: " << id;
      } else if (kind == "task completed" || kind == "task cancelled") {
        EXPECT_GT(open[activity], 0) << kind << " of " << activity << " that was not open, in " << id;
        --open[activity];
        (kind == "task completed" ? completed : cancelled) += 1;
      }
    }
    for (const auto& [activity, n] : open) EXPECT_EQ(n, 0) << activity << " left open in " << id;
    EXPECT_EQ((*events.back())[7], "case ended") << id;
  }
  EXPECT_GT(measured, 50);
  EXPECT_GT(completed, 0);
  EXPECT_GT(cancelled, 0) << "the term cancels some slow work";

  // The XES of the same run: a trace per kept case, an event per CSV row, well-formed.
  std::string xes = event_log_xes(*result);
  EXPECT_EQ(count(xes, "<trace>"), kept);
  EXPECT_EQ(count(xes, "<event>"), rows->size() - 1);
  if (!have_xmllint()) GTEST_SKIP() << "no /usr/bin/xmllint";
  XmlFile file(xes);
  EXPECT_EQ(file.errors(), "");
}

TEST(EventLog, TheSameSeedGivesByteIdenticalLogsWhateverTheThreads) {
  EXPECT_EQ(event_log_csv(two_scenarios()), event_log_csv(two_scenarios()));
  EXPECT_EQ(event_log_xes(two_scenarios()), event_log_xes(two_scenarios()));
  EventLogRun model;
  DiagnosticList d;
  auto one = model.simulate_with(1, d);
  auto two = model.simulate_with(2, d);
  ASSERT_TRUE(one && two) << render(d);
  EXPECT_EQ(event_log_csv(*one), event_log_csv(*two));
  EXPECT_EQ(event_log_xes(*one), event_log_xes(*two));
}

}  // namespace
}  // namespace termijn::simulation
