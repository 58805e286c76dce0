// Notifications out: a webhook receiver that fails its first attempts still gets every
// notification, in order, at least once, each with an id to de-duplicate on; a log sink gets
// them as JSON lines. Delivery resumes after a restart where it stopped.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/asio/ssl.hpp>

#include "engine/api/http/tls.h"
#include "engine/base/base64.h"
#include "tests/support/api_server.h"
#include "tests/support/http_client.h"
#include "tests/support/rihg.h"
#include "tests/support/test_pki.h"

namespace termijn::testing {
namespace {

using nlohmann::json;
namespace bhttp = boost::beast::http;

// A webhook receiver on its own thread: answers 503 to the first `failures` requests, then 200.
// With a TLS context it is an https receiver, and counts the handshakes that failed.
class Receiver {
 public:
  explicit Receiver(int failures, boost::asio::ssl::context* tls = nullptr)
      : failures_(failures), tls_(tls), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~Receiver() {
    stopping_ = true;
    boost::system::error_code ignored;
    // Wake the blocking accept with one last connection.
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket s(io);
    s.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }
  std::string url() const {
    return fmt::format("{}://127.0.0.1:{}/hooks/termijn", tls_ ? "https" : "http", acceptor_.local_endpoint().port());
  }
  std::vector<json> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  int attempts() const { return attempts_; }
  int failed_handshakes() const { return failed_handshakes_; }

 private:
  void serve() {
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      if (tls_ == nullptr) {
        exchange(socket);
        continue;
      }
      boost::asio::ssl::stream<boost::asio::ip::tcp::socket&> stream(socket, *tls_);
      stream.handshake(boost::asio::ssl::stream_base::server, ec);
      if (ec) {
        ++failed_handshakes_;
        continue;
      }
      exchange(stream);
    }
  }

  template <class Stream>
  void exchange(Stream& stream) {
    boost::system::error_code ec;
    boost::beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> req;
    bhttp::read(stream, buffer, req, ec);
    if (ec) return;
    int attempt = ++attempts_;
    bhttp::response<bhttp::string_body> res{attempt <= failures_ ? bhttp::status::service_unavailable : bhttp::status::ok, 11};
    if (attempt > failures_) {
      std::lock_guard lock(mutex_);
      json body = json::parse(req.body());
      body["idempotency_key"] = std::string(req["Idempotency-Key"]);
      body["path"] = std::string(req.target());
      for (const char* header : {"webhook-id", "webhook-timestamp", "webhook-signature"}) {
        if (req.find(header) != req.end()) body[header] = std::string(req[header]);
      }
      body["raw"] = req.body();
      received_.push_back(body);
    }
    res.prepare_payload();
    bhttp::write(stream, res, ec);
  }

