#include "engine/api/http/api.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <regex>
#include <set>

#include "engine/api/http/internal/embedded_files.h"
#include "engine/base/sha256.h"
#include "engine/model/dot.h"
#include "engine/time/instant.h"

namespace termijn::http {

namespace {

HttpResponse json_response(int status, const Json& body) {
  return HttpResponse{status, "application/json", body.dump(2) + "\n", {}};
}

HttpResponse error(int status, const std::string& reason) { return error_response(status, reason); }

// Whether `role` may send some event of `p` (the mayor follows every ban they may revoke).
bool may_send_an_event(const model::Process& p, const std::string& role) {
  for (const auto& [event, roles] : p.event_senders) {
    if (std::find(roles.begin(), roles.end(), role) != roles.end()) return true;
  }
  return false;
}

std::map<std::string, std::string> parse_query(const std::string& query) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while (pos < query.size()) {
    std::size_t amp = query.find('&', pos);
    std::string pair = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    std::size_t eq = pair.find('=');
    if (!pair.empty()) out[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

// Matches "/api/v1/cases/{id}" against a path; fills the parameters.
bool match(const std::string& pattern, const std::string& path, std::map<std::string, std::string>& params) {
  std::size_t p = 0;
  std::size_t q = 0;
  while (p < pattern.size() && q <= path.size()) {
    if (pattern[p] == '{') {
      std::size_t close = pattern.find('}', p);
      std::string name = pattern.substr(p + 1, close - p - 1);
      std::size_t end = path.find('/', q);
      if (end == std::string::npos) end = path.size();
      std::string value = path.substr(q, end - q);
      bool numeric = name == "id";
      if (value.empty() || value.size() > 64) return false;
      for (char c : value) {
        bool ok = numeric ? (c >= '0' && c <= '9') : (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.');
        if (!ok) return false;
      }
      params[name] = value;
      p = close + 1;
      q = end;
      continue;
    }
    if (q >= path.size() || pattern[p] != path[q]) return false;
    ++p;
    ++q;
  }
  return p == pattern.size() && q == path.size();
}

std::string random_token() {
  std::random_device device;  // the kernel's CSPRNG on Linux
  std::string token = "tmj_";
  for (int i = 0; i < 32; ++i) token += fmt::format("{:02x}", device() & 0xff);
  return token;
}

Json diagnostics_json(const DiagnosticList& list) {
  Json out = Json::array();
  for (const auto& d : list.sorted()) {
    const char* severity = d.severity == Severity::kError ? "error" : d.severity == Severity::kWarning ? "warning" : "note";
    out.push_back(Json{{"file", d.range.file ? d.range.file->path() : ""},
                       {"line", d.range.begin.line},
                       {"column", d.range.begin.column},
                       {"severity", severity},
                       {"message", d.message},
                       {"rendered", render(d)}});
  }
  return out;
}

// An uploaded file's name: plain relative paths only, so it names nothing outside the upload.
bool safe_upload_path(const std::string& path) {
  static const std::regex kPath(R"([A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*\.wth)");
  return path.size() <= 200 && std::regex_match(path, kPath);
}

const char* reason_phrase(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kPermissionDenied: return "permission denied";
    case StatusCode::kFailedPrecondition: return "failed precondition";
    default: return "internal";
  }
}

}  // namespace

HttpResponse error_response(int status, const std::string& reason) {
  return json_response(status, Json{{"error", {{"status", status}, {"reason", reason}}}});
}

std::string issue_token(store::Store& store, const store::TokenHolder& holder, Instant now) {
  std::string token = random_token();
  store.add_token(sha256_hex(token), holder, now);
  return token;
}

struct HttpApi::Caller {
  std::string name;
  std::string organisation;
  std::string role;
  bool admin() const { return role == kAdminRole; }
};

struct HttpApi::Call {
  const HttpRequest& request;
  std::string path;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> params;
  Caller caller;
  Json body;  // parsed for POST
  std::int64_t id() const { return std::stoll(params.at("id")); }
  std::string header(const std::string& name) const {
    auto it = request.headers.find(name);
    return it == request.headers.end() ? "" : it->second;
  }
};

HttpApi::HttpApi(Engine& engine, std::function<void()> after_command)
    : engine_(engine), after_command_(std::move(after_command)) {
  routes_ = {
      {"GET", "/api/v1/openapi.json", &HttpApi::openapi, true},
      {"GET", "/api/v1/whoami", &HttpApi::whoami},
      {"GET", "/api/v1/processes", &HttpApi::list_processes},
      {"POST", "/api/v1/processes", &HttpApi::deploy},
      {"GET", "/api/v1/processes/{name}/diagram.svg", &HttpApi::diagram},
      {"POST", "/api/v1/cases", &HttpApi::start_case},
      {"GET", "/api/v1/cases", &HttpApi::list_cases},
      {"GET", "/api/v1/cases/{id}", &HttpApi::get_case},
      {"GET", "/api/v1/cases/{id}/timeline", &HttpApi::timeline},
      {"GET", "/api/v1/cases/{id}/deadlines", &HttpApi::deadlines},
      {"POST", "/api/v1/cases/{id}/events", &HttpApi::send_event},
      {"POST", "/api/v1/cases/{id}/revoke", &HttpApi::revoke},
      {"GET", "/api/v1/tasks", &HttpApi::list_tasks},
      {"POST", "/api/v1/tasks/{id}/complete", &HttpApi::complete_task},
      {"GET", "/api/v1/audit/verify", &HttpApi::verify_audit},
      {"POST", "/api/v1/purge", &HttpApi::purge},
      {"GET", "/api/v1/sinks", &HttpApi::sinks},
      {"GET", "/", &HttpApi::web_asset, true},
      {"GET", "/{name}", &HttpApi::web_asset, true},
  };
}

std::vector<std::pair<std::string, std::string>> HttpApi::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : routes_) {
    if (std::string(r.pattern).rfind("/api/", 0) == 0) out.emplace_back(r.method, r.pattern);
  }
  return out;
}

HttpResponse HttpApi::handle(const HttpRequest& request) {
  const std::string& target = request.target;
  std::size_t question = target.find('?');
  std::string path = target.substr(0, question);
  bool path_known = false;
  for (const auto& route : routes_) {
    std::map<std::string, std::string> params;
    if (!match(route.pattern, path, params)) continue;
    path_known = true;
    if (request.method != route.method) continue;
    Call call{request, path, parse_query(question == std::string::npos ? "" : target.substr(question + 1)),
              std::move(params), {}, Json()};
    if (!route.public_route) {
      std::string auth = call.header("authorization");
      if (auth.rfind("Bearer ", 0) != 0) {
        HttpResponse r = error(401, "send 'Authorization: Bearer <token>'; ask the administrator for a token");
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        return r;
      }
      auto holder = engine_.store().token_holder(sha256_hex(auth.substr(7)));
      if (!holder) return error(401, "the token is unknown or revoked");
      call.caller = Caller{holder->name, holder->organisation, holder->role};
    }
    if (request.method == "POST") {
      std::string type = call.header("content-type");
      if (type.rfind("application/json", 0) != 0) return error(415, "send the body as application/json");
      try {
        call.body = request.body.empty() ? Json::object() : Json::parse(request.body);
      } catch (const Json::parse_error& e) {
        return error(400, fmt::format("the body is not valid JSON: {}", e.what()));
      }
      if (!call.body.is_object()) return error(400, "the body must be a JSON object");
    }
    try {
      return (this->*route.handler)(call);
    } catch (const Json::exception& e) {
      // A field of the wrong JSON type: the caller's mistake, and nothing was applied.
      return error(400, fmt::format("a field has the wrong type: {}", e.what()));
    }
  }
  if (path_known) return error(405, fmt::format("{} is not allowed on {}", request.method, path));
  return error(404, fmt::format("no such resource: {}", path));
}

// ---- helpers ------------------------------------------------------------------------------------

HttpResponse HttpApi::forbid(const Call& call, std::int64_t case_id, const std::string& reason) {
  engine_.record_refusal(case_id, call.caller.role, fmt::format("{} {}", call.request.method, call.path), reason);
  return error(403, reason);
}

HttpResponse HttpApi::from_status(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return json_response(200, Json{{"ok", true}});
    case StatusCode::kInvalidArgument: return error(422, status.message());
    case StatusCode::kNotFound: return error(404, status.message());
    case StatusCode::kPermissionDenied: return error(403, status.message());
    case StatusCode::kFailedPrecondition: return error(409, status.message());
    case StatusCode::kInternal: break;
  }
  return error(500, fmt::format("{}: {}", reason_phrase(status.code()), status.message()));
}

