// The API over TLS, tried with a real TLS client (Boost.Beast over OpenSSL) as a host system
// would connect: the server's certificate checks out against the operator's CA; plain HTTP, a
// cipher without forward secrecy and, under mutual TLS, a missing or foreign certificate get
// nothing; a token works only for the organisation its connection's certificate names.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <filesystem>

#include "engine/api/http/tls.h"
#include "tests/support/api_server.h"
#include "tests/support/http_client.h"
#include "tests/support/test_pki.h"

namespace termijn::testing {
namespace {

namespace ssl = boost::asio::ssl;
namespace bhttp = boost::beast::http;
using boost::asio::ip::tcp;

// What one request over TLS came to: an answer, or where and why it failed.
struct TlsAnswer {
  std::string failure;  // "handshake: ...", "read: ..."; empty when answered
  int status = 0;
  nlohmann::json body;
  std::string raw;
  bool resumed = false;  // the handshake resumed an earlier session
};

// How the client connects: the CA it trusts, the certificate it shows, what it offers.
struct ClientSetup {
  std::string ca;
  std::string cert;  // "": none
  std::string key;
  std::string tls12_ciphers;  // "": OpenSSL's defaults; else TLS 1.2 only, with these
};

// `session`: resumed when it holds one, and given the connection's session afterwards.
using Session = std::shared_ptr<SSL_SESSION>;
TlsAnswer tls_get(unsigned short port, const ClientSetup& setup, const std::string& target, const std::string& token,
                  Session* session = nullptr) {
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(setup.ca);
  ctx.set_verify_mode(ssl::verify_peer);
  if (!setup.cert.empty()) {
    ctx.use_certificate_chain_file(setup.cert);
    ctx.use_private_key_file(setup.key, ssl::context::pem);
  }
  if (!setup.tls12_ciphers.empty()) {
    SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    SSL_CTX_set_cipher_list(ctx.native_handle(), setup.tls12_ciphers.c_str());
  }
  boost::asio::io_context io;
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream(io, ctx);
  SSL_set1_host(stream.native_handle(), "localhost");  // the name the client checks the certificate for
  SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
  boost::beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  boost::beast::get_lowest_layer(stream).connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  TlsAnswer answer;
  boost::beast::error_code ec;
  if (session != nullptr && *session) SSL_set_session(stream.native_handle(), session->get());
  stream.handshake(ssl::stream_base::client, ec);
  if (ec) {
    answer.failure = "handshake: " + ec.message();
    return answer;
  }
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, target, 11};
  req.set(bhttp::field::host, "localhost");
  if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
  bhttp::write(stream, req, ec);
  if (ec) {
    answer.failure = "write: " + ec.message();
    return answer;
  }
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buffer, res, ec);
  if (ec) {
    answer.failure = "read: " + ec.message();
    return answer;
  }
  answer.status = static_cast<int>(res.result_int());
  answer.resumed = SSL_session_reused(stream.native_handle()) == 1;
  // Closed properly (close_notify), as a client that means to resume does: OpenSSL marks the
  // session of a connection that was just dropped as not resumable.
  stream.shutdown(ec);
  if (session != nullptr) *session = Session(SSL_get1_session(stream.native_handle()), SSL_SESSION_free);
  answer.raw = res.body();
  answer.body = nlohmann::json::parse(answer.raw, nullptr, false);
  return answer;
}

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki = new TestPki(); }
  static void TearDownTestSuite() {
    delete pki;
    pki = nullptr;
  }
  void SetUp() override {
    db = (std::filesystem::temp_directory_path() /
          fmt::format("termijn-{}-tls-{}.db", getpid(), ::testing::UnitTest::GetInstance()->current_test_info()->name()))
             .string();
    clean();
  }
  void TearDown() override {
    server.reset();
    clean();
  }
  void clean() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  }
  void start(const std::string& client_ca = "", http::ClientAuth auth = http::ClientAuth::kRequired) {
    auto context = http::make_server_context({pki->cert("server"), pki->key("server"), client_ca, auth});
    ASSERT_TRUE(context.is_ok()) << context.status().message();
    http::ServerOptions options;
    options.tls = *context;
    options.header_timeout = std::chrono::milliseconds(500);
    server = std::make_unique<ApiServer>(db, clock, std::string(TERMIJN_SOURCE_DIR) + "/processes", TERMIJN_STDLIB_DIR,
                                         options);
  }
  ClientSetup as(const std::string& who) const {
    return ClientSetup{pki->cert("ca"), who.empty() ? "" : pki->cert(who), who.empty() ? "" : pki->key(who), ""};
  }

  static TestPki* pki;
  std::string db;
  VirtualClock clock{*parse_instant("2026-10-20 14:00")};
  std::unique_ptr<ApiServer> server;
};
TestPki* Tls::pki = nullptr;

