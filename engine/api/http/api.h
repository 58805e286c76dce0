// The HTTP/JSON API as a plain function from request to response, so it can be tested without
// sockets; engine/api/http/server.h puts it on the network. It runs on the engine's thread.
//
// Every call but the OpenAPI document and the web page's files needs `Authorization: Bearer
// <token>`. A token belongs to an organisation and one role: a process role (hovj, burgemeester,
// politie, ...) acts only as that role, and sees only cases it takes part in; the role `beheer`
// administers (deploy, audit, retention) and sees cases without their personal data.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/api/engine.h"

namespace termijn::http {

struct HttpRequest {
  std::string method;
  std::string target;                          // path and query
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// The role that administers rather than takes part in cases.
inline constexpr const char* kAdminRole = "beheer";

// Every refusal's body: {"error": {"status": N, "reason": "..."}}.
HttpResponse error_response(int status, const std::string& reason);

// Issues a new token for `holder`: returns the token, of which only the hash is stored.
std::string issue_token(store::Store& store, const store::TokenHolder& holder, Instant now);

class HttpApi {
 public:
  // `after_command` runs after every command that may have changed deadlines (the real-time
  // driver re-arms its timer; the delivery of notifications wakes up).
  HttpApi(Engine& engine, std::function<void()> after_command = {});

  HttpResponse handle(const HttpRequest& request);

  // Method and path pattern of every route, for the OpenAPI check.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Caller;
  struct Call;
  using Handler = HttpResponse (HttpApi::*)(Call&);
  struct Route {
    const char* method;
    const char* pattern;  // "/api/v1/cases/{id}": {id} matches a number, {name} a word
    Handler handler;
    bool public_route = false;
  };

  HttpResponse openapi(Call& call);
  HttpResponse web_asset(Call& call);
  HttpResponse whoami(Call& call);
  HttpResponse list_processes(Call& call);
  HttpResponse deploy(Call& call);
  HttpResponse diagram(Call& call);
  HttpResponse start_case(Call& call);
  HttpResponse list_cases(Call& call);
  HttpResponse get_case(Call& call);
  HttpResponse timeline(Call& call);
  HttpResponse deadlines(Call& call);
  HttpResponse send_event(Call& call);
  HttpResponse revoke(Call& call);
  HttpResponse list_tasks(Call& call);
  HttpResponse complete_task(Call& call);
  HttpResponse verify_audit(Call& call);
  HttpResponse purge(Call& call);
  HttpResponse sinks(Call& call);

  // A refusal: 403 with the reason, and an audit entry.
  HttpResponse forbid(const Call& call, std::int64_t case_id, const std::string& reason);
  HttpResponse from_status(const Status& status);
  // 403 (audited) unless the caller is a process role; `nullopt` when it may go on.
  std::optional<HttpResponse> require_case_role(const Call& call);
  std::optional<HttpResponse> require_admin(const Call& call);
  // What the caller may see of a case: nothing, its course, or also its personal data.
  enum class Sight { kNone, kCourse, kFull };
  Sight sight(const Caller& caller, std::int64_t case_id);
  Json case_summary(const runtime::Instance& instance) const;
  std::string scoped_key(const Call& call) const;
  void after_command();

  Engine& engine_;
  std::function<void()> after_command_;
  std::vector<Route> routes_;
  std::map<std::string, std::string> svg_cache_;  // by definition hash
};

}  // namespace termijn::http
