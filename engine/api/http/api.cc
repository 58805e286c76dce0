#include "engine/api/http/api.h"

#include <boost/beast/http/status.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <regex>
#include <set>

#include "engine/api/http/delivery.h"
#include "engine/api/http/internal/call.h"
#include "engine/base/sha256.h"
#include "engine/model/dot.h"
#include "engine/time/instant.h"

namespace termijn::http {

namespace {

HttpResponse json_response(int status, const Json& body) {
  // Replace, not throw: a string from outside (a path, a header) may hold bytes that are not UTF-8.
  return HttpResponse{status, "application/json", body.dump(2, ' ', false, Json::error_handler_t::replace) + "\n", {}};
}

HttpResponse error(int status, const std::string& detail) { return error_response(status, detail); }

// Answers that are neither found nor matched are counted together, so a scanner's paths do not
// become label values.
constexpr std::string_view kUnmatched = "unmatched";

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

std::string random_hex(int bytes) {
  std::random_device device;  // the kernel's CSPRNG on Linux
  std::string out;
  for (int i = 0; i < bytes; ++i) out += fmt::format("{:02x}", device() & 0xff);
  return out;
}

std::string random_token() { return "tmj_" + random_hex(32); }

// What each POST takes in its body (see docs/api.md).
const BodySpec kDeployBody{{{"files", Json::value_t::object, true}}, limits::kSourceBytes};
const BodySpec kStartBody{{{"process", Json::value_t::string, true},
                           {"event", Json::value_t::string},
                           {"data", Json::value_t::object}}};
const BodySpec kEventBody{{{"event", Json::value_t::string, true}, {"data", Json::value_t::object}}};
const BodySpec kNoBody{};
constexpr bool kReadsStored = true;  // Route::reads_stored
const BodySpec kCompleteBody{{{"outputs", Json::value_t::object}}};
const BodySpec kPurgeBody{{{"before", Json::value_t::string}}};
const BodySpec kDismissBody{{{"reason", Json::value_t::string, true}}};

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

// A deploy refused for errors in its files: the problem type whose `diagnostics` member lists them.
constexpr const char* kProcessErrorsType = "urn:termijn:problem:process-errors";

// An uploaded file's name: plain relative paths only, so it names nothing outside the upload.
bool safe_upload_path(const std::string& path) {
  static const std::regex kPath(R"([A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*\.wth)");
  return path.size() <= 200 && std::regex_match(path, kPath);
}

}  // namespace

HttpResponse error_response(int status, const std::string& detail, const Json& extra) {
  Json problem = extra;
  problem["type"] = problem.value("type", "about:blank");
  // With about:blank the title is the status's reason phrase (RFC 9457, 4.2.1); another type
  // may bring its own.
  if (!problem.contains("title")) {
    problem["title"] = std::string(boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status)));
  }
  problem["status"] = status;
  problem["detail"] = detail;
  HttpResponse r = json_response(status, problem);
  r.content_type = "application/problem+json";
  return r;
}

HttpResponse internal_error(const Logger& log, const std::string& what) {
  std::string incident = random_hex(8);
  log.error("http.internal_error", fmt::format("internal error (incident {}): {}", incident, what),
            {{"incident", incident}});
  return error_response(500, fmt::format("internal error (incident {})", incident), Json{{"incident", incident}});
}

std::optional<std::string> token_role_problem(const Engine& engine, const std::string& role) {
  if (role == kAdminRole) return std::nullopt;
  if (role.empty()) return fmt::format("a token needs a role: a process role, or '{}' to administer", kAdminRole);
  std::set<std::string> known;
  for (const auto& p : engine.runtime().definitions()) known.insert(p->roles.begin(), p->roles.end());
  if (known.count(role) != 0) return std::nullopt;
  return fmt::format("'{}' is not a role of any deployed process (roles: {}; or '{}' to administer)", role,
                     fmt::join(known, ", "), kAdminRole);
}

