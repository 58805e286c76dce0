// The HTTP/JSON API as a plain function from request to response, so it can be tested without
// sockets; engine/api/http/server.h puts it on the network. It runs on the engine's thread.
//
// Every call but the OpenAPI document, the web page's files, /healthz and /readyz (and /metrics
// when the operator opens it) needs `Authorization: Bearer <token>`. A token belongs to an
// organisation and one role: a process role (hovj, burgemeester, politie, ...) acts only as that
// role, and sees only cases it takes part in; the role `beheer` administers (deploy, audit,
// retention) and sees cases without their personal data. A token whose role is neither is
// refused: the host's own authority (an empty role) never comes over HTTP.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/api/engine.h"
#include "engine/api/http/client_certificate.h"
#include "engine/api/http/monitor.h"
#include "engine/api/http/request_body.h"
#include "engine/api/http/visibility.h"
#include "engine/base/log.h"

namespace termijn::http {

struct HttpRequest {
  std::string method;
  std::string target;                          // path and query
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  // Over TLS with client certificates (tls.h): the certificate the handshake verified. A token
  // is then honoured only for the organisation the certificate names.
  std::optional<ClientCertificate> client_certificate = std::nullopt;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// The role that administers rather than takes part in cases.
inline constexpr const char* kAdminRole = "beheer";

// The API's full semantic version, sent on every answer as `API-Version` (the Dutch API Design
// Rules, API-57); docs/openapi.json's info.version is the same. The major version is in the path.
inline constexpr const char* kApiVersion = "1.1.0";

// Every refusal's body is an RFC 9457 problem (application/problem+json): {"type": "about:blank",
// "title": <the status's reason phrase>, "status": N, "detail": <why>}. `extra` adds members.
HttpResponse error_response(int status, const std::string& detail, const Json& extra = Json::object());
// A failure that is not the caller's: 500 with an incident id; what went wrong is logged under
// that id, never told to the caller.
HttpResponse internal_error(const Logger& log, const std::string& what);

// What a host hands the API beside the engine.
struct ApiHooks {
  // Runs after every command that may have changed deadlines (the real-time driver re-arms its
  // timer; the delivery of notifications wakes up).
  std::function<void()> after_command = {};
  // Counts every answer and serves /readyz and /metrics; without one, /readyz answers 503 and
  // /metrics 404.
  Monitor* monitor = nullptr;
  Logger log = Logger();
  // With a deferring engine (group commit): asks the host to flush soon (GroupCommit::schedule).
  // Every answer waits until what the engine applied before it is on disk. Without this hook
  // the API flushes at once.
  std::function<void()> commit = {};
};

// Whether a token may be issued for `role`: `beheer`, or a role some deployed process declares.
// Returns the reason when not.
std::optional<std::string> token_role_problem(const Engine& engine, const std::string& role);
// Issues a new token for `holder` (audited, `by` whom): returns the token, of which only the
// hash is stored, or InvalidArgument when the role may not hold a token.
Result<std::string> issue_token(Engine& engine, const store::TokenHolder& holder, const Actor& by);
// Revokes the token named `name` (audited); NotFound when there is no active one.
Status revoke_token(Engine& engine, const std::string& name, const Actor& by);

class HttpApi {
 public:
  explicit HttpApi(Engine& engine, ApiHooks hooks = {});

  HttpResponse handle(const HttpRequest& request);
  // An answer the server gives to a request it could not read whole (too large, malformed):
  // counted like every other answer.
  HttpResponse refuse_unread(const std::string& method, int status, const std::string& detail);
  // A connection whose TLS handshake failed: counted for the monitor.
  void handshake_failed();

  // Runs `work` off the engine's thread, then `then` back on it.
  using Offload = std::function<void(std::function<void()> work, std::function<void()> then)>;
  using Reply = std::function<void(HttpResponse)>;
  // As handle(), but a deploy compiles through `offload` so the engine's thread serves others
  // meanwhile; `done` gets the answer on the engine's thread (at once for every other call).
  void handle_async(const HttpRequest& request, const Offload& offload, Reply done);

