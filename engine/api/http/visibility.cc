#include "engine/api/http/visibility.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "engine/api/http/api.h"

namespace termijn::http {

namespace {

bool may_send_an_event(const model::Process& p, const std::string& role) {
  for (const auto& [event, roles] : p.event_senders) {
    if (std::find(roles.begin(), roles.end(), role) != roles.end()) return true;
  }
  return false;
}

// What an entry's detail may show a caller who follows a case without working on it. A list of
// what is allowed, not of what is not: a new kind of detail stays hidden until someone decides.
constexpr std::array<std::string_view, 7> kCourseDetail = {"step", "stage", "task", "timer", "role", "due", "rung"};

Json course_detail(const Json& detail) {
  Json kept = Json::object();
  if (!detail.is_object()) return kept;
  for (std::string_view key : kCourseDetail) {
    auto it = detail.find(key);
    if (it != detail.end()) kept[std::string(key)] = *it;
  }
  return kept;
}

}  // namespace

Sight Visibility::of(const std::string& role, CaseId id) {
  store::Store& store = engine_.store();
  std::optional<std::string> hash = store.case_definition(id);
  if (!hash) return Sight::kNone;
  if (role == kAdminRole) return Sight::kCourse;
  if (store.has_task_in(id, role)) return Sight::kFull;
  if (store.notified_in(id, role)) return Sight::kCourse;
  const model::Process* p = engine_.runtime().definition(*hash);
  return p != nullptr && may_send_an_event(*p, role) ? Sight::kCourse : Sight::kNone;
}

Json Visibility::timeline(Sight sight, Json entries) {
  if (sight == Sight::kFull) return entries;
  for (auto& entry : entries) entry["detail"] = course_detail(entry["detail"]);
  return entries;
}

}  // namespace termijn::http