  int failures_;
  boost::asio::ssl::context* tls_;
  std::atomic<int> attempts_{0};
  std::atomic<int> failed_handshakes_{0};
  std::atomic<bool> stopping_{false};
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::mutex mutex_;
  std::vector<json> received_;
  std::thread thread_;
};

template <typename F>
bool eventually(F condition) {
  for (int i = 0; i < 500; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

class Delivery : public ::testing::Test {
 protected:
  void SetUp() override {
    db = (std::filesystem::temp_directory_path() /
          fmt::format("termijn-{}-delivery-{}.db", getpid(), ::testing::UnitTest::GetInstance()->current_test_info()->name()))
             .string();
    log = db + ".log";
    clean();
  }
  void TearDown() override { clean(); }
  void clean() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    std::filesystem::remove(log);
  }
  void start() {
    http::DeliveryOptions fast;
    fast.first_retry = std::chrono::milliseconds(20);
    fast.max_retry = std::chrono::milliseconds(100);
    server = std::make_unique<ApiServer>(db, clock, std::string(TERMIJN_SOURCE_DIR) + "/processes", TERMIJN_STDLIB_DIR,
                                         http::ServerOptions{}, fast);
  }
  // Imposes a ban: the mayor, police and care are notified (art. 2 lid 8 Wth).
  void impose() {
    server->on_engine([this] {
      Engine& e = server->engine();
      CaseId id = *e.start_case("landelijk", json{{"aanhouding", false}, {"kindermishandeling", false}});
      auto task = [&](const std::string& step) {
        for (const auto& t : e.tasks(store::TaskQuery{std::nullopt, id, true, std::nullopt})) {
          if (t["step"] == step) return t["id"].get<std::int64_t>();
        }
        return std::int64_t{0};
      };
      EXPECT_TRUE(e.complete_task(task("criteria_toetsen"), "hovj",
                                  {{"meerderjarig", true}, {"ernstig_en_onmiddellijk_gevaar", true},
                                   {"woont_anders_dan_incidenteel", true}}).is_ok());
      EXPECT_TRUE(e.complete_task(task("rihg"), "hovj", termijn::testing::rihg_answers()).is_ok());
      return 0;
    });
  }
  std::size_t outbox_size() {
    return server->on_engine([this] { return server->engine().outbox().size(); });
  }

  VirtualClock clock{*parse_instant("2026-10-20 14:00")};
  std::string db, log;
  std::unique_ptr<ApiServer> server;
};

TEST_F(Delivery, AReceiverThatFailsTwiceStillGetsEveryNotificationInOrder) {
  Receiver receiver(/*failures=*/2);
  start();
  server->add_webhook(receiver.url(), {std::chrono::seconds(2)});
  server->add_sink(http::make_log_sink(log));
  impose();
  std::size_t sent = outbox_size();
  ASSERT_GE(sent, 1u);
  ASSERT_TRUE(eventually([&] { return receiver.received().size() == sent; }))
      << receiver.received().size() << " of " << sent;
  EXPECT_EQ(receiver.attempts(), static_cast<int>(sent) + 2) << "two failures, then one attempt each";
  auto got = receiver.received();
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i]["idempotency_key"], fmt::format("termijn-notification-{}", got[i]["id"].get<std::int64_t>()));
    EXPECT_EQ(got[i]["path"], "/hooks/termijn");
    if (i > 0) {
      EXPECT_GT(got[i]["id"], got[i - 1]["id"]) << "in order";
    }
  }
  EXPECT_NE(got[0]["message"].get<std::string>().find("Huisverbod opgelegd"), std::string::npos) << got[0].dump();
  // The API lists the sink with its position, but not the webhook's path (it may hold a secret).
  HttpClient client(server->port());
  ClientResponse listed = client.get("/api/v1/sinks", server->token("beheer"));
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find("/hooks/termijn"), std::string::npos) << listed.body;
  EXPECT_NE(listed.body.find("(path sha256:"), std::string::npos) << listed.body;
  // The log sink has the same notifications as JSON lines.
  ASSERT_TRUE(eventually([&] {
    std::ifstream in(log);
    return std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n') ==
           static_cast<long>(sent);
  }));
  auto sinks = server->on_engine([this] { return server->engine().store().sinks(); });
  ASSERT_EQ(sinks.size(), 2u);
  for (const auto& s : sinks) EXPECT_EQ(s["waiting"], 0) << s.dump();
}

TEST_F(Delivery, AfterARestartDeliveryResumesWhereItStopped) {
  {
    // The receiver is down: nothing is acknowledged.
    start();
    server->add_webhook("http://127.0.0.1:9/down", {std::chrono::milliseconds(200)});
    impose();
    ASSERT_TRUE(eventually([&] {
      auto sinks = server->on_engine([this] { return server->engine().store().sinks(); });
      return !sinks.empty() && sinks[0]["attempts"].get<int>() >= 1;
    }));
    server.reset();
  }
  // Restarted with the receiver up (a new address is a new sink, so use a log sink twice instead).
  start();
  std::size_t sent = outbox_size();
  server->add_sink(http::make_log_sink(log));
  ASSERT_TRUE(eventually([&] {
    std::ifstream in(log);
    return std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n') ==
           static_cast<long>(sent);
  }));
  server.reset();
  start();
  server->add_sink(http::make_log_sink(log));
  impose();  // a second case: only its notifications are added
  std::size_t total = outbox_size();
  ASSERT_TRUE(eventually([&] {
    std::ifstream in(log);
    return std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n') ==
           static_cast<long>(total);
  })) << "nothing delivered twice after the restart";
}