TEST_F(Tls, TheApiIsServedOverTlsWithACertificateTheClientChecks) {
  start();
  std::string token = server->token("hovj");
  TlsAnswer answer = tls_get(server->port(), as(""), "/api/v1/whoami", token);
  ASSERT_EQ(answer.failure, "");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body["role"], "hovj");
  EXPECT_FALSE(answer.body.contains("client_certificate")) << "no mutual TLS was configured";

  // A client that trusts another CA refuses the server: the check is real on the client's side.
  ClientSetup other = as("");
  other.ca = pki->cert("rogue-ca");
  EXPECT_NE(tls_get(server->port(), other, "/api/v1/whoami", token).failure.find("handshake"), std::string::npos);
}

TEST_F(Tls, PlainHttpAndCiphersWithoutForwardSecrecyGetNothing) {
  start();
  std::string token = server->token("hovj");
  // Plain HTTP to the TLS port: no answer, the connection is closed in the handshake.
  HttpClient plain(server->port());
  EXPECT_THROW(plain.get("/api/v1/whoami", token), std::exception);
  // TLS 1.2 offering only a CBC cipher (forward secret, but no AEAD): OpenSSL itself would
  // accept it, the NCSC's guidelines do not.
  ClientSetup cbc = as("");
  cbc.tls12_ciphers = "ECDHE-ECDSA-AES128-SHA256";
  EXPECT_NE(tls_get(server->port(), cbc, "/api/v1/whoami", token).failure.find("handshake"), std::string::npos);
  // TLS 1.2 with an AEAD cipher is fine, and the server kept serving through the refusals.
  ClientSetup gcm = as("");
  gcm.tls12_ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
  EXPECT_EQ(tls_get(server->port(), gcm, "/api/v1/whoami", token).status, 200);
  // Every refusal is counted for the operator: the plain client's two tries (it retries once on a
  // fresh connection) and the CBC one.
  TlsAnswer metrics = tls_get(server->port(), as(""), "/metrics", server->token("beheer"));
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.raw.find("\ntermijn_http_tls_handshakes_failed_total 3\n"), std::string::npos) << metrics.raw;
}

TEST_F(Tls, AClientThatNeverFinishesTheHandshakeLosesItsConnection) {
  start();
  boost::asio::io_context io;
  tcp::socket idle(io);
  idle.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server->port()));
  // Says nothing; the server closes it after the header timeout (500 ms here).
  char byte = 0;
  boost::system::error_code ec;
  auto started = std::chrono::steady_clock::now();
  idle.read_some(boost::asio::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) << ec.message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(Tls, UnderMutualTlsATokenWorksOnlyFromItsOrganisationsCertificate) {
  start(pki->cert("ca"));
  std::string token = server->token("hovj", "Testregio");

  TlsAnswer mine = tls_get(server->port(), as("testregio"), "/api/v1/whoami", token);
  ASSERT_EQ(mine.failure, "");
  EXPECT_EQ(mine.status, 200);
  EXPECT_EQ(mine.body["client_certificate"]["organisation"], "Testregio");
  EXPECT_EQ(mine.body["client_certificate"]["common_name"], "zorgsysteem");
  EXPECT_EQ(mine.body["client_certificate"]["sha256"].get<std::string>().size(), 64u);

  // The same token from another organisation's connection: refused, and the refusal audited.
  TlsAnswer theirs = tls_get(server->port(), as("anderegio"), "/api/v1/whoami", token);
  ASSERT_EQ(theirs.failure, "");
  EXPECT_EQ(theirs.status, 403);
  EXPECT_EQ(theirs.body["detail"], "this token belongs to 'Testregio', the client certificate to 'Anderegio'");
  TlsAnswer nameless = tls_get(server->port(), as("nameless"), "/api/v1/whoami", token);
  EXPECT_EQ(nameless.status, 403);
  EXPECT_NE(nameless.body["detail"].get<std::string>().find("names no organisation"), std::string::npos);
  // Two organisations in one subject name none: neither the first nor the last wins.
  TlsAnswer twice = tls_get(server->port(), as("twice"), "/api/v1/whoami", token);
  EXPECT_EQ(twice.status, 403);
  EXPECT_EQ(tls_get(server->port(), as("twice"), "/api/v1/whoami", server->token("hovj", "Anderegio")).status, 403);
  auto refusals = server->on_engine([this] {
    int n = 0;
    for (const auto& e : server->engine().store().audit_log(std::nullopt)) n += e.at("kind") == "refused";
    return n;
  });
  EXPECT_EQ(refusals, 4);

  // No certificate, or one from a CA the server does not trust: no answer at all.
  EXPECT_NE(tls_get(server->port(), as(""), "/api/v1/whoami", token).failure, "");
  EXPECT_NE(tls_get(server->port(), as("rogue"), "/api/v1/whoami", token).failure, "");
  // The API's public parts also need a certificate then: it is the connection that is refused.
  EXPECT_NE(tls_get(server->port(), as(""), "/healthz", "").failure, "");
}