std::optional<HttpResponse> HttpApi::require_case_role(const Call& call) {
  if (!call.caller.admin()) return std::nullopt;
  return forbid(call, 0, fmt::format("the role '{}' administers; it does not act in cases", kAdminRole));
}

std::optional<HttpResponse> HttpApi::require_admin(const Call& call) {
  if (call.caller.admin()) return std::nullopt;
  return forbid(call, 0, fmt::format("only the role '{}' may do this; not '{}'", kAdminRole, call.caller.role));
}

std::string HttpApi::scoped_key(const Call& call) const {
  std::string key = call.header("idempotency-key");
  // Keys are per token, so two organisations cannot collide or replay each other's answers.
  return key.empty() ? "" : call.caller.name + "\n" + key;
}

void HttpApi::after_command() {
  if (after_command_) after_command_();
}

HttpApi::Sight HttpApi::sight(const Caller& caller, std::int64_t case_id) {
  if (caller.admin()) return Sight::kCourse;
  store::Store& store = engine_.store();
  if (store.has_task_in(case_id, caller.role)) return Sight::kFull;
  if (store.notified_in(case_id, caller.role)) return Sight::kCourse;
  // A role that may send the case an event (the mayor revokes, the judge suspends) follows it.
  Json row = store.case_row(case_id);
  if (row.is_null()) return Sight::kNone;
  const model::Process* p = engine_.runtime().latest(row["process"]);
  if (const runtime::Instance* c = engine_.runtime().find_case(case_id)) p = engine_.runtime().definition(c->hash);
  return p != nullptr && may_send_an_event(*p, caller.role) ? Sight::kCourse : Sight::kNone;
}

