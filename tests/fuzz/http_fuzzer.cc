// bytes -> HTTP requests -> HttpApi::handle, in process (no sockets), on one Engine per process:
// a VirtualClock, a store in a scratch folder, the shipped processes/ deployed, two cases started
// and a token per role. The audit chain must verify after each of the first 16 inputs and then every
// 100th; every 1000th input the store is put back as it was after setup, so the state stays small.
//
// An input is up to 8 requests separated by a line "%%", each as plain text:
//
//   POST /api/v1/cases @politie          method, target, and the token of a role (optional)
//   idempotency-key: k1                  headers until an empty line (names lower-cased)
//
//   {"process": "landelijk", "data": {"aanhouding": true, "kindermishandeling": false}}
//
// `@hovj`, `@politie`, `@burgemeester`, `@veilig_thuis`, `@beheer` send that role's token;
// `@other` sends "Bearer other" (unknown); no `@` sends no Authorization header. A POST without a
// content-type header gets application/json. `TICK N` instead of a request moves the clock N
// hours on and fires what is due. tests/fuzz/seeds/http/ has examples.
//
// Invariants, beyond not crashing and no uncaught exception: never a 500 or another 5xx but the
// diagram's 503 and /readyz's (no timer loop runs here) (or a status outside 100..599); on /api/
// every response is JSON (the diagram's SVG aside) and parses; an error's body is an RFC 9457
// problem, application/problem+json {"type", "title", "status": <the status>, "detail"}; /metrics
// is Prometheus text; the audit chain verifies.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "engine/api/engine.h"
#include "engine/api/http/api.h"
#include "engine/time/instant.h"
#include "fuzz_support.h"

namespace {

using termijn::Engine;
using termijn::EngineOptions;
using termijn::Json;
using termijn::VirtualClock;
using termijn::fuzz::fail;
namespace http = termijn::http;

constexpr int kResetEvery = 1000;
constexpr int kVerifyEvery = 100;  // and after each of the first inputs (a replay of a few files)
constexpr int kMaxRequests = 8;
const char* const kRoles[] = {"hovj", "politie", "burgemeester", "veilig_thuis", "beheer"};

termijn::Instant start_time() { return *termijn::parse_instant("2026-10-20 14:00"); }

class World {
 public:
  World() : scratch_("http-fuzz"), clock_(start_time()) {
    const auto setup = scratch_.path() / "setup.db";
    open(setup);
    termijn::DeployResult deployed = engine_->deploy({(termijn::fuzz::source_dir() / "processes").string()});
    if (!deployed.ok()) fail("the shipped processes do not deploy: " + termijn::render(deployed.diagnostics));
    for (const char* role : kRoles) {
      auto token = http::issue_token(*engine_, termijn::store::TokenHolder{std::string(role) + "-fuzz", "Fuzzregio", role},
                                     termijn::Actor::host("http_fuzzer"));
      if (!token.is_ok()) fail(std::string("cannot issue a token for ") + role + ": " + token.status().message());
      tokens_[role] = *token;
    }
    for (bool arrest : {true, false}) {
      auto started = engine_->start_case("landelijk", Json{{"aanhouding", arrest}, {"aangehouden_op", "2026-10-20 13:30"}, {"kindermishandeling", !arrest}});
      if (!started.is_ok()) fail("cannot start a case: " + started.status().message());
    }
    close();
    for (const char* suffix : {"", "-wal"}) {
      std::error_code ec;
      std::filesystem::copy_file(setup.string() + suffix, pristine(suffix), std::filesystem::copy_options::overwrite_existing, ec);
    }
    reset();
  }

  ~World() { close(); }

  // Back to the state right after setup: the same database, the same time.
  void reset() {
    close();
    const auto work = scratch_.path() / "work.db";
    termijn::fuzz::remove_database(work);
    for (const char* suffix : {"", "-wal"}) {
      std::error_code ec;
      if (std::filesystem::exists(pristine(suffix), ec)) std::filesystem::copy_file(pristine(suffix), work.string() + suffix, ec);
    }
    clock_.set(start_time());
    open(work);
  }

  void run(std::string_view input) {
    if (++runs_ % kResetEvery == 0) reset();
    int count = 0;
    while (count++ < kMaxRequests) {
      std::size_t sep = input.find("\n%%\n");
      one(input.substr(0, sep));
      if (sep == std::string_view::npos) break;
      input.remove_prefix(sep + 4);
    }
    if (runs_ <= 16 || runs_ % kVerifyEvery == 0) verify_audit();
  }

  void verify_audit() {
    termijn::store::AuditCheck check = engine_->verify_audit();
    if (!check.ok) fail("the audit chain does not verify: " + check.problem);
  }

 private:
  std::string pristine(const char* suffix) const { return (scratch_.path() / "pristine.db").string() + suffix; }

