// Notifications out: the outbox delivered to sinks (webhooks, a log file), each in order and
// at least once. A sink's position is stored (sink_cursors), so after a crash or a failed attempt
// delivery resumes at the first notification not acknowledged; receivers de-duplicate on the
// notification's id, sent in the body and as `Idempotency-Key`.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/log.h"
#include "engine/base/status.h"
#include "engine/store/store.h"

namespace boost::asio::ssl {
class context;
}

namespace termijn::http {

// The JSON body every sink receives for one notification.
nlohmann::json notification_json(const store::OutboxRow& row);

class NotificationSink {
 public:
  virtual ~NotificationSink() = default;
  // Stable: it keys the stored delivery position ("webhook:http://...", "log:/var/log/...").
  virtual std::string name() const = 0;
  // Calls `done` exactly once: with an empty string on success, else with what went wrong.
  virtual void send(const store::OutboxRow& row, std::function<void(std::string error)> done) = 0;
};

struct WebhookTarget {
  bool tls = false;  // https
  std::string host;
  std::string port = "80";  // 443 for https
  std::string path = "/";
};
// http[s]://host[:port][/path]. Over https the receiver's certificate must verify and be for
// `host`; plain http is for a receiver on the same machine or network segment.
Result<WebhookTarget> parse_webhook_url(const std::string& url);

// A sink's name as logs and metrics show it: a webhook's path and query may hold a secret (many
// receivers put their token there), so they are replaced by the start of their SHA-256:
// "webhook:http://host:9000 (path sha256:1a2b3c4d)". Other names are returned as they are.
std::string public_sink_name(const std::string& name);

// The key a webhook's receiver checks signatures with, from a file only its owner may read that
// holds the secret as the Standard Webhooks convention writes it: `whsec_` and the base64 of 24 to
// 64 random bytes (surrounding whitespace ignored). The receiver is given the same text.
Result<std::string> read_webhook_secret(const std::string& path);

// The Standard Webhooks signature of one delivery: "v1," and the base64 of HMAC-SHA256 under
// `key` of "<id>.<timestamp>.<body>". The receiver recomputes it, so a forged or replayed (old
// timestamp) notification can be told apart.
std::string webhook_signature(const std::string& key, const std::string& id, std::int64_t timestamp,
                              const std::string& body);

struct WebhookOptions {
  std::chrono::milliseconds timeout{10'000};  // for the whole delivery, connecting included
  // read_webhook_secret: each delivery carries webhook-id, webhook-timestamp (Unix seconds) and
  // webhook-signature. Empty: unsigned.
  std::string signing_key = "";
  // For https receivers (make_client_context); nullptr: the system's CA store.
  std::shared_ptr<boost::asio::ssl::context> tls = nullptr;
};
// POSTs each notification; any 2xx acknowledges it. InvalidArgument for an address that is not
// a webhook's, or when the system's CA store cannot be read for an https one.
Result<std::unique_ptr<NotificationSink>> make_webhook_sink(boost::asio::io_context& io, const std::string& url,
                                                            WebhookOptions options = {});
// Appends each notification as one JSON line and syncs the file before acknowledging.
std::unique_ptr<NotificationSink> make_log_sink(const std::string& path);

struct DeliveryOptions {
  std::chrono::milliseconds first_retry{1'000};  // doubled per failed attempt ...
  std::chrono::milliseconds max_retry{300'000};  // ... up to this
};

class OutboxDelivery {
 public:
  // Failed attempts and their recovery are logged to `log`.
  OutboxDelivery(boost::asio::io_context& io, store::Store& store, DeliveryOptions options = {}, Logger log = Logger());
  void add(std::unique_ptr<NotificationSink> sink);
  // New notifications may have been committed: every idle sink goes on.
  void kick();

 private:
  struct Lane {
    std::unique_ptr<NotificationSink> sink;
    std::int64_t cursor = 0;
    int attempts = 0;
    bool busy = false;
    std::unique_ptr<boost::asio::steady_timer> retry;
  };
  void pump(Lane& lane);

  boost::asio::io_context& io_;
  store::Store& store_;
  DeliveryOptions options_;
  Logger log_;
  std::vector<std::unique_ptr<Lane>> lanes_;
};

}  // namespace termijn::http