Json HttpApi::case_summary(const runtime::Instance& c) const {
  Instant now = engine_.now();
  bool overdue = false;
  int open_tasks = 0;
  const runtime::Deadline* next = nullptr;
  std::string what, kind;
  auto consider = [&](const runtime::Deadline& due, const std::string& name, const char* k) {
    if (next == nullptr || due.at < next->at) {
      next = &due;
      what = name;
      kind = k;
    }
  };
  for (const auto& [id, task] : c.tasks) {
    if (task.status != runtime::TaskStatus::kOpen) continue;
    ++open_tasks;
    if (task.due.at < now) overdue = true;
    consider(task.due, task.title.empty() ? task.name : task.title, "task");
  }
  for (const auto& [id, timer] : c.timers) {
    if (timer.status == runtime::TimerStatus::kPending && timer.kind == runtime::TimerKind::kNamed) {
      consider(timer.due, timer.name, "timer");
    }
  }
  Json deadline = next == nullptr ? Json() : Json{{"due", to_iso_utc(next->at)}, {"what", what}, {"kind", kind}};
  return Json{{"open_tasks", open_tasks}, {"overdue", overdue}, {"next_deadline", deadline}};
}

// ---- routes -------------------------------------------------------------------------------------

HttpResponse HttpApi::openapi(Call&) {
  const EmbeddedFile* file = find_embedded_file("openapi.json");
  return HttpResponse{200, "application/json", std::string(file->content), {}};
}