  void open(const std::filesystem::path& db) {
    auto opened = Engine::open(EngineOptions{db.string(), &clock_, {termijn::fuzz::source_dir() / "stdlib"}, /*durable=*/false});
    if (!opened.is_ok()) fail("cannot open the engine: " + opened.status().message());
    engine_ = std::move(opened.value());
    // As `termijn serve` runs it: commands go to disk in groups, every answer waits for its group
    // (HttpApi::handle flushes, as there is no io_context here to post the flush to).
    engine_->defer_commits(true);
    monitor_ = std::make_unique<http::Monitor>(*engine_);
    monitor_->recovery_done();
    api_ = std::make_unique<http::HttpApi>(*engine_, http::ApiHooks{{}, monitor_.get(), termijn::Logger(termijn::LogFormat::kText, nullptr)});
  }

  void close() {
    if (engine_) (void)engine_->flush();  // what setup gave (deferred) goes to disk
    api_.reset();
    monitor_.reset();
    engine_.reset();
  }

  static std::string_view next_line(std::string_view& text) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    return line;
  }

  static std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
  }

  void one(std::string_view text) {
    http::HttpRequest request;
    // Request line: METHOD TARGET [@role]
    std::string_view line = next_line(text);
    std::size_t space = line.find(' ');
    request.method = std::string(line.substr(0, space));
    std::string_view rest = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    std::size_t at = rest.rfind(" @");
    std::string_view role;
    if (at != std::string_view::npos) {
      role = trim(rest.substr(at + 2));
      rest = rest.substr(0, at);
    }
    request.target = std::string(rest);

    if (request.method == "TICK") {
      int hours = 0;
      for (char c : request.target) {
        if (c < '0' || c > '9' || hours > 24 * 400) break;
        hours = hours * 10 + (c - '0');
      }
      clock_.advance(std::chrono::hours(hours));
      engine_->fire_due();
      return;
    }

    if (!role.empty()) {
      auto token = tokens_.find(std::string(role));
      request.headers["authorization"] = "Bearer " + (token == tokens_.end() ? std::string(role) : token->second);
    }
    while (!text.empty()) {
      std::string_view header = next_line(text);
      if (trim(header).empty()) break;
      std::size_t colon = header.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name(trim(header.substr(0, colon)));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers[name] = std::string(trim(header.substr(colon + 1)));
    }
    if (request.method == "POST" && request.headers.count("content-type") == 0) {
      request.headers["content-type"] = "application/json";
    }
    request.body = std::string(text);

    http::HttpResponse response = api_->handle(request);
    if (verbose_) std::fprintf(stderr, "%s %s -> %d %s\n", request.method.c_str(), request.target.c_str(), response.status, response.body.substr(0, 300).c_str());
    check(request, response);
  }

  static void check(const http::HttpRequest& request, const http::HttpResponse& response) {
    auto broken = [&](const std::string& why) {
      fail(fmt::format("{} {} -> {}: {}\n{}", request.method, request.target, response.status, why,
                       response.body.substr(0, 2000)));
    };
    if (response.status < 100 || response.status > 599) broken("not an HTTP status");
    // 503 is the diagram's "Graphviz is not there" and /readyz's: no timer loop runs in the
    // fuzzer.
    std::string path = request.target.substr(0, request.target.find('?'));
    if (response.status >= 500 && response.status != 503) broken("a server error");
    bool problem = response.content_type == "application/problem+json";
    if (response.status >= 400 && !problem) broken("an error that is not application/problem+json: " + response.content_type);
    if (response.status == 200 && path == "/metrics" && response.content_type.rfind("text/plain; version=0.0.4", 0) != 0) {
      broken("metrics that are not Prometheus text: " + response.content_type);
    }
    bool json = problem || response.content_type.rfind("application/json", 0) == 0;
    bool svg = response.status == 200 && path.size() >= 4 && path.compare(path.size() - 4, 4, ".svg") == 0;
    if (path.rfind("/api/", 0) == 0 && !json && !svg) broken("an /api/ response that is not JSON: " + response.content_type);
    if (!json) return;
    Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) broken("the body is not valid JSON");
    if (response.status >= 400) {
      auto text = [&body](const char* member) { return body.contains(member) && body[member].is_string(); };
      if (!body.is_object() || !text("type") || !text("title") || !text("detail") || body.value("status", 0) != response.status) {
        broken("an error body that is not {\"type\", \"title\", \"status\": N, \"detail\"}");
      }
    }
  }

  termijn::fuzz::ScratchDir scratch_;
  VirtualClock clock_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<http::Monitor> monitor_;
  std::unique_ptr<http::HttpApi> api_;
  std::map<std::string, std::string> tokens_;
  int runs_ = 0;
  // TERMIJN_FUZZ_VERBOSE=1: every request's status and the start of its answer, on stderr (for
  // writing seeds).
  bool verbose_ = std::getenv("TERMIJN_FUZZ_VERBOSE") != nullptr;
};

World& world() {
  static World w;
  return w;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  world();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  world().run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
