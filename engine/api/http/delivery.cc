#include "engine/api/http/delivery.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <regex>

#include "engine/api/http/internal/streams.h"
#include "engine/api/http/tls.h"
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
  static const std::regex kUrl(R"((https?)://([A-Za-z0-9.\-]+)(:([0-9]{1,5}))?(/[^\s#]*)?)");
  std::smatch m;
  if (!std::regex_match(url, m, kUrl)) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("'{}' is not a webhook address like https://host:port/path", url));
  }
  WebhookTarget t;
  t.tls = m[1] == "https";
  t.host = m[2];
  t.port = m[4].matched ? std::string(m[4]) : t.tls ? "443" : "80";
  if (m[5].matched) t.path = m[5];
  return t;
}

std::string public_sink_name(const std::string& name) {
  constexpr std::string_view kWebhook = "webhook:";
  if (name.rfind(kWebhook, 0) != 0) return name;
  auto target = parse_webhook_url(name.substr(kWebhook.size()));
  if (!target.is_ok()) return "webhook (sha256:" + sha256_hex(name).substr(0, 8) + ")";
  std::string shown = fmt::format("webhook:{}://{}:{}", target->tls ? "https" : "http", target->host, target->port);
  if (target->path != "/") shown += fmt::format(" (path sha256:{})", sha256_hex(target->path).substr(0, 8));
  return shown;
}

namespace {

// One webhook delivery on its own connection: resolve, connect, (over https: the handshake, the
// receiver's certificate checked for its name), POST, read the answer. `Stream` is
// internal::PlainStream or internal::TlsStream.
template <class Stream>
struct Exchange : std::enable_shared_from_this<Exchange<Stream>> {
  static constexpr bool kTls = internal::kIsTls<Stream>;

  template <class... Tls>
  Exchange(boost::asio::io_context& io, std::function<void(std::string)> d, Tls&... tls)
      : resolver(io), stream(io, tls...), done(std::move(d)) {}

  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream); }

  void run(const WebhookTarget& target, std::chrono::milliseconds timeout) {
    tcp().expires_after(timeout);
    if constexpr (kTls) {
      if (!expect_peer_name(stream.native_handle(), target.host)) {
        return finish(fmt::format("'{}' cannot be checked against a certificate", target.host));
      }
    }
    resolver.async_resolve(target.host, target.port, [self = this->shared_from_this()](beast::error_code ec,
                                                                                    tcp::resolver::results_type r) {
      if (ec) return self->finish(fmt::format("cannot resolve: {}", ec.message()));
      self->tcp().async_connect(r, [self](beast::error_code ec, const tcp::endpoint&) {
        if (ec) return self->finish(fmt::format("cannot connect: {}", ec.message()));
        if constexpr (kTls) {
          self->stream.async_handshake(boost::asio::ssl::stream_base::client, [self](beast::error_code ec) {
            // A receiver whose certificate does not verify is not told anything.
            if (ec) return self->finish(fmt::format("TLS handshake failed: {}", ec.message()));
            self->post();
          });
        } else {
          self->post();
        }
      });
    });
  }

  void post() {
    bhttp::async_write(stream, request, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->finish(fmt::format("cannot send: {}", ec.message()));
      bhttp::async_read(self->stream, self->buffer, self->response, [self](beast::error_code ec, std::size_t) {
        if (ec) return self->finish(fmt::format("no answer: {}", ec.message()));
        unsigned status = self->response.result_int();
        self->finish(status >= 200 && status < 300 ? "" : fmt::format("the receiver answered {}", status));
      });
    });
  }

  void finish(std::string error) {
    beast::error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (done) std::exchange(done, nullptr)(std::move(error));
  }

  tcp::resolver resolver;
  Stream stream;
  bhttp::request<bhttp::string_body> request;
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  std::function<void(std::string)> done;
};

// One POST per notification on a fresh connection: simple, and a receiver restarting between
// notifications costs nothing.
class WebhookSink : public NotificationSink {
 public:
  WebhookSink(boost::asio::io_context& io, std::string url, WebhookTarget target, WebhookOptions options)
      : io_(io), url_(std::move(url)), target_(std::move(target)), options_(std::move(options)) {}

  std::string name() const override { return "webhook:" + url_; }

  void send(const store::OutboxRow& row, std::function<void(std::string)> done) override {
    if (target_.tls) return start<internal::TlsStream>(row, std::move(done), *options_.tls);
    start<internal::PlainStream>(row, std::move(done));
  }

 private:
  template <class Stream, class... Tls>
  void start(const store::OutboxRow& row, std::function<void(std::string)> done, Tls&... tls) {
    auto exchange = std::make_shared<Exchange<Stream>>(io_, std::move(done), tls...);
    exchange->request = request(row);
    exchange->run(target_, options_.timeout);
  }

  bhttp::request<bhttp::string_body> request(const store::OutboxRow& row) const {
    bhttp::request<bhttp::string_body> r{bhttp::verb::post, target_.path, 11};
    r.set(bhttp::field::host, target_.host);
    r.set(bhttp::field::content_type, "application/json");
    r.set(bhttp::field::user_agent, "termijn");
    const std::string id = fmt::format("termijn-notification-{}", row.id);
    r.set("Idempotency-Key", id);
    r.body() = notification_json(row).dump();
    if (!options_.signing_key.empty()) {
      // Signed when sent, not when written: a retry carries a fresh timestamp, so receivers can
      // refuse old ones (replays) without refusing late deliveries of their own.
      std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
      r.set("webhook-id", id);
      r.set("webhook-timestamp", std::to_string(now));
      r.set("webhook-signature", webhook_signature(options_.signing_key, id, now, r.body()));
    }
    r.prepare_payload();
    return r;
  }

  boost::asio::io_context& io_;
  std::string url_;
  WebhookTarget target_;
  WebhookOptions options_;
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

Result<std::unique_ptr<NotificationSink>> make_webhook_sink(boost::asio::io_context& io, const std::string& url,
                                                            WebhookOptions options) {
  auto target = parse_webhook_url(url);
  if (!target.is_ok()) return target.status();
  if (target->tls && options.tls == nullptr) {
    auto system_store = make_client_context("");
    if (!system_store.is_ok()) return system_store.status();
    options.tls = *system_store;
  }
  return std::unique_ptr<NotificationSink>(std::make_unique<WebhookSink>(io, url, *target, std::move(options)));
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
