// An example host that embeds termijn: a case system that drives a tijdelijk huisverbod through
// the national baseline on a virtual clock, and prints what its staff would see.
//   build/examples/example_host [DB]
// Built in termijn's tree it deploys the sources' processes; built on its own against an installed
// termijn (CMakeLists.txt beside it), the installed ones. Either way the engine finds its
// standard library itself (default_stdlib_dirs).
#include <fmt/format.h>

#include <filesystem>

#include "engine/api/engine.h"

using namespace termijn;

int main(int argc, char** argv) {
  const std::string db = argc > 1 ? argv[1] : (std::filesystem::temp_directory_path() / "termijn-example.db").string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);

  // The host brings the clock; here a virtual one, so a year passes in a moment.
  VirtualClock clock(*parse_instant("2026-10-20 14:00"));
  auto opened = Engine::open(EngineOptions{db, &clock, default_stdlib_dirs()});
  if (!opened.is_ok()) {
    fmt::print(stderr, "cannot open: {}\n", opened.status().message());
    return 1;
  }
  Engine& engine = *opened.value();
  DeployResult deployed = engine.deploy({TERMIJN_PROCESSES_DIR});
  if (!deployed.ok()) {
    fmt::print(stderr, "{}", render(deployed.diagnostics));
    return 1;
  }
  // Notifications arrive once the step that sent them is on disk.
  engine.subscribe([&](const runtime::Notification& n) {
    fmt::print("  >> {} to {}: {}\n", engine.legal().format(n.at), fmt::join(n.roles, ", "), n.message);
  });

  auto show_tasks = [&](CaseId id) {
    store::TaskQuery q;
    q.case_id = id;
    for (const auto& t : engine.tasks(q)) {
      fmt::print("  task {:<3} {:<22} for {:<14} due {}\n", t["id"].get<std::int64_t>(), t["step"].get<std::string>(),
                 t["role"].get<std::string>(), engine.legal().format(*parse_instant(t["due"])));
    }
  };
  auto complete = [&](CaseId id, const std::string& step, const std::string& role, const Json& outputs) {
    const runtime::Instance* c = engine.runtime().find_case(id);
    for (const auto& [task_id, task] : c->tasks) {
      if (task.name != step) continue;
      Status s = engine.complete_task(task_id, role, outputs, fmt::format("host-{}-{}", id, step));
      fmt::print("{}: {} completes {}{}\n", engine.legal().format(clock.now()), role, step,
                 s.is_ok() ? "" : " -> refused: " + s.message());
      return;
    }
  };

  fmt::print("{}: crisis call\n", engine.legal().format(clock.now()));
  Result<CaseId> id = engine.start_case("landelijk",
                                        Json{{"uithuisgeplaatste", "P-17"}, {"achterblijvers", {"P-18"}},
                                             {"kinderen", Json::array()}, {"aanhouding", true},
                                             {"aangehouden_op", "2026-10-20 13:40"}, {"kindermishandeling", false}},
                                        "crisismelding", "host-call-1");
  if (!id.is_ok()) return 1;
  complete(*id, "criteria_toetsen", "hovj",
           {{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true}, {"woont_anders_dan_incidenteel", true}});
  clock.set(*parse_instant("2026-10-20 14:35"));
  // The RiHG is an instrument: the host reads its form from the deployed process and answers every
  // signal; the engine computes the outcome (two reds in one part: impose).
  Json rihg = Json::object();
  for (const model::InstrumentItem* item : engine.runtime().latest("landelijk")->find_instrument("rihg")->items()) {
    rihg[item->name] = "geel";
  }
  rihg["bedreiging"] = "rood";
  rihg["fysiek"] = "rood";
  complete(*id, "rihg", "hovj", rihg);
  show_tasks(*id);
  complete(*id, "sleutels_en_contact", "politie", Json::object());
  complete(*id, "zsm_bespreking", "openbaar_ministerie", Json::object());
  clock.set(*parse_instant("2026-10-22 11:00"));
  complete(*id, "plan_van_aanpak", "hulpverlening", Json::object());

  fmt::print("\n... a week passes; the care advice is late ...\n");
  engine.run_until(clock, *parse_instant("2026-10-28 15:00"));
  show_tasks(*id);
  complete(*id, "zorgadvies", "hulpverlening", {{"verlenging_nodig", true}});  // refused: reassigned
  complete(*id, "zorgadvies", "veilig_thuis", {{"verlenging_nodig", true}});
  complete(*id, "advies_burgemeester", "gemeente", {{"advies", "verlengen"}});
  clock.set(*parse_instant("2026-10-29 10:00"));
  complete(*id, "horen", "gemeente", Json::object());
  complete(*id, "besluit_verlenging", "burgemeester", {{"besluit", "verlengen"}});

  fmt::print("\nWhy the ban now ends when it does:\n");
  for (const auto& t : engine.timers(*id)) {
    if (t["name"] == "einde" && t["status"] == "pending") {
      for (const auto& line : t["due_why"]) fmt::print("  {}\n", line.get<std::string>());
    }
  }
  engine.run_until(clock, *parse_instant("2026-11-17 15:00"));
  fmt::print("\n{}: the extended ban has ended\n", engine.legal().format(clock.now()));
  show_tasks(*id);
  store::AuditCheck audit = engine.verify_audit();
  fmt::print("\naudit log: {} entries, {}\n", audit.entries, audit.ok ? "intact" : audit.problem);
  return audit.ok ? 0 : 1;
}
