#include "engine/api/http/delivery.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <regex>

#include "engine/base/base64.h"
#include "engine/base/secret_file.h"
#include "engine/base/sha256.h"
#include "engine/time/instant.h"

namespace termijn::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::asio::ip::tcp;

nlohmann::json notification_json(const store::OutboxRow& row) {
  return nlohmann::json{{"id", row.id},           {"case", row.case_id}, {"at", to_iso_utc(row.at)},
                        {"roles", row.roles},     {"message", row.message}, {"source", row.source},
                        {"persons", row.persons}};
}

Result<WebhookTarget> parse_webhook_url(const std::string& url) {
  static const std::regex kUrl(R"(http://([A-Za-z0-9.\-]+)(:([0-9]{1,5}))?(/[^\s#]*)?)");
  std::smatch m;
  if (!std::regex_match(url, m, kUrl)) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("'{}' is not a webhook address like http://host:port/path (https: put a TLS proxy in "
                              "front)", url));
  }
  WebhookTarget t;
  t.host = m[1];
  if (m[3].matched) t.port = m[3];
  if (m[4].matched) t.path = m[4];
  return t;
}

std::string public_sink_name(const std::string& name) {
  constexpr std::string_view kWebhook = "webhook:";
  if (name.rfind(kWebhook, 0) != 0) return name;
  auto target = parse_webhook_url(name.substr(kWebhook.size()));
  if (!target.is_ok()) return "webhook (sha256:" + sha256_hex(name).substr(0, 8) + ")";
  std::string shown = fmt::format("webhook:http://{}:{}", target->host, target->port);
  if (target->path != "/") shown += fmt::format(" (path sha256:{})", sha256_hex(target->path).substr(0, 8));
  return shown;
}

namespace {

// One POST per notification on a fresh connection: simple, and a receiver restarting between
// notifications costs nothing.
class WebhookSink : public NotificationSink {
 public:
  WebhookSink(boost::asio::io_context& io, std::string url, WebhookTarget target, std::chrono::milliseconds timeout,
              std::string signing_key)
      : io_(io), url_(std::move(url)), target_(std::move(target)), timeout_(timeout),
        signing_key_(std::move(signing_key)) {}

  std::string name() const override { return "webhook:" + url_; }

  void send(const store::OutboxRow& row, std::function<void(std::string)> done) override {
    auto op = std::make_shared<Op>(io_, std::move(done));
    op->request = {bhttp::verb::post, target_.path, 11};
    op->request.set(bhttp::field::host, target_.host);
    op->request.set(bhttp::field::content_type, "application/json");
    op->request.set(bhttp::field::user_agent, "termijn");
    const std::string id = fmt::format("termijn-notification-{}", row.id);
    op->request.set("Idempotency-Key", id);
    op->request.body() = notification_json(row).dump();
    if (!signing_key_.empty()) {
      // Signed when sent, not when written: a retry carries a fresh timestamp, so receivers can
      // refuse old ones (replays) without refusing late deliveries of their own.
      std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
      op->request.set("webhook-id", id);
      op->request.set("webhook-timestamp", std::to_string(now));
      op->request.set("webhook-signature", webhook_signature(signing_key_, id, now, op->request.body()));
    }
    op->request.prepare_payload();
    op->stream.expires_after(timeout_);
    op->resolver.async_resolve(target_.host, target_.port, [op](beast::error_code ec, tcp::resolver::results_type r) {
      if (ec) return op->finish(fmt::format("cannot resolve: {}", ec.message()));
      op->stream.async_connect(r, [op](beast::error_code ec, const tcp::endpoint&) {
        if (ec) return op->finish(fmt::format("cannot connect: {}", ec.message()));
        bhttp::async_write(op->stream, op->request, [op](beast::error_code ec, std::size_t) {
          if (ec) return op->finish(fmt::format("cannot send: {}", ec.message()));
          bhttp::async_read(op->stream, op->buffer, op->response, [op](beast::error_code ec, std::size_t) {
            if (ec) return op->finish(fmt::format("no answer: {}", ec.message()));
            unsigned status = op->response.result_int();
            op->finish(status >= 200 && status < 300 ? "" : fmt::format("the receiver answered {}", status));
          });
        });
      });
    });
  }

 private:
  struct Op {
    Op(boost::asio::io_context& io, std::function<void(std::string)> d)
        : resolver(io), stream(io), done(std::move(d)) {}
    void finish(std::string error) {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      if (done) std::exchange(done, nullptr)(std::move(error));
    }
    tcp::resolver resolver;
    beast::tcp_stream stream;
    bhttp::request<bhttp::string_body> request;
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> response;
    std::function<void(std::string)> done;
  };

  boost::asio::io_context& io_;
  std::string url_;
  WebhookTarget target_;
  std::chrono::milliseconds timeout_;
  std::string signing_key_;
};

class LogSink : public NotificationSink {
 public:
  explicit LogSink(std::string path) : path_(std::move(path)) {}
  std::string name() const override { return "log:" + path_; }