HttpResponse HttpApi::web_asset(Call& call) {
  std::string name = call.params.count("name") != 0 ? call.params["name"] : "index.html";
  const EmbeddedFile* file = find_embedded_file("web/" + name);
  if (file == nullptr) return error(404, fmt::format("no such resource: {}", call.path));
  return HttpResponse{200, std::string(file->content_type), std::string(file->content), {{"Cache-Control", "no-store"}}};
}

HttpResponse HttpApi::whoami(Call& call) {
  return json_response(200, Json{{"name", call.caller.name}, {"organisation", call.caller.organisation},
                                 {"role", call.caller.role}, {"now", to_iso_utc(engine_.now())}});
}

HttpResponse HttpApi::list_processes(Call&) {
  Json out = Json::array();
  for (const auto& p : engine_.runtime().definitions()) {
    Json events = Json::array();
    for (const auto& e : p->events) {
      auto senders = p->event_senders.find(e);
      events.push_back(Json{{"name", e}, {"by", senders == p->event_senders.end() ? Json::array() : Json(senders->second)}});
    }
    out.push_back(Json{{"name", p->name}, {"version", p->version}, {"hash", p->hash}, {"title", p->title},
                       {"extends", p->parent}, {"roles", p->roles}, {"events", events},
                       {"latest", engine_.runtime().latest(p->name) == p.get()}});
  }
  return json_response(200, out);
}

HttpResponse HttpApi::deploy(Call& call) {
  if (auto refused = require_admin(call)) return *refused;
  if (!call.body.contains("files") || !call.body["files"].is_object() || call.body["files"].empty()) {
    return error(400, "send {\"files\": {\"name.wth\": \"process text\", ...}}");
  }
  std::map<std::string, std::string> files;
  for (const auto& [path, text] : call.body["files"].items()) {
    if (!safe_upload_path(path)) {
      return error(400, fmt::format("'{}' is not a plain relative .wth file name (letters, digits, _ - /)", path));
    }
    if (!text.is_string()) return error(400, fmt::format("the text of '{}' must be a string", path));
    files[path] = text.get<std::string>();
  }
  DeployResult result = engine_.deploy_sources(files);
  if (!result.ok()) {
    return json_response(422, Json{{"error", {{"status", 422}, {"reason", fmt::format("{} error(s) in the process files",
                                                                                      result.diagnostics.error_count())}}},
                                   {"diagnostics", diagnostics_json(result.diagnostics)}});
  }
  Json deployed = Json::array();
  for (const auto& d : result.deployed) {
    deployed.push_back(Json{{"name", d.name}, {"version", d.version}, {"hash", d.hash}, {"new", d.is_new}});
  }
  return json_response(201, Json{{"deployed", deployed}, {"diagnostics", diagnostics_json(result.diagnostics)}});
}

HttpResponse HttpApi::diagram(Call& call) {
  const model::Process* p = engine_.runtime().latest(call.params["name"]);
  if (p == nullptr) return error(404, fmt::format("no process '{}' is deployed", call.params["name"]));
  auto cached = svg_cache_.find(p->hash);
  if (cached == svg_cache_.end()) {
    auto svg = model::render_svg(model::to_dot(*p));
    if (!svg) return error(503, "drawing needs Graphviz's 'dot' program on the server");
    cached = svg_cache_.emplace(p->hash, std::move(*svg)).first;
  }
  return HttpResponse{200, "image/svg+xml", cached->second, {}};
}

