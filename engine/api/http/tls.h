// TLS for both directions of the HTTP API: the server's context (its certificate, and optionally
// the clients' certificates, mutual TLS), the client context webhooks are delivered with, and who
// a verified client certificate says its holder is. OpenSSL 3 through Boost.Asio's ssl layer.
//
// The settings follow the NCSC's "ICT-beveiligingsrichtlijnen voor Transport Layer Security"
// (2021): TLS 1.3 and 1.2 only, forward secrecy (ECDHE) with AEAD ciphers, no compression, no
// renegotiation. Certificates and keys are read when serve starts; a bad file stops it with its
// name and OpenSSL's reason, never with a half-configured listener.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "engine/api/http/client_certificate.h"
#include "engine/base/status.h"

typedef struct ssl_st SSL;

namespace termijn::http {

enum class ClientAuth {
  kNone,      // no client certificate is asked for
  kOptional,  // asked for; a client without one uses its token alone
  kRequired,  // a connection without a certificate the CA signed ends in the handshake
};

struct TlsServerOptions {
  std::string certificate;  // PEM: the server's certificate, then its chain
  std::string private_key;  // PEM, readable by its owner only (as every secret file)
  std::string client_ca;    // PEM: the CA(s) client certificates must chain to; empty: kNone
  ClientAuth client_auth = ClientAuth::kRequired;  // with a client_ca
};

// A context for serving, checked whole: the key matches the certificate, the CA file reads.
Result<std::shared_ptr<boost::asio::ssl::context>> make_server_context(const TlsServerOptions& options);

// A context for connecting to receivers: their certificate must chain to `ca_file` (PEM) or, when
// it is empty, to the system's store (/etc/ssl/certs, Debian's ca-certificates).
Result<std::shared_ptr<boost::asio::ssl::context>> make_client_context(const std::string& ca_file);

// Prepares a client connection to `host`: sends it as SNI and checks the receiver's certificate
// is for that name (or IP address), as RFC 6125 says. False if OpenSSL refuses the name.
bool expect_peer_name(SSL* ssl, const std::string& host);

// The verified peer certificate of a finished handshake, or nullopt when there is none.
std::optional<ClientCertificate> verified_client_certificate(SSL* ssl);

// When the certificate a server context serves (make_server_context) stops being valid, for the
// start log.
Result<std::chrono::system_clock::time_point> certificate_expiry(boost::asio::ssl::context& context);

}  // namespace termijn::http