  void send(const store::OutboxRow& row, std::function<void(std::string)> done) override {
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return done(fmt::format("cannot open '{}'", path_));
    std::string line = notification_json(row).dump() + "\n";
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    ::close(fd);
    done(ok ? "" : fmt::format("cannot write '{}'", path_));
  }

 private:
  std::string path_;
};

}  // namespace

Result<std::string> read_webhook_secret(const std::string& path) {
  constexpr std::size_t kMaxFileBytes = 1024;
  Result<std::string> text = read_secret_file(path, "webhook secret", 1, kMaxFileBytes);
  if (!text.is_ok()) return text.status();
  std::string secret = *text;
  auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!secret.empty() && space(secret.back())) secret.pop_back();
  std::size_t first = 0;
  while (first < secret.size() && space(secret[first])) ++first;
  secret.erase(0, first);
  constexpr std::string_view kPrefix = "whsec_";
  std::optional<std::string> key;
  if (secret.rfind(kPrefix, 0) == 0) key = base64_decode(std::string_view(secret).substr(kPrefix.size()));
  if (!key || key->size() < 24 || key->size() > 64) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("the webhook secret file '{}' must hold 'whsec_' and the base64 of 24 to 64 random "
                              "bytes (e.g. echo whsec_$(head -c 32 /dev/urandom | base64) > '{}')",
                              path, path));
  }
  return *key;
}

std::string webhook_signature(const std::string& key, const std::string& id, std::int64_t timestamp,
                              const std::string& body) {
  Sha256Digest mac = hmac_sha256(key, fmt::format("{}.{}.{}", id, timestamp, body));
  return "v1," + base64_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::unique_ptr<NotificationSink> make_webhook_sink(boost::asio::io_context& io, const std::string& url,
                                                    std::chrono::milliseconds timeout, std::string signing_key) {
  auto target = parse_webhook_url(url);
  if (!target.is_ok()) return nullptr;
  return std::make_unique<WebhookSink>(io, url, *target, timeout, std::move(signing_key));
}

std::unique_ptr<NotificationSink> make_log_sink(const std::string& path) { return std::make_unique<LogSink>(path); }

OutboxDelivery::OutboxDelivery(boost::asio::io_context& io, store::Store& store, DeliveryOptions options, Logger log)
    : io_(io), store_(store), options_(options), log_(log) {}

void OutboxDelivery::add(std::unique_ptr<NotificationSink> sink) {
  auto lane = std::make_unique<Lane>();
  lane->cursor = store_.sink_cursor(sink->name());
  lane->sink = std::move(sink);
  lane->retry = std::make_unique<boost::asio::steady_timer>(io_);
  lanes_.push_back(std::move(lane));
  pump(*lanes_.back());
}

void OutboxDelivery::kick() {
  // Posted: kick() is called from inside a commit, which should finish before sinks read.
  boost::asio::post(io_, [this] {
    for (auto& lane : lanes_) {
      if (lane->attempts == 0) pump(*lane);  // a lane backing off waits for its timer
    }
  });
}

void OutboxDelivery::pump(Lane& lane) {
  if (lane.busy) return;
  auto rows = store_.outbox_after(lane.cursor, 1);
  if (rows.empty()) return;
  lane.busy = true;
  store::OutboxRow row = rows.front();
  lane.sink->send(row, [this, &lane, id = row.id](std::string error) {
    lane.busy = false;
    if (error.empty()) {
      if (lane.attempts > 0) {
        log_.info("delivery.resumed", fmt::format("{} delivers again after {} failed attempt(s)",
                                                  public_sink_name(lane.sink->name()), lane.attempts),
                  {{"sink", public_sink_name(lane.sink->name())}, {"notification", id}, {"attempts", lane.attempts}});
      }
      lane.cursor = id;
      lane.attempts = 0;
      store_.record_delivery(lane.sink->name(), id, 0, "");
      boost::asio::post(io_, [this, &lane] { pump(lane); });
      return;
    }
    ++lane.attempts;
    store_.record_delivery(lane.sink->name(), lane.cursor, lane.attempts, error);
    auto wait = std::min<std::chrono::milliseconds>(options_.first_retry * (1LL << std::min(lane.attempts - 1, 20)),
                                                    options_.max_retry);
    log_.warning("delivery.failed",
                 fmt::format("{} did not take notification {}: {}", public_sink_name(lane.sink->name()), id, error),
                 {{"sink", public_sink_name(lane.sink->name())}, {"notification", id}, {"attempts", lane.attempts},
                  {"retry_in_ms", wait.count()}});
    lane.retry->expires_after(wait);
    lane.retry->async_wait([this, &lane](const boost::system::error_code& ec) {
      if (!ec) pump(lane);
    });
  });
}

}  // namespace termijn::http