Result<std::string> issue_token(Engine& engine, const store::TokenHolder& holder, const Actor& by) {
  if (auto problem = token_role_problem(engine, holder.role)) return Status(StatusCode::kInvalidArgument, *problem);
  std::string token = random_token();
  try {
    engine.store().add_token(sha256_hex(token), holder, engine.now());
  } catch (const std::exception& e) {
    return Status(StatusCode::kFailedPrecondition, fmt::format("the token was not stored: {}", e.what()));
  }
  Json detail{{"name", holder.name}, {"organisation", holder.organisation}, {"role", holder.role}};
  if (Status s = engine.record(runtime::AuditKind::kTokenIssued, detail, by); !s.is_ok()) return s;
  return token;
}

Status revoke_token(Engine& engine, const std::string& name, const Actor& by) {
  if (!engine.store().revoke_token(name, engine.now())) {
    return Status(StatusCode::kNotFound, fmt::format("no active token named '{}'", name));
  }
  return engine.record(runtime::AuditKind::kTokenRevoked, Json{{"name", name}}, by);
}

struct HttpApi::Prepared {
  std::optional<HttpResponse> answer;  // set when the request was answered already
  const Route* route = nullptr;
  std::optional<Call> call;
};

HttpApi::HttpApi(Engine& engine, ApiHooks hooks) : engine_(engine), visibility_(engine), hooks_(std::move(hooks)) {
  routes_ = {
      {"GET", "/healthz", &HttpApi::healthz, true},
      {"GET", "/readyz", &HttpApi::readyz, true},
      {"GET", "/metrics", &HttpApi::metrics, true},  // checks the token itself unless the operator opened it
      {"GET", "/api/v1/openapi.json", &HttpApi::openapi, true},
      {"GET", "/api/v1/messages/{language}", &HttpApi::messages, true},
      {"GET", "/api/v1/whoami", &HttpApi::whoami},
      {"GET", "/api/v1/processes", &HttpApi::list_processes},
      {"POST", "/api/v1/processes", nullptr, false, kDeployBody, &HttpApi::deploy_async},
      {"GET", "/api/v1/processes/{name}/diagram.svg", nullptr, false, {}, &HttpApi::diagram_async},
      {"POST", "/api/v1/cases", &HttpApi::start_case, false, kStartBody},
      {"GET", "/api/v1/cases", &HttpApi::list_cases},
      {"GET", "/api/v1/cases/{id}", &HttpApi::get_case},
      {"GET", "/api/v1/cases/{id}/timeline", &HttpApi::timeline},
      {"GET", "/api/v1/cases/{id}/deadlines", &HttpApi::deadlines},
      {"POST", "/api/v1/cases/{id}/events", &HttpApi::send_event, false, kEventBody},
      {"POST", "/api/v1/cases/{id}/revoke", &HttpApi::revoke, false, kNoBody},
      {"GET", "/api/v1/tasks", &HttpApi::list_tasks, false, {}, nullptr, kReadsStored},
      {"POST", "/api/v1/tasks/{id}/complete", &HttpApi::complete_task, false, kCompleteBody},
      {"GET", "/api/v1/audit/verify", &HttpApi::verify_audit},
      {"POST", "/api/v1/purge", &HttpApi::purge, false, kPurgeBody},
      {"GET", "/api/v1/sinks", &HttpApi::sinks},
      {"GET", "/api/v1/incidents", &HttpApi::list_incidents},
      {"POST", "/api/v1/incidents/{id}/retry", &HttpApi::retry_incident, false, kNoBody},
      {"POST", "/api/v1/incidents/{id}/dismiss", &HttpApi::dismiss_incident, false, kDismissBody},
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

HttpApi::Prepared HttpApi::prepare(const HttpRequest& request) {
  const std::string& target = request.target;
  std::size_t question = target.find('?');
  std::string path = target.substr(0, question);
  std::string query = question == std::string::npos ? "" : target.substr(question + 1);
  bool path_known = false;
  for (const auto& route : routes_) {
    std::map<std::string, std::string> params;
    if (!match(route.pattern, path, params)) continue;
    path_known = true;
    if (request.method != route.method) continue;
    Prepared prepared{std::nullopt, &route, std::nullopt};
    Call& call = prepared.call.emplace(Call{request, path, parse_query(query), std::move(params), {}, Json(), 0});
    prepared.answer = admit(route, call);
    return prepared;
  }
  if (path_known) return Prepared{error(405, fmt::format("{} is not allowed on {}", request.method, path)), nullptr, {}};
  return Prepared{error(404, fmt::format("no such resource: {}", path)), nullptr, {}};
}

std::optional<HttpResponse> HttpApi::admit(const Route& route, Call& call) {
  if (call.params.count("id") != 0) {
    auto id = parse_id(call.params["id"]);
    if (!id) return error(400, fmt::format("'{}' is not an id (a number below 2^63)", call.params["id"]));
    call.path_id = *id;
  }
  if (!route.public_route) {
    if (auto refused = authenticate(call)) return refused;
  }
  if (call.request.method == "POST") {
    if (call.header("content-type").rfind("application/json", 0) != 0) {
      return error(415, "send the body as application/json");
    }
    if (auto problem = parse_body(call.request.body, route.body, call.body)) return error(problem->status, problem->reason);
  }
  return std::nullopt;
}

std::optional<HttpResponse> HttpApi::authenticate(Call& call) {
  std::string auth = call.header("authorization");
  if (auth.rfind("Bearer ", 0) != 0) {
    HttpResponse r = error(401, "send 'Authorization: Bearer <token>'; ask the administrator for a token");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  auto holder = engine_.store().token_holder(sha256_hex(auth.substr(7)));
  if (!holder) return error(401, "the token is unknown or revoked");
  call.caller = Caller{holder->name, holder->organisation, holder->role};
  // Mutual TLS binds a token to its organisation's certificate: a token copied out of one
  // organisation's systems is no use from a connection another organisation's certificate opened.
  if (const auto& cert = call.request.client_certificate) {
    if (cert->organisation.empty()) {
      return forbid(call, 0, "the client certificate names no organisation (its subject needs exactly one O "
                             "attribute, valid UTF-8 of at most 256 bytes)");
    }
    if (cert->organisation != holder->organisation) {
      return forbid(call, 0, fmt::format("this token belongs to '{}', the client certificate to '{}'",
                                         holder->organisation, cert->organisation));
    }
  }
  // A token from an older database may hold no role, or one no process declares: it acts as
  // nobody, and never as the host (whose role is empty).
  if (auto problem = token_role_problem(engine_, holder->role)) {
    return forbid(call, 0, fmt::format("this token cannot act: {}; ask the administrator for a new token", *problem));
  }
  return std::nullopt;
}

// Without a thread beside the engine's (the fuzzer, tests): a deploy compiles here.
HttpResponse HttpApi::handle(const HttpRequest& request) {
  std::optional<HttpResponse> answer;
  handle_async(
      request,
      [](const std::function<void()>& work, const std::function<void()>& then) {
        work();
        then();
      },
      [&answer](HttpResponse r) { answer = std::move(r); });
  if (!answer) (void)engine_.flush();  // a deferring engine: the answer waits for the disk
  return std::move(*answer);
}

// Request bodies are checked before a handler runs, so an exception is a bug or a failing store:
// nothing was applied (commands commit whole or not at all), and the caller learns nothing internal.
void HttpApi::handle_async(const HttpRequest& request, const Offload& offload, Reply done) {
  const auto started = std::chrono::steady_clock::now();
  std::string_view route = kUnmatched;
  std::optional<HttpResponse> answer;
  std::optional<Prepared> prepared;
  const std::uint64_t given_before = engine_.steps_given();
  try {
    prepared.emplace(prepare(request));
    if (prepared->route != nullptr) route = prepared->route->pattern;
  } catch (const std::exception& e) {
    answer = internal_error(hooks_.log, e.what());
  }
  // The pattern lives in routes_, as long as the API: a deploy's answer comes after this call.
  // An answer goes out once everything the engine applied before it is on disk (group commit):
  // a command's success is then durable, a refusal's audit entry written, and a read shows
  // nothing a failed commit could still undo. If that commit fails, the caller gets a 500.
  Reply counted = [this, route, started, method = request.method, done = std::move(done),
                   stored = prepared && prepared->route != nullptr && prepared->route->reads_stored,
                   given_before](HttpResponse r) mutable {
    if (stored && engine_.steps_given() == given_before) {
      count(route, method, r.status, started);
      done(std::move(r));
      return;
    }
    engine_.when_durable([this, route, started, method, done = std::move(done),
                          r = std::move(r)](const Status& durable) mutable {
      if (!durable.is_ok()) r = internal_error(hooks_.log, durable.message());
      count(route, method, r.status, started);
      done(std::move(r));
    });
    if (engine_.waiting() == 0) return;
    if (hooks_.commit) {
      hooks_.commit();
    } else {
      (void)engine_.flush();
    }
  };
  if (!answer) {
    try {
      if (prepared->answer) {
        answer = std::move(prepared->answer);
      } else if (prepared->route->handler == nullptr) {
        answer = (this->*prepared->route->async)(*prepared->call, offload, counted);
      } else {
        answer = (this->*prepared->route->handler)(*prepared->call);
      }
    } catch (const std::exception& e) {
      answer = internal_error(hooks_.log, e.what());
    }
  }
  if (answer) counted(std::move(*answer));
}

HttpResponse HttpApi::refuse_unread(const std::string& method, int status, const std::string& detail) {
  count("unread", method, status, std::chrono::steady_clock::now());
  return error(status, detail);
}

void HttpApi::handshake_failed() {
  if (hooks_.monitor != nullptr) hooks_.monitor->handshake_failed();
}

void HttpApi::count(std::string_view route, const std::string& method, int status,
                    std::chrono::steady_clock::time_point started) {
  if (hooks_.monitor != nullptr) {
    hooks_.monitor->request_done(route, method, status, std::chrono::steady_clock::now() - started);
  }
}

// ---- helpers ------------------------------------------------------------------------------------

HttpResponse HttpApi::forbid(const Call& call, std::int64_t case_id, const std::string& reason) {
  engine_.record_refusal(case_id, call.caller.actor(), fmt::format("{} {}", call.request.method, call.path), reason);
  return error(403, reason);
}

HttpResponse HttpApi::unseen(const Call& call, const char* what, std::int64_t id, std::int64_t case_id) {
  if (engine_.store().case_definition(case_id)) {
    engine_.record_refusal(case_id, call.caller.actor(), fmt::format("{} {}", call.request.method, call.path),
                           fmt::format("the role '{}' takes no part in case {}", call.caller.role, case_id));
  }
  return error(404, fmt::format("no {} {}", what, id));
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
  return internal_error(hooks_.log, status.message());
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
  if (hooks_.after_command) hooks_.after_command();
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

// The process answers: its engine's thread is not stuck (it runs this).
HttpResponse HttpApi::healthz(Call&) { return json_response(200, Json{{"status", "ok"}}); }

HttpResponse HttpApi::readyz(Call&) {
  if (hooks_.monitor == nullptr) return error(503, "this server does not watch its timer loop");
  Monitor::Readiness r = hooks_.monitor->readiness();
  if (r.ready) return json_response(200, Json{{"status", "ready"}, {"checks", r.checks}});
  return error_response(503, r.problem, Json{{"checks", r.checks}, {"failed", r.failed}});
}

HttpResponse HttpApi::metrics(Call& call) {
  if (hooks_.monitor == nullptr) return error(404, fmt::format("no such resource: {}", call.path));
  if (!hooks_.monitor->options().public_metrics) {
    if (auto refused = authenticate(call)) return *refused;
    if (auto refused = require_admin(call)) return *refused;
  }
  return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", hooks_.monitor->exposition(), {}};
}

HttpResponse HttpApi::whoami(Call& call) {
  Json me{{"name", call.caller.name}, {"organisation", call.caller.organisation}, {"role", call.caller.role},
          {"now", to_iso_utc(engine_.now())}};
  if (const auto& cert = call.request.client_certificate) {
    me["client_certificate"] = Json{{"organisation", cert->organisation}, {"common_name", cert->common_name},
                                    {"sha256", cert->fingerprint}};
  }
  return json_response(200, me);
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

std::optional<HttpResponse> HttpApi::upload(Call& call, std::map<std::string, std::string>& files) {
  if (auto refused = require_admin(call)) return refused;
  const Json& sent = call.body["files"];
  if (sent.empty()) return error(400, "send {\"files\": {\"name.wth\": \"process text\", ...}}");
  if (sent.size() > limits::kFilesPerProgram) {
    return error(413, fmt::format("a deploy takes at most {} files", limits::kFilesPerProgram));
  }
  for (const auto& [path, text] : sent.items()) {
    if (!safe_upload_path(path)) {
      return error(400, fmt::format("'{}' is not a plain relative .wth file name (letters, digits, _ - /)", path));
    }
    if (!text.is_string()) return error(400, fmt::format("the text of '{}' must be a string", path));
    files[path] = text.get<std::string>();
  }
  return std::nullopt;
}

HttpResponse HttpApi::deploy_answer(const DeployResult& result) {
  if (!result.ok()) {
    return error_response(422, fmt::format("{} error(s) in the process files", result.diagnostics.error_count()),
                          Json{{"type", kProcessErrorsType},
                               {"title", "The process files have errors"},
                               {"diagnostics", diagnostics_json(result.diagnostics)}});
  }
  Json deployed = Json::array();
  for (const auto& d : result.deployed) {
    deployed.push_back(Json{{"name", d.name}, {"version", d.version}, {"hash", d.hash}, {"new", d.is_new},
                            {"stdlib", d.stdlib_hash}});
  }
  return json_response(201, Json{{"deployed", deployed}, {"diagnostics", diagnostics_json(result.diagnostics)}});
}

std::optional<HttpResponse> HttpApi::deploy_async(Call& call, const Offload& offload, const Reply& done) {
  std::map<std::string, std::string> files;
  if (auto refused = upload(call, files)) return refused;
  // Compiling a large upload takes long; the engine's thread serves others meanwhile and only
  // stores the result. The failure of a compile is kept as text to cross back to that thread.
  struct Job {
    std::map<std::string, std::string> files;
    Compilation compilation;
    std::optional<std::string> failure;
  };
  auto job = std::make_shared<Job>(Job{std::move(files), {}, std::nullopt});
  offload(
      [this, job] {
        try {
          job->compilation = engine_.compile_sources(job->files);
        } catch (const std::exception& e) {
          job->failure = e.what();
        }
      },
      [this, job, actor = call.caller.actor(), done] {
        if (job->failure) return done(internal_error(hooks_.log, *job->failure));
        try {
          done(deploy_answer(engine_.commit_deploy(std::move(job->compilation), actor)));
        } catch (const std::exception& e) {
          done(internal_error(hooks_.log, e.what()));
        }
      });
  return std::nullopt;
}

std::optional<HttpResponse> HttpApi::diagram_async(Call& call, const Offload& offload, const Reply& done) {
  const model::Process* p = engine_.runtime().latest(call.params["name"]);
  if (p == nullptr) return error(404, fmt::format("no process '{}' is deployed", call.params["name"]));
  auto drawn = [name = p->name](const std::optional<std::string>& svg) {
    if (svg) return HttpResponse{200, "image/svg+xml", *svg, {}};
    return error(422, fmt::format("Graphviz could not draw process '{}' within {} seconds", name,
                                  model::kDrawingTime.count() / 1000));
  };
  if (auto cached = svg_cache_.find(p->hash); cached != svg_cache_.end()) return drawn(cached->second);
  // One drawing per definition at a time: later callers wait for it rather than start another.
  auto [waiting, first] = drawing_.try_emplace(p->hash);
  waiting->second.push_back(done);
  if (!first) return std::nullopt;
  auto job = std::make_shared<model::Drawing>();
  offload([job, dot = model::to_dot(*p)] { *job = model::render_svg(dot); },
          [this, job, hash = p->hash, drawn] {
            std::vector<Reply> replies = std::move(drawing_[hash]);
            drawing_.erase(hash);
            // A drawing, or dot stopped at its limit, is kept; a missing or failing Graphviz is
            // not: an operator may install it.
            bool kept = job->problem == model::DrawingProblem::kNone || job->problem == model::DrawingProblem::kTooLarge;
            if (kept) svg_cache_[hash] = job->svg;
            HttpResponse answer = kept ? drawn(job->svg) : error(503, "drawing needs Graphviz's 'dot' program on the server");
            for (const Reply& reply : replies) reply(answer);
          });
  return std::nullopt;
}

HttpResponse HttpApi::start_case(Call& call) {
  if (auto refused = require_case_role(call)) return *refused;
  const Json& b = call.body;
  Result<CaseId> id = engine_.start_case(b["process"], b.value("data", Json::object()), b.value("event", std::string()),
                                         scoped_key(call), call.caller.actor());
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
  Json out = Json::array();
  for (auto& row : engine_.cases(status)) {
    std::int64_t id = row["id"];
    if (!process.empty() && row["process"] != process) continue;
    // The same rule as for opening the case: a listed case can be opened.
    if (visibility_.of(call.caller.role, id) == Sight::kNone) continue;
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
  Sight s = visibility_.of(call.caller.role, id);
  if (s == Sight::kNone) return unseen(call, "case", id, id);
  Json row = engine_.store().case_row(id);
  if (const runtime::Instance* c = engine_.runtime().find_case(id)) {
    row.update(case_summary(*c));
    Json tasks = Json::array();
    for (const auto& [tid, task] : c->tasks) {
      if (task.status != runtime::TaskStatus::kOpen) continue;
      tasks.push_back(Json{{"id", tid}, {"step", task.name}, {"title", task.title}, {"role", task.role},
                           {"due", to_iso_utc(task.due.at)}, {"escalations", task.escalation_level}});
    }
    row["tasks"] = tasks;
    // Special-category personal data: only for roles that work on the case, and audited.
    if (auto refused = audit_read(call, id, s, "case data")) return *refused;
    if (s == Sight::kFull) row["data"] = c->data;
  }
  return json_response(200, row);
}

HttpResponse HttpApi::timeline(Call& call) {
  std::int64_t id = call.id();
  Sight s = visibility_.of(call.caller.role, id);
  if (s == Sight::kNone) return unseen(call, "case", id, id);
  // At full sight the timeline carries the task outputs: a read of personal data.
  if (auto refused = audit_read(call, id, s, "timeline")) return *refused;
  return json_response(200, Visibility::timeline(s, engine_.audit(id)));
}

HttpResponse HttpApi::deadlines(Call& call) {
  std::int64_t id = call.id();
  Sight sight = visibility_.of(call.caller.role, id);
  if (sight == Sight::kNone) return unseen(call, "case", id, id);
  // The explanation quotes the case's data (a birth date, an arrest time): only for full sight.
  auto why = [sight](const Json& lines) { return sight == Sight::kFull ? lines : Json::array(); };
  if (auto refused = audit_read(call, id, sight, "deadlines")) return *refused;
  Json out = Json::array();
  for (const auto& task : engine_.tasks(store::TaskQuery{std::nullopt, id, true, std::nullopt})) {
    out.push_back(Json{{"kind", "task"}, {"name", task["step"]}, {"title", task["title"]}, {"role", task["role"]},
                       {"due", task["due"]}, {"why", why(task["due_why"])}});
  }
  for (const auto& timer : engine_.timers(id)) {
    if (timer["status"] != "pending") continue;
    out.push_back(Json{{"kind", timer["kind"]}, {"name", timer["name"]}, {"due", timer["due"]},
                       {"why", why(timer["due_why"])}});
  }
  std::stable_sort(out.begin(), out.end(), [](const Json& a, const Json& b) {
    return a["due"].get<std::string>() < b["due"].get<std::string>();
  });
  return json_response(200, out);
}

std::optional<HttpResponse> HttpApi::audit_read(const Call& call, std::int64_t case_id, Sight sight,
                                                const char* what) {
  if (sight != Sight::kFull) return std::nullopt;  // nothing personal is shown
  Status s = engine_.record_read(case_id, what, call.caller.actor());
  if (s.is_ok()) return std::nullopt;
  return error(503, fmt::format("the read could not be recorded in the audit log, so it is not answered: {}",
                                s.message()));
}

HttpResponse HttpApi::send_event(Call& call) {
  if (auto refused = require_case_role(call)) return *refused;
  if (visibility_.of(call.caller.role, call.id()) == Sight::kNone) return unseen(call, "case", call.id(), call.id());
  Status s = engine_.signal(call.id(), call.body["event"], call.body.value("data", Json::object()), scoped_key(call),
                            call.caller.actor());
  if (s.is_ok()) after_command();
  return from_status(s);
}

HttpResponse HttpApi::revoke(Call& call) {
  // Art. 2 lid 9 Wth: the mayor may revoke the ban; the process says who sends `intrekking`.
  if (auto refused = require_case_role(call)) return *refused;
  if (visibility_.of(call.caller.role, call.id()) == Sight::kNone) return unseen(call, "case", call.id(), call.id());
  Status s = engine_.signal(call.id(), "intrekking", Json::object(), scoped_key(call), call.caller.actor());
  if (s.is_ok()) after_command();
  return from_status(s);
}

HttpResponse HttpApi::list_tasks(Call& call) {
  if (auto refused = require_case_role(call)) return *refused;
  store::TaskQuery q;
  q.role = call.caller.role;
  if (call.query.count("overdue") != 0 && call.query["overdue"] != "false") q.overdue_at = engine_.now();
  if (call.query.count("case") != 0) {
    q.case_id = parse_id(call.query["case"]);
    if (!q.case_id) return error(400, "case must be a case id (a number below 2^63)");
  }
  return json_response(200, engine_.tasks(q));
}

HttpResponse HttpApi::complete_task(Call& call) {
  if (auto refused = require_case_role(call)) return *refused;
  // A task in a case the caller may not see is no task to it: its step and role stay unsaid.
  const runtime::Task* task = engine_.runtime().find_task(call.id());
  if (task == nullptr) return error(404, fmt::format("no task {}", call.id()));
  if (visibility_.of(call.caller.role, task->case_id) == Sight::kNone) {
    return unseen(call, "task", call.id(), task->case_id);
  }
  Status s = engine_.complete_task(call.id(), call.caller.actor(), call.body.value("outputs", Json::object()),
                                   scoped_key(call));
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
    before = parse_instant(call.body["before"].get<std::string>());
    if (!before) return error(400, "'before' must be a moment like 2021-11-28T00:00:00Z");
  }
  auto purged = engine_.purge(before, call.caller.actor());
  if (!purged.is_ok()) return from_status(purged.status());
  return json_response(200, Json{{"purged", purged->cases}, {"ended_before", to_iso_utc(purged->ended_before)},
                                 {"log_emptied", purged->log_emptied}});
}

HttpResponse HttpApi::sinks(Call& call) {
  if (auto refused = require_admin(call)) return *refused;
  // As the logs and metrics name them: a webhook's path may hold the receiver's secret, which is
  // the operator's, not every beheer token holder's.
  Json sinks = engine_.store().sinks();
  for (auto& sink : sinks) sink["sink"] = public_sink_name(sink["sink"].get<std::string>());
  return json_response(200, sinks);
}

// Incidents are the administrators': a timer that could not fire concerns the system, not the
// case's content, and retrying or dropping it is their decision (audited with who decided).
HttpResponse HttpApi::list_incidents(Call& call) {
  if (auto refused = require_admin(call)) return *refused;
  return json_response(200, engine_.incidents());
}

HttpResponse HttpApi::retry_incident(Call& call) {
  if (auto refused = require_admin(call)) return *refused;
  Status s = engine_.retry_incident(call.id(), call.caller.actor(), scoped_key(call));
  if (s.is_ok()) after_command();
  return from_status(s);
}

HttpResponse HttpApi::dismiss_incident(Call& call) {
  if (auto refused = require_admin(call)) return *refused;
  Status s = engine_.dismiss_incident(call.id(), call.body["reason"].get<std::string>(), call.caller.actor(),
                                      scoped_key(call));
  if (s.is_ok()) after_command();
  return from_status(s);
}

}  // namespace termijn::http