HttpResponse HttpApi::start_case(Call& call) {
  if (auto refused = require_case_role(call)) return *refused;
  const Json& b = call.body;
  if (!b.contains("process") || !b["process"].is_string()) return error(400, "'process' (a string) is required");
  Json data = b.value("data", Json::object());
  if (!data.is_object()) return error(400, "'data' must be an object");
  Result<CaseId> id = engine_.start_case(b["process"], data, b.value("event", std::string()), scoped_key(call),
                                         call.caller.role);
  if (!id.is_ok()) return from_status(id.status());
  after_command();
  HttpResponse r = json_response(201, Json{{"case", *id}});
  r.headers.emplace_back("Location", fmt::format("/api/v1/cases/{}", *id));
  return r;
}

HttpResponse HttpApi::list_cases(Call& call) {
  std::optional<std::string> status;
  if (call.query.count("status") != 0) {
    status = call.query["status"];
    if (*status != "running" && *status != "completed" && *status != "terminated") {
      return error(400, "status must be running, completed or terminated");
    }
  }
  bool overdue_only = call.query.count("overdue") != 0 && call.query["overdue"] != "false";
  std::string process = call.query.count("process") != 0 ? call.query["process"] : "";
  std::set<std::int64_t> involved;
  std::set<std::string> followed;  // processes whose events this role may send
  if (!call.caller.admin()) {
    involved = engine_.store().cases_involving(call.caller.role);
    for (const auto& p : engine_.runtime().definitions()) {
      if (may_send_an_event(*p, call.caller.role)) followed.insert(p->name);
    }
  }
  Json out = Json::array();
  for (auto& row : engine_.cases(status)) {
    std::int64_t id = row["id"];
    if (!process.empty() && row["process"] != process) continue;
    if (!call.caller.admin() && involved.count(id) == 0 && followed.count(row["process"]) == 0) continue;
    if (const runtime::Instance* c = engine_.runtime().find_case(id)) {
      row.update(case_summary(*c));
    } else {
      row["overdue"] = false;
    }
    if (overdue_only && !row["overdue"].get<bool>()) continue;
    out.push_back(std::move(row));
  }
  return json_response(200, out);
}

HttpResponse HttpApi::get_case(Call& call) {
  std::int64_t id = call.id();
  Json row = engine_.store().case_row(id);
  if (row.is_null()) return error(404, fmt::format("no case {}", id));
  Sight s = sight(call.caller, id);
  if (s == Sight::kNone) return forbid(call, id, fmt::format("the role '{}' takes no part in case {}", call.caller.role, id));
  if (const runtime::Instance* c = engine_.runtime().find_case(id)) {
    row.update(case_summary(*c));
    Json tasks = Json::array();
    for (const auto& [tid, task] : c->tasks) {
      if (task.status != runtime::TaskStatus::kOpen) continue;
      tasks.push_back(Json{{"id", tid}, {"step", task.name}, {"title", task.title}, {"role", task.role},
                           {"due", to_iso_utc(task.due.at)}, {"escalations", task.escalation_level}});
    }
    row["tasks"] = tasks;
    // Special-category personal data: only for roles that work on the case.
    if (s == Sight::kFull) row["data"] = c->data;
  }
  return json_response(200, row);
}

HttpResponse HttpApi::timeline(Call& call) {
  std::int64_t id = call.id();
  if (engine_.store().case_row(id).is_null()) return error(404, fmt::format("no case {}", id));
  Sight s = sight(call.caller, id);
  if (s == Sight::kNone) return forbid(call, id, fmt::format("the role '{}' takes no part in case {}", call.caller.role, id));
  Json entries = engine_.audit(id);
  if (s != Sight::kFull) {
    for (auto& e : entries) {
      if (e["detail"].is_object()) e["detail"].erase("outputs");
    }
  }
  return json_response(200, entries);
}

