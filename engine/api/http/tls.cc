#include "engine/api/http/tls.h"

#include <fmt/format.h>
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>


#include "engine/base/secret_file.h"
#include "engine/base/sha256.h"
#include "engine/base/utf8.h"

namespace termijn::http {

namespace ssl = boost::asio::ssl;

namespace {

// Forward secrecy and AEAD only, for TLS 1.2 (the NCSC's "good" list); TLS 1.3's suites are all
// of that kind and keep OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";

// A value from a certificate is the peer's text: bounded, so a huge attribute cannot fill a log.
constexpr std::size_t kMaxAttribute = 256;

Status tls_error(const std::string& what, const boost::system::error_code& ec) {
  std::string reason = ec.message();
  if (unsigned long e = ERR_get_error(); e != 0) {
    char buffer[256];
    ERR_error_string_n(e, buffer, sizeof buffer);
    reason = buffer;
  }
  ERR_clear_error();
  return Status(StatusCode::kInvalidArgument, fmt::format("{}: {}", what, reason));
}

Status harden(SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    return tls_error("the TLS 1.2 cipher list", boost::system::error_code());
  }
  return Status::ok();
}

// The subject's one value of `nid`; "" when it has none, or several: a subject naming two
// organisations names none the server can bind a token to.
std::string attribute(X509_NAME* name, int nid) {
  int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0 || X509_NAME_get_index_by_NID(name, nid, index) >= 0) return "";
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return "";
  std::string value(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  if (value.size() > kMaxAttribute || find_invalid_utf8(value)) return "";
  return value;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_server_context(const TlsServerOptions& options) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  if (Status s = harden(ctx->native_handle()); !s.is_ok()) return s;
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(options.certificate, ec);
  if (ec) return tls_error(fmt::format("cannot use the TLS certificate '{}'", options.certificate), ec);
  // The key is a secret: owner-only, as the audit key and webhook secrets are.
  Result<std::string> key = read_secret_file(options.private_key, "TLS private key", 32, 64 * 1024);
  if (!key.is_ok()) return key.status();
  auto forget = [&key] { OPENSSL_cleanse(key.value().data(), key->size()); };
  if (key->find("ENCRYPTED") != std::string::npos) {
    forget();
    // OpenSSL would ask for the pass phrase on the terminal, which a service does not have.
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("the TLS private key '{}' is encrypted; give it unencrypted, readable only by termijn's "
                              "user (openssl pkey -in KEY -out PLAIN)", options.private_key));
  }
  ctx->use_private_key(boost::asio::buffer(*key), ssl::context::pem, ec);
  forget();
  // Asio hands OpenSSL's error over in `ec`.
  bool mismatch = ec && ec.category() == boost::asio::error::get_ssl_category() &&
                  ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH;
  if (mismatch ||
      (!ec && SSL_CTX_check_private_key(ctx->native_handle()) != 1)) {
    return tls_error(fmt::format("the TLS private key '{}' does not belong to the certificate '{}'",
                                 options.private_key, options.certificate), ec);
  }
  if (ec) return tls_error(fmt::format("cannot use the TLS private key '{}'", options.private_key), ec);
  if (!options.client_ca.empty() && options.client_auth != ClientAuth::kNone) {
    ctx->load_verify_file(options.client_ca, ec);
    if (ec) return tls_error(fmt::format("cannot read the client CA file '{}'", options.client_ca), ec);
    // Tells clients which CAs are accepted, so one holding several certificates picks the right one.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.client_ca.c_str());
    if (names == nullptr) return tls_error(fmt::format("no CA certificate in '{}'", options.client_ca), ec);
    SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
    ssl::verify_mode mode = ssl::verify_peer;
    if (options.client_auth == ClientAuth::kRequired) mode |= ssl::verify_fail_if_no_peer_cert;
    ctx->set_verify_mode(mode);
    ctx->set_verify_depth(4);
    // Without a session id context OpenSSL refuses to resume a session whose client was verified,
    // so every client that caches sessions (curl, Java, nginx) would fail its second connection.
    static constexpr unsigned char kSessionContext[] = "termijn";
    SSL_CTX_set_session_id_context(ctx->native_handle(), kSessionContext, sizeof kSessionContext - 1);
  }
  return ctx;
}

Result<std::shared_ptr<ssl::context>> make_client_context(const std::string& ca_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  if (Status s = harden(ctx->native_handle()); !s.is_ok()) return s;
  boost::system::error_code ec;
  if (ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
    if (ec) return tls_error("cannot read the system's CA certificates", ec);
  } else {
    ctx->load_verify_file(ca_file, ec);
    if (ec) return tls_error(fmt::format("cannot read the CA file '{}'", ca_file), ec);
  }
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

bool expect_peer_name(SSL* ssl, const std::string& host) {
  // SNI is for names only (RFC 6066 §3); an address is checked against the certificate's IP SANs.
  ASN1_OCTET_STRING* ip = a2i_IPADDRESS(host.c_str());
  if (ip != nullptr) {
    ASN1_OCTET_STRING_free(ip);
    return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  }
  if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) return false;
  // Names only from the subjectAltName (RFC 6125 §6.4.4; CAs have put them there since 2017).
  X509_VERIFY_PARAM_set_hostflags(SSL_get0_param(ssl),
                                  X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
  return SSL_set1_host(ssl, host.c_str()) == 1;
}

std::optional<ClientCertificate> verified_client_certificate(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return std::nullopt;
  ClientCertificate c;
  X509_NAME* subject = X509_get_subject_name(cert);
  c.organisation = attribute(subject, NID_organizationName);
  c.common_name = attribute(subject, NID_commonName);
  unsigned char* der = nullptr;
  int length = i2d_X509(cert, &der);
  if (length < 0) return std::nullopt;
  c.fingerprint = sha256_hex(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)));
  OPENSSL_free(der);
  return c;
}

Result<std::chrono::system_clock::time_point> certificate_expiry(ssl::context& context) {
  X509* cert = SSL_CTX_get0_certificate(context.native_handle());
  struct tm when {};
  if (cert == nullptr || ASN1_TIME_to_tm(X509_get0_notAfter(cert), &when) != 1) {
    return Status(StatusCode::kInvalidArgument, "the TLS certificate has no valid end");
  }
  return std::chrono::system_clock::from_time_t(timegm(&when));
}

}  // namespace termijn::http