  // Method and path pattern of every route, for the OpenAPI check.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Caller;
  struct Call;
  using Handler = HttpResponse (HttpApi::*)(Call&);
  // Work that takes long runs through the Offload and answers through the Reply; or answers at
  // once (a refusal, a cached result).
  using AsyncHandler = std::optional<HttpResponse> (HttpApi::*)(Call&, const Offload&, const Reply&);
  struct Route {
    const char* method;
    const char* pattern;  // "/api/v1/cases/{id}": {id} matches a number, {name} a word
    Handler handler;  // nullptr: `async` answers
    bool public_route = false;
    BodySpec body = {};  // what a POST takes
    AsyncHandler async = nullptr;
    // Its answer is read from the store alone, which holds only what is on disk: unless the
    // request itself gave a step (an audited refusal), it need not wait for the group being written.
    bool reads_stored = false;
  };
  // A request matched to its route, its caller known and its body checked; or the answer.
  struct Prepared;
  Prepared prepare(const HttpRequest& request);
  // Checks the path's id, the token and the body; the refusal, if any.
  std::optional<HttpResponse> admit(const Route& route, Call& call);
  std::optional<HttpResponse> authenticate(Call& call);

  HttpResponse healthz(Call& call);
  HttpResponse readyz(Call& call);
  HttpResponse metrics(Call& call);
  // The page and its documents (web_assets.cc).
  HttpResponse openapi(Call& call);
  HttpResponse web_asset(Call& call);
  HttpResponse messages(Call& call);
  HttpResponse whoami(Call& call);
  HttpResponse list_processes(Call& call);
  // Graphviz draws off the engine's thread, once per definition (model::render_svg).
  std::optional<HttpResponse> diagram_async(Call& call, const Offload& offload, const Reply& done);
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
  HttpResponse list_incidents(Call& call);
  HttpResponse retry_incident(Call& call);
  HttpResponse dismiss_incident(Call& call);

  // The files of a deploy upload, or the refusal.
  std::optional<HttpResponse> upload(Call& call, std::map<std::string, std::string>& files);
  // Compiles through `offload` and answers through `done`; or answers a refused upload at once.
  std::optional<HttpResponse> deploy_async(Call& call, const Offload& offload, const Reply& done);
  HttpResponse deploy_answer(const DeployResult& result);

  // A refusal: 403 with the reason, and an audit entry.
  HttpResponse forbid(const Call& call, std::int64_t case_id, const std::string& reason);
  // A case or task the caller may not see, answered exactly as one that does not exist (404
  // "no case N" / "no task N"); the refusal is audited when it does exist.
  HttpResponse unseen(const Call& call, const char* what, std::int64_t id, std::int64_t case_id);
  HttpResponse from_status(const Status& status);
  // 403 (audited) unless the caller is a process role; `nullopt` when it may go on.
  std::optional<HttpResponse> require_case_role(const Call& call);
  std::optional<HttpResponse> require_admin(const Call& call);
  // At full sight (where personal data is shown) audits the read of case `case_id`'s `what`; the
  // refusal (503) if it cannot be audited.
  std::optional<HttpResponse> audit_read(const Call& call, std::int64_t case_id, Sight sight, const char* what);
  Json case_summary(const runtime::Instance& instance) const;
  std::string scoped_key(const Call& call) const;
  void after_command();
  // Counts an answer for the monitor, if any.
  void count(std::string_view route, const std::string& method, int status,
             std::chrono::steady_clock::time_point started);

  Engine& engine_;
  Visibility visibility_;
  ApiHooks hooks_;
  std::vector<Route> routes_;
  // Drawings by definition hash; nothing where `dot` was stopped (model::kDrawingTime), so it is
  // never asked again. And the callers waiting for a drawing under way.
  std::map<std::string, std::optional<std::string>> svg_cache_;
  std::map<std::string, std::vector<Reply>> drawing_;
};

}  // namespace termijn::http