HttpResponse HttpApi::deadlines(Call& call) {
  std::int64_t id = call.id();
  if (engine_.store().case_row(id).is_null()) return error(404, fmt::format("no case {}", id));
  if (sight(call.caller, id) == Sight::kNone) {
    return forbid(call, id, fmt::format("the role '{}' takes no part in case {}", call.caller.role, id));
  }
  Json out = Json::array();
  for (const auto& task : engine_.tasks(store::TaskQuery{std::nullopt, id, true, std::nullopt})) {
    out.push_back(Json{{"kind", "task"}, {"name", task["step"]}, {"title", task["title"]}, {"role", task["role"]},
                       {"due", task["due"]}, {"why", task["due_why"]}});
  }
  for (const auto& timer : engine_.timers(id)) {
    if (timer["status"] != "pending") continue;
    out.push_back(Json{{"kind", timer["kind"]}, {"name", timer["name"]}, {"due", timer["due"]}, {"why", timer["due_why"]}});
  }
  std::stable_sort(out.begin(), out.end(), [](const Json& a, const Json& b) {
    return a["due"].get<std::string>() < b["due"].get<std::string>();
  });
  return json_response(200, out);
}

HttpResponse HttpApi::send_event(Call& call) {
  if (auto refused = require_case_role(call)) return *refused;
  if (!call.body.contains("event") || !call.body["event"].is_string()) return error(400, "'event' (a string) is required");
  Json data = call.body.value("data", Json::object());
  if (!data.is_object()) return error(400, "'data' must be an object");
  Status s = engine_.signal(call.id(), call.body["event"], data, scoped_key(call), call.caller.role);
  if (s.is_ok()) after_command();
  return from_status(s);
}

HttpResponse HttpApi::revoke(Call& call) {
  // Art. 2 lid 9 Wth: the mayor may revoke the ban; the process says who sends `intrekking`.
  if (auto refused = require_case_role(call)) return *refused;
  Status s = engine_.signal(call.id(), "intrekking", Json::object(), scoped_key(call), call.caller.role);
  if (s.is_ok()) after_command();
  return from_status(s);
}

HttpResponse HttpApi::list_tasks(Call& call) {
  if (auto refused = require_case_role(call)) return *refused;
  store::TaskQuery q;
  q.role = call.caller.role;
  if (call.query.count("overdue") != 0 && call.query["overdue"] != "false") q.overdue_at = engine_.now();
  if (call.query.count("case") != 0) {
    try {
      q.case_id = std::stoll(call.query["case"]);
    } catch (const std::exception&) {
      return error(400, "case must be a number");
    }
  }
  return json_response(200, engine_.tasks(q));
}

HttpResponse HttpApi::complete_task(Call& call) {
  if (auto refused = require_case_role(call)) return *refused;
  Json outputs = call.body.value("outputs", Json::object());
  if (!outputs.is_object()) return error(400, "'outputs' must be an object");
  Status s = engine_.complete_task(call.id(), call.caller.role, outputs, scoped_key(call));
  if (s.is_ok()) after_command();
  return from_status(s);
}

HttpResponse HttpApi::verify_audit(Call& call) {
  if (auto refused = require_admin(call)) return *refused;
  store::AuditCheck check = engine_.verify_audit();
  return json_response(200, Json{{"ok", check.ok}, {"entries", check.entries}, {"problem", check.problem}});
}

HttpResponse HttpApi::purge(Call& call) {
  if (auto refused = require_admin(call)) return *refused;
  std::optional<Instant> before;
  if (call.body.contains("before")) {
    before = call.body["before"].is_string() ? parse_instant(call.body["before"]) : std::nullopt;
    if (!before) return error(400, "'before' must be a moment like 2021-11-28T00:00:00Z");
  }
  auto purged = engine_.purge(before, fmt::format("{} ({})", call.caller.name, call.caller.organisation));
  if (!purged.is_ok()) return from_status(purged.status());
  return json_response(200, Json{{"purged", purged->cases}, {"ended_before", to_iso_utc(purged->ended_before)}});
}

HttpResponse HttpApi::sinks(Call& call) {
  if (auto refused = require_admin(call)) return *refused;
  return json_response(200, engine_.store().sinks());
}

}  // namespace termijn::http
