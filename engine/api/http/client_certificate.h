// Who a client's TLS certificate says its holder is, once the handshake has verified it (tls.h).
// Kept apart from tls.h so the API sees the identity without OpenSSL's headers.
#pragma once

#include <string>

namespace termijn::http {

// The organisation is the subject's O attribute: in the Dutch government's PKI (PKIoverheid) an
// organisation certificate carries the organisation's name there. Attribute values come from the
// client, so each is bounded and valid UTF-8 (else empty).
struct ClientCertificate {
  std::string organisation;  // subject O; empty when the certificate names none, or several
  std::string common_name;   // subject CN
  std::string fingerprint;   // SHA-256 of the DER certificate, hex
};

}  // namespace termijn::http