// Signed as the Standard Webhooks convention says, checked the way a receiver would: OpenSSL's
// HMAC over "<webhook-id>.<webhook-timestamp>.<body>", base64, after "v1,".
TEST_F(Delivery, EveryWebhookIsSignedSoTheReceiverCanTellItCameFromTermijn) {
  std::string secret_file = db + ".whsec";
  {
    std::ofstream out(secret_file);
    out << "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n";
  }
  std::filesystem::permissions(secret_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  Result<std::string> key = http::read_webhook_secret(secret_file);
  ASSERT_TRUE(key.is_ok()) << key.status().message();
  Receiver receiver(0);
  start();
  server->add_webhook(receiver.url(), {std::chrono::seconds(2), *key});
  impose();
  ASSERT_TRUE(eventually([&] { return !receiver.received().empty(); }));
  // The same bytes, decoded by hand (Python's base64): split where a hex escape would run on.
  const std::string raw_key = "1\xf2\x90\xf6\xbf\x06)\x8a\xab" "O\x08\xd4<?\x08,\xf6H\xa3" "b\xda-\xa4\xb0";
  ASSERT_EQ(*key, raw_key);  // the base64 after whsec_, decoded
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
  for (const json& got : receiver.received()) {
    ASSERT_TRUE(got.contains("webhook-signature")) << got.dump();
    std::string id = got["webhook-id"], timestamp = got["webhook-timestamp"], raw = got["raw"];
    EXPECT_EQ(id, got["idempotency_key"]);
    EXPECT_LE(std::abs(now - std::stoll(timestamp)), 60);  // fresh: a receiver refuses old ones
    std::string signed_text = id + "." + timestamp + "." + raw;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_size = 0;
    HMAC(EVP_sha256(), raw_key.data(), static_cast<int>(raw_key.size()),
         reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac, &mac_size);
    unsigned char encoded[4 * EVP_MAX_MD_SIZE];
    int encoded_size = EVP_EncodeBlock(encoded, mac, static_cast<int>(mac_size));
    EXPECT_EQ(got["webhook-signature"], "v1," + std::string(reinterpret_cast<char*>(encoded), encoded_size));
  }
  std::filesystem::remove(secret_file);
}

// The example of the Standard Webhooks specification.
TEST(WebhookSignature, MatchesTheStandardWebhooksExample) {
  EXPECT_EQ(http::webhook_signature(*base64_decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                    1614265330, R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignature, ASecretFileMustBeTheOwnersAndHoldAWhsecSecret) {
  std::string path = (std::filesystem::temp_directory_path() / fmt::format("termijn-{}-whsec", getpid())).string();
  auto write = [&](const std::string& text, std::filesystem::perms perms) {
    std::filesystem::remove(path);
    std::ofstream(path) << text;
    std::filesystem::permissions(path, perms);
  };
  const auto owner = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
  write("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", owner | std::filesystem::perms::others_read);
  EXPECT_NE(http::read_webhook_secret(path).status().message().find("chmod 600"), std::string::npos);
  for (const char* bad : {"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2hvcnQ=", "whsec_not base64!", "whsec_"}) {
    write(bad, owner);
    Result<std::string> key = http::read_webhook_secret(path);
    EXPECT_FALSE(key.is_ok()) << bad;
    EXPECT_NE(key.status().message().find("'whsec_' and the base64 of 24 to 64 random bytes"), std::string::npos) << bad;
  }
  std::filesystem::remove(path);
  EXPECT_NE(http::read_webhook_secret(path).status().message().find("cannot read the webhook secret file"),
            std::string::npos);
}

// Over https the receiver's certificate is checked: delivered to a receiver whose certificate
// chains to the CA termijn was given and names the address it connects to; held back (and
// retried) from one whose certificate chains to no trusted CA or is for another name.
TEST_F(Delivery, HttpsWebhooksAreDeliveredOnlyToAReceiverWhoseCertificateChecksOut) {
  TestPki pki;
  auto trusting = http::make_client_context(pki.cert("ca"));
  ASSERT_TRUE(trusting.is_ok()) << trusting.status().message();
  auto receiver_context = [&](const std::string& name) {
    auto ctx = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
    ctx->use_certificate_chain_file(pki.cert(name));
    ctx->use_private_key_file(pki.key(name), boost::asio::ssl::context::pem);
    return ctx;
  };
  auto good = receiver_context("server");
  auto wrong_name = receiver_context("elsewhere");
  auto name_in_subject = receiver_context("cn-only");
  Receiver receiver(0, good.get());
  Receiver impostor(0, wrong_name.get());
  Receiver unknown_ca(0, good.get());
  Receiver subject_only(0, name_in_subject.get());  // "localhost" in its CN only, no subjectAltName
  start();
  server->add_webhook(receiver.url(), {std::chrono::seconds(2), "", *trusting});
  server->add_webhook(impostor.url(), {std::chrono::seconds(2), "", *trusting});
  std::string by_name = subject_only.url();
  by_name.replace(by_name.find("127.0.0.1"), 9, "localhost");
  server->add_webhook(by_name, {std::chrono::seconds(2), "", *trusting});
  server->add_webhook(unknown_ca.url(), {std::chrono::seconds(2)});  // the system's CAs, which never signed ours
  impose();
  std::size_t sent = outbox_size();
  ASSERT_GT(sent, 0u);
  ASSERT_TRUE(eventually([&] { return receiver.received().size() == sent; }));
  ASSERT_TRUE(eventually([&] {
    return impostor.failed_handshakes() >= 1 && unknown_ca.failed_handshakes() >= 1 &&
           subject_only.failed_handshakes() >= 1;
  }));
  EXPECT_EQ(subject_only.attempts(), 0) << "a name only in the subject does not count (RFC 6125)";
  EXPECT_EQ(impostor.attempts(), 0) << "nothing was sent to a receiver whose certificate is for another name";
  EXPECT_EQ(unknown_ca.attempts(), 0);
  auto sinks = server->on_engine([this] { return server->engine().store().sinks(); });
  int held = 0;
  for (const auto& sink : sinks) {
    if (sink["delivered_upto"].get<std::int64_t>() != 0) continue;
    ++held;
    EXPECT_NE(sink["last_error"].get<std::string>().find("TLS handshake failed"), std::string::npos) << sink.dump();
  }
  EXPECT_EQ(held, 3);
}

TEST(WebhookAddress, HttpAndHttpsAddressesAreAcceptedAndNothingElse) {
  EXPECT_TRUE(http::parse_webhook_url("http://ontvanger.local:8081/hooks").is_ok());
  EXPECT_EQ(http::parse_webhook_url("http://ontvanger.local")->port, "80");
  EXPECT_EQ(http::parse_webhook_url("https://ontvanger.local/hooks")->port, "443");
  EXPECT_TRUE(http::parse_webhook_url("https://ontvanger.local/hooks")->tls);
  EXPECT_FALSE(http::parse_webhook_url("ftp://ontvanger.local/hooks").is_ok());
  EXPECT_FALSE(http::parse_webhook_url("ontvanger.local/hooks").is_ok());
}

}  // namespace
}  // namespace termijn::testing
