#include "engine/simulation/internal/kpi.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/base/language.h"

namespace termijn::simulation::internal {

namespace {

// "moved einde" -> {"moved", "einde"}
std::pair<std::string, std::string> split_key(const std::string& key) {
  auto space = key.find(' ');
  if (space == std::string::npos) return {key, ""};
  return {key.substr(0, space), key.substr(space + 1)};
}

}  // namespace

KpiText describe_kpi(const std::string& key) {
  auto [family, what] = split_key(key);
  if (family == "started") return {"cases started (count)", "gestarte zaken (aantal)", "count", 0};
  if (family == "reached") {
    return {fmt::format("share of cases started that reached '{}'", what),
            fmt::format("aandeel van de gestarte zaken dat '{}' bereikte", what), "share", 1};
  }
  if (family == "count") {
    return {fmt::format("cases that reached '{}' (count)", what), fmt::format("zaken die '{}' bereikten (aantal)", what),
            "count", 1};
  }
  if (family == "moved") {
    return {fmt::format("share of cases with term '{}' set in which it was moved (extended)", what),
            fmt::format("aandeel van de zaken met termijn '{}' waarin die werd verschoven (verlengd)", what), "share", 2};
  }
  if (family == "days") {
    return {fmt::format("days in stage '{}' per case that entered it", what),
            fmt::format("dagen in fase '{}' per zaak die de fase inging", what), "days", 3};
  }
  if (family == "missed") {
    if (what == "all") return {"deadlines missed, all tasks (count)", "gemiste termijnen, alle taken (aantal)", "count", 5};
    return {fmt::format("deadlines missed on '{}' (count)", what), fmt::format("gemiste termijnen bij '{}' (aantal)", what),
            "count", 4};
  }
  if (family == "escalated") {
    return {fmt::format("escalations of '{}' (count)", what), fmt::format("escalaties bij '{}' (aantal)", what), "count", 6};
  }
  if (family == "workload") {
    return {fmt::format("hours of work by '{}' (total)", what), fmt::format("werkuren van '{}' (totaal)", what), "hours", 7};
  }
  if (family == "wait") {
    return {fmt::format("hours a task of '{}' waited for a worker (mean per task)", what),
            fmt::format("uren dat een taak van '{}' op een medewerker wachtte (gemiddeld per taak)", what), "hours", 8};
  }
  if (family == "measure") {
    return {fmt::format("{}: hours from the start of the case (mean per case that got there)", what),
            fmt::format("{}: uren vanaf het begin van de zaak (gemiddeld per zaak die zover kwam)", what), "hours", 9};
  }
  if (family == "open") return {"cases still open at the end (count)", "zaken nog open aan het eind (aantal)", "count", 10};
  if (family == "refused") {
    return {"commands the engine refused (count)", "door de engine geweigerde opdrachten (aantal)", "count", 11};
  }
  return {key, key, "", 99};
}

std::string unknown_kpi(const std::string& key, const model::Process& p, const std::vector<Measure>& measures) {
  auto [family, what] = split_key(key);
  auto has_node = [&](model::NodeKind kind) {
    return std::any_of(p.nodes.begin(), p.nodes.end(), [&](const model::Node& n) { return n.kind == kind && n.name == what; });
  };
  if ((family == "started" || family == "open" || family == "refused") && what.empty()) return "";
  if (family == "reached" || family == "count") return has_node(model::NodeKind::kMilestone) ? "" : tr("no milestone '{}'", what);
  if (family == "days") return has_node(model::NodeKind::kScopeEnter) ? "" : fmt::format("no stage '{}'", what);
  if (family == "missed") return what == "all" || has_node(model::NodeKind::kTask) ? "" : fmt::format("no task '{}'", what);
  if (family == "moved") return has_node(model::NodeKind::kTimer) ? "" : fmt::format("no timer '{}'", what);
  if (family == "escalated") {
    // "escalated TASK rung N"
    std::string task = what.substr(0, what.find(' '));
    bool known = std::any_of(p.nodes.begin(), p.nodes.end(),
                             [&](const model::Node& n) { return n.kind == model::NodeKind::kTask && n.name == task; });
    return known ? "" : fmt::format("no task '{}'", task);
  }
  if (family == "workload" || family == "wait") {
    return std::find(p.roles.begin(), p.roles.end(), what) != p.roles.end() ? "" : fmt::format("no role '{}'", what);
  }
  if (family == "measure") {
    bool found = std::any_of(measures.begin(), measures.end(), [&](const Measure& m) { return m.label == what; });
    return found ? "" : fmt::format("no measure \"{}\"", what);
  }
  return "it is not a figure the simulation reports (started, reached M, count M, moved T, days S, missed T, missed all, "
         "escalated T rung N, workload R, wait R, measure L, open, refused)";
}

}  // namespace termijn::simulation::internal
