#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace termijn {

using Sha256Digest = std::array<unsigned char, 32>;

// SHA-256 of `data` (FIPS 180-4, computed by OpenSSL): definition versions, token hashes, the
// audit hash chain.
Sha256Digest sha256(std::string_view data);
std::string to_hex(const Sha256Digest& digest);
// Any bytes as lowercase hex digits, two a byte.
std::string to_hex(std::string_view bytes);
// The digest written as 64 lowercase hex digits; nothing for any other text.
std::optional<Sha256Digest> digest_from_hex(std::string_view hex);
// The digest's bytes, as SQLite stores a blob.
inline std::string_view bytes_of(const Sha256Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}
// The digest as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

// HMAC-SHA256 (RFC 2104) of `message` under `key`: the keyed audit chain, where only who holds
// the key can compute a link, and signed webhooks.
Sha256Digest hmac_sha256(std::string_view key, std::string_view message);
// The same as 64 lowercase hex digits.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

}  // namespace termijn
