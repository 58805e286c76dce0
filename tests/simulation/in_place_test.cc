// The runtime in place, recording facts only (as the simulator runs it) against the runtime on
// copies, recording in full (as the engine runs it): the same random commands on the national
// process, refusals included, leave the same live cases, open tasks and due timers after every
// command; and a command refused in place leaves the live cases exactly as they were. Without undo
// logs (as the simulator runs the commands it expects to succeed) the same, and a command refused
// half way spoils the runtime.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <new>
#include <random>
#include <tuple>
#include <vector>

#include "engine/driver/compilation.h"
#include "engine/runtime/runtime.h"
#include "tests/support/looping.h"
#include "tests/support/rihg.h"
#include "tests/unit/test_support.h"

namespace termijn {
namespace {

using runtime::Json;
using runtime::Runtime;

Json live(const Runtime& rt) {
  Json out = Json::object();
  for (const auto& [id, c] : rt.cases()) out[std::to_string(id)] = runtime::whole_json(c);
  out["due"] = Json::array();
  for (const auto& [at, timer] : rt.due_timers(Instant::max(), 1'000'000)) out["due"].push_back({to_millis(at), timer});
  return out;
}

// Outputs for a task: random values of its enum and bool outputs (the RiHG's answers for the
// instrument); now and then one left out, which is refused.
Json outputs_for(const model::Node& node, std::mt19937_64& rng) {
  if (!node.instrument.empty()) return testing::rihg_answers(rng() % 2 == 0);
  Json out = Json::object();
  for (const auto& o : node.outputs) {
    if (rng() % 20 == 0) continue;
    if (o.type.kind == model::Type::Kind::kBool) out[o.name] = rng() % 2 == 0;
    if (o.type.kind == model::Type::Kind::kEnum) out[o.name] = o.type.members[rng() % o.type.members.size()];
  }
  return out;
}

TEST(RuntimeInPlace, RunsAsOnCopiesAndUndoesWhatItRefuses) {
  std::string root = TERMIJN_SOURCE_DIR;
  Compilation compiled = compile_paths({root + "/stdlib", root + "/processes"}, {TERMIJN_STDLIB_DIR});
  ASSERT_NE(compiled.model->find("landelijk"), nullptr);
  LegalTime legal;
  Runtime copies(legal), in_place(legal), unlogged(legal);
  for (Runtime* rt : {&in_place, &unlogged}) {
    rt->set_in_place(true);
    rt->set_recording(Runtime::Recording::kFacts);
  }
  unlogged.set_undo_log(false);
  for (const auto& p : compiled.model->processes) {
    for (Runtime* rt : {&copies, &in_place, &unlogged}) rt->add_definition(p);
  }
  const model::Process& p = *copies.latest("landelijk");
  std::mt19937_64 rng(20261130);
  Instant now = *parse_instant("2027-01-04 09:00");
  int refused = 0;
  runtime::Changes reused;
  for (int step = 0; step < 600; ++step) {
    now += std::chrono::minutes(rng() % 600);
    const Json before = live(in_place);
    runtime::Changes a;
    // In place as the simulator runs it: one Changes, cleared and used again at every command.
    reused.clear();
    runtime::Changes& b = reused;
    runtime::Changes u;
    Status sa, sb, su;
    switch (rng() % 4) {
      case 0: {
        Json data{{"uithuisgeplaatste", "P1"}, {"achterblijvers", {"P2"}}, {"kinderen", Json::array()},
                  {"aanhouding", rng() % 2 == 0}, {"aangehouden_op", to_iso_utc(now)}, {"kindermishandeling", rng() % 4 == 0}};
        sa = copies.start("landelijk", "crisismelding", data, now, a).status();
        sb = in_place.start("landelijk", "crisismelding", data, now, b).status();
        su = unlogged.start("landelijk", "crisismelding", data, now, u).status();
        break;
      }
      case 1: {  // a random open task, by its role (and now and then by another)
        std::vector<const runtime::Task*> open;
        for (const auto& [id, c] : copies.cases()) {
          for (const auto& [task_id, task] : c.tasks) open.push_back(&task);
        }
        if (open.empty()) continue;
        const runtime::Task& task = *open[rng() % open.size()];
        Json outputs = outputs_for(copies.definition(copies.find_case(task.case_id)->hash)->nodes.at(task.node), rng);
        std::string role = rng() % 30 == 0 ? "politie" : task.role;
        runtime::TaskId id = task.id;
        sa = copies.complete(id, role, outputs, now, a);
        sb = in_place.complete(id, role, outputs, now, b);
        su = unlogged.complete(id, role, outputs, now, u);
        break;
      }
      case 2: {  // the timers that are due
        auto due = copies.due_timers(now, 1);
        if (due.empty()) continue;
        sa = copies.fire(due.front().second, now, a);
        sb = in_place.fire(due.front().second, now, b);
        su = unlogged.fire(due.front().second, now, u);
        break;
      }
      default: {  // an event, often one nothing listens for
        if (copies.cases().empty()) continue;
        auto it = copies.cases().begin();
        std::advance(it, static_cast<long>(rng() % copies.cases().size()));
        const std::string& event = p.events[rng() % p.events.size()];
        sa = copies.signal(it->first, event, Json::object(), now, a);
        sb = in_place.signal(it->first, event, Json::object(), now, b);
        unlogged.set_undo_log(true);  // as the simulator sends events: often refused, after a look
        su = unlogged.signal(it->first, event, Json::object(), now, u);
        unlogged.set_undo_log(false);
      }
    }
    ASSERT_EQ(sa.code(), sb.code()) << step << ": " << sa.message() << " / " << sb.message();
    ASSERT_EQ(su.code(), sb.code()) << step << ": " << su.message();
    // Refused before they changed anything (a role, an output missing): nothing to undo.
    ASSERT_FALSE(unlogged.spoiled()) << step << ": " << su.message();
    if (sa.is_ok()) {
      copies.apply(a);
      in_place.apply(b);
      unlogged.apply(u);
      EXPECT_TRUE(b.tasks.empty() && b.timers.empty() && b.outbox.empty()) << "facts only: no rows";
    } else {
      ++refused;
      ASSERT_EQ(live(in_place), before) << step << ": refused (" << sb.message() << "), yet changed";
    }
    ASSERT_EQ(live(in_place), live(copies)) << step;
    ASSERT_EQ(live(unlogged), live(in_place)) << step;
  }
  EXPECT_GT(refused, 30);
}

// Refused half-way (testing::kLooping): a case waiting at its first task, whose completion loops.
class LoopingCase : public ::testing::Test {
 protected:
  // With or without undo logs (Runtime::set_undo_log).
  void start(bool undo_log) {
    ASSERT_NE(compiled.model->find("lus"), nullptr) << compiled.errors();
    rt.set_in_place(true);
    rt.set_undo_log(undo_log);
    rt.add_definition(compiled.model->processes.front());
    runtime::Changes started;
    auto id = rt.start("lus", "aanvraag", Json{{"teller", 0}}, now, started);
    ASSERT_TRUE(id.is_ok()) << id.status().message();
    rt.apply(started);
    task = rt.find_case(*id)->tasks.begin()->first;
  }
  testing::Compiled compiled = testing::compile_text(testing::kLooping);
  LegalTime legal;
  Runtime rt{legal};
  Instant now = *parse_instant("2027-01-04 09:00");
  runtime::TaskId task = 0;
};

TEST_F(LoopingCase, ACommandRefusedAfterItChangedTheCaseIsUndone) {
  start(/*undo_log=*/true);
  const Json before = live(rt);
  runtime::Changes changes;
  Status s = rt.complete(task, "medewerker", Json::object(), now + std::chrono::hours(1), changes);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("limit: steps per command"), std::string::npos) << s.message();
  EXPECT_FALSE(changes.audit.empty()) << "the command had changed the case before it was refused";
  EXPECT_EQ(live(rt), before);
  EXPECT_NE(rt.find_task(task), nullptr) << "the task is open again";
  EXPECT_FALSE(rt.spoiled());
}

// The same command without an undo log: nothing to put the case back from, and the runtime says so.
TEST_F(LoopingCase, ACommandWithoutUndoLogRefusedHalfWaySpoilsTheRuntime) {
  start(/*undo_log=*/false);
  runtime::Changes refused_early;
  EXPECT_EQ(rt.complete(task, "niemand", Json::object(), now, refused_early).code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(rt.spoiled()) << "refused before the case was touched";
  runtime::Changes changes;
  EXPECT_FALSE(rt.complete(task, "medewerker", Json::object(), now + std::chrono::hours(1), changes).is_ok());
  EXPECT_TRUE(rt.spoiled());
}

TEST(RuntimeInPlace, UndoesACommandWhoseAuditTextIsNotUtf8) {
  // Recording in full, an audit entry's detail is written to text as it is made, which refuses
  // text that is not UTF-8. The engine refuses such text when it is given; a host calling the
  // runtime itself gets the refusal from the runtime, with the live cases as they were.
  testing::Compiled c = testing::compile_text(R"(
process kort {
  roles burgemeester
  events aanvraag
  start on aanvraag
  task eerst by burgemeester within 1 days
}
)");
  ASSERT_NE(c.model->find("kort"), nullptr) << c.errors();
  LegalTime legal;
  Runtime rt(legal);
  rt.set_in_place(true);
  rt.add_definition(c.model->processes.front());
  Instant now = *parse_instant("2027-01-04 09:00");
  const std::string broken = "niet \xff tekst";
  runtime::Changes refused;
  auto none = rt.start("kort", "aanvraag", Json::object(), now, refused, broken);
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument) << none.status().message();
  EXPECT_TRUE(rt.cases().empty());
  runtime::Changes started;
  auto id = rt.start("kort", "aanvraag", Json::object(), now, started);
  ASSERT_TRUE(id.is_ok()) << id.status().message();
  rt.apply(started);
  const Json before = live(rt);
  runtime::TaskId task = rt.find_case(*id)->tasks.begin()->first;
  runtime::Changes cancelled;
  EXPECT_EQ(rt.cancel(*id, broken, now, cancelled).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(live(rt), before);
  EXPECT_NE(rt.find_task(task), nullptr);
}

// Recording facts only, outputs given to a step exactly as before are taken as they were then
// (Runtime::given_before): the cases share them. Outputs that operator== takes as equal, but that
// are not the same (1.0 for a whole number), are checked, and refused, as a runtime recording in
// full refuses them.
TEST(RuntimeInPlace, OutputsGivenAsBeforeAreTakenAsBeforeAndOnlyThose) {
  testing::Compiled c = testing::compile_text(R"(
process tellen {
  roles medewerker
  events aanvraag
  start on aanvraag
  task eerst by medewerker within 1 days {
    output aantal: int
  }
  task daarna by medewerker within 1 days
}
)");
  ASSERT_NE(c.model->find("tellen"), nullptr) << c.errors();
  LegalTime legal;
  Runtime facts(legal), full(legal);
  facts.set_in_place(true);
  facts.set_recording(Runtime::Recording::kFacts);
  // Added once: adding a definition forgets the outputs remembered.
  for (Runtime* rt : {&facts, &full}) rt->add_definition(c.model->processes.front());
  Instant now = *parse_instant("2027-01-04 09:00");
  // The outputs the case keeps of `eerst` once it is completed with `outputs`; nullptr if refused.
  const auto& nodes = c.model->find("tellen")->nodes;
  auto step = std::find_if(nodes.begin(), nodes.end(), [](const model::Node& n) { return n.name == "eerst"; });
  ASSERT_NE(step, nodes.end());
  const model::NodeId eerst = step->id;
  auto complete = [&](Runtime& rt, const Json& outputs, Status& status) -> const runtime::GivenOutputs* {
    runtime::Changes started;
    auto id = rt.start("tellen", "aanvraag", Json::object(), now, started);
    EXPECT_TRUE(id.is_ok()) << id.status().message();
    rt.apply(started);
    runtime::TaskId task = rt.find_case(*id)->tasks.begin()->first;
    runtime::Changes done;
    status = rt.complete(task, "medewerker", outputs, now, done);
    if (!status.is_ok()) return nullptr;
    rt.apply(done);
    return rt.find_case(*id)->outputs.at(eerst).get();
  };
  std::vector<const runtime::GivenOutputs*> taken;
  for (const Json& outputs : {Json{{"aantal", 1}}, Json{{"aantal", 1}}, Json{{"aantal", 1.0}}, Json{{"aantal", 2}},
                              Json{{"aantal", "1"}}, Json{{"aantal", 1}}, Json::object()}) {
    Status f, u;
    taken.push_back(complete(facts, outputs, f));
    complete(full, outputs, u);
    EXPECT_EQ(f.code(), u.code()) << outputs.dump() << ": " << f.message() << " / " << u.message();
    EXPECT_EQ(f.message(), u.message()) << outputs.dump();
  }
  ASSERT_NE(taken[0], nullptr);
  EXPECT_EQ(taken[1], taken[0]) << "the same outputs again: shared";
  EXPECT_EQ(taken[2], nullptr) << "1.0 for a whole number: refused, though operator== takes it as 1";
  ASSERT_NE(taken[3], nullptr);
  EXPECT_NE(taken[3], taken[0]);
  EXPECT_EQ(taken[3]->value, (Json{{"aantal", 2}}));
  EXPECT_EQ(taken[5], taken[0]);
  EXPECT_EQ(taken[6], nullptr) << "missing output";
}

// Recording facts of some kinds only (as the simulator asks for the kinds its figures read), a
// command records the entries of those kinds that a runtime recording in full records, in the
// same order with the same facts, and no other.
TEST(RuntimeInPlace, RecordingFactsOfSomeKindsRecordsThoseAndNoOthers) {
  testing::Compiled c = testing::compile_text(R"(
process melden {
  roles medewerker
  events melding
  start on melding
  milestone ontvangen
  task beoordelen by medewerker within 1 days {
    output ernstig: bool
  }
  decide zwaarte {
    when beoordelen.ernstig -> opvolgen
    otherwise { end "licht" }
  }
  task opvolgen by medewerker within 1 days
}
)");
  ASSERT_NE(c.model->find("melden"), nullptr) << c.errors();
  using runtime::AuditKind;
  const runtime::AuditKinds asked{AuditKind::kTaskOpened, AuditKind::kTaskCompleted, AuditKind::kCaseEnded};
  LegalTime legal;
  Runtime full(legal), picked(legal);
  picked.set_in_place(true);
  picked.set_recording(Runtime::Recording::kFacts, asked);
  for (Runtime* rt : {&full, &picked}) rt->add_definition(c.model->processes.front());
  Instant now = *parse_instant("2027-01-04 09:00");
  // The kinds and facts of every entry of a case run to its end, started and its task done.
  auto entries = [&](Runtime& rt) {
    std::vector<std::tuple<AuditKind, const model::Node*, std::int64_t>> out;
    auto keep = [&](runtime::Changes& changes) {
      for (const auto& e : changes.audit) out.emplace_back(e.kind, e.fact.node, e.fact.number);
      rt.apply(changes);
    };
    runtime::Changes started;
    auto id = rt.start("melden", "melding", Json::object(), now, started);
    EXPECT_TRUE(id.is_ok()) << id.status().message();
    keep(started);
    runtime::Changes done;
    runtime::TaskId task = rt.find_case(*id)->tasks.begin()->first;
    EXPECT_TRUE(rt.complete(task, "medewerker", Json{{"ernstig", false}}, now, done).is_ok());
    keep(done);
    return out;
  };
  auto everything = entries(full);
  decltype(everything) expected;
  std::copy_if(everything.begin(), everything.end(), std::back_inserter(expected),
               [&](const auto& e) { return asked.has(std::get<0>(e)); });
  EXPECT_EQ(entries(picked), expected);
  EXPECT_EQ(expected.size(), 3u) << "opened, completed, ended";
  EXPECT_GT(everything.size(), expected.size()) << "the case started, reached a milestone and decided too";
}

// An undo log whose copy of an entry fails (out of memory) keeps nothing of it: not an entry saying
// it was not there (undo() would erase it), nor its key as kept (undo() would leave it changed).
// In the first few entries, searched in order, and past them, in the set of keys.
TEST(RuntimeInPlace, AnUndoLogThatCouldNotCopyAnEntryKeepsNoneOfIt) {
  struct Fragile {
    int value = 0;
    bool* fail = nullptr;
    Fragile(int v, bool* f) : value(v), fail(f) {}
    Fragile(const Fragile& other) : value(other.value), fail(other.fail) {
      if (*fail) throw std::bad_alloc();
    }
  };
  for (int at : {3, 20}) {
    bool fail = false;
    std::map<int, Fragile> live;
    for (int key = 0; key < 30; ++key) live.emplace(key, Fragile{key * 10, &fail});
    runtime::FirstValues<int, Fragile> log;
    for (int key = 0; key < at; ++key) log.keep(live, key);
    fail = true;
    EXPECT_THROW(log.keep(live, at), std::bad_alloc) << at;
    fail = false;
    log.keep(live, at);  // the key was not noted as kept: kept now
    log.keep(live, at);  // and once only
    std::vector<std::pair<int, int>> kept;
    for (const auto& [key, was] : log) kept.emplace_back(key, was ? was->value : -1);
    ASSERT_EQ(kept.size(), static_cast<std::size_t>(at + 1)) << at;
    EXPECT_EQ(kept.back(), std::make_pair(at, at * 10)) << at;
  }
}

}  // namespace
}  // namespace termijn