// Clients that cache sessions (curl, Java, nginx) resume them on their next connection; under
// mutual TLS the resumed session still carries the certificate it was verified with.
TEST_F(Tls, ASessionIsResumedWithItsVerifiedCertificate) {
  start(pki->cert("ca"));
  std::string token = server->token("hovj", "Testregio");
  Session session;
  TlsAnswer first = tls_get(server->port(), as("testregio"), "/api/v1/whoami", token, &session);
  ASSERT_EQ(first.status, 200) << first.failure;
  ASSERT_TRUE(session);
  TlsAnswer again = tls_get(server->port(), as("testregio"), "/api/v1/whoami", token, &session);
  ASSERT_EQ(again.failure, "");
  EXPECT_TRUE(again.resumed);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body["client_certificate"]["organisation"], "Testregio");
}

TEST_F(Tls, OptionalClientCertificatesLetATokenAloneThroughButStillBindOneThatComesWithACertificate) {
  start(pki->cert("ca"), http::ClientAuth::kOptional);
  std::string token = server->token("hovj", "Testregio");
  EXPECT_EQ(tls_get(server->port(), as(""), "/api/v1/whoami", token).status, 200);
  EXPECT_EQ(tls_get(server->port(), as("anderegio"), "/api/v1/whoami", token).status, 403);
  EXPECT_NE(tls_get(server->port(), as("rogue"), "/api/v1/whoami", token).failure, "")
      << "a certificate that is shown must verify";
}

TEST(TlsSetup, ABadCertificateOrKeyStopsTheServerWithTheFileAndTheReason) {
  TestPki pki;
  auto mismatched = http::make_server_context({pki.cert("server"), pki.key("elsewhere"), "", http::ClientAuth::kNone});
  ASSERT_FALSE(mismatched.is_ok());
  EXPECT_NE(mismatched.status().message().find("does not belong to the certificate"), std::string::npos)
      << mismatched.status().message();
  auto missing = http::make_server_context({pki.cert("server") + ".missing", pki.key("server"), "", http::ClientAuth::kNone});
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find(".missing"), std::string::npos);
  auto served = http::make_server_context({pki.cert("server"), pki.key("server"), "", http::ClientAuth::kNone});
  ASSERT_TRUE(served.is_ok()) << served.status().message();
  auto expiry = http::certificate_expiry(**served);
  ASSERT_TRUE(expiry.is_ok());
  auto days = std::chrono::duration_cast<std::chrono::hours>(*expiry - std::chrono::system_clock::now()).count() / 24;
  EXPECT_TRUE(days == 29 || days == 30) << days;
  std::filesystem::permissions(pki.key("server"), std::filesystem::perms::group_read, std::filesystem::perm_options::add);
  auto exposed = http::make_server_context({pki.cert("server"), pki.key("server"), "", http::ClientAuth::kNone});
  ASSERT_FALSE(exposed.is_ok()) << "a private key others may read is refused";
}

}  // namespace
}  // namespace termijn::testing
