#include "engine/base/sha256.h"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

namespace termijn {

namespace {

// One digest context per thread, set up once: OpenSSL's one-shot SHA256() looks the algorithm up
// on every call, which costs more than hashing an audit entry.
struct DigestContext {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~DigestContext() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
};

}  // namespace

Sha256Digest sha256(std::string_view data) {
  thread_local DigestContext digest;
  Sha256Digest out{};
  unsigned int size = 0;
  if (digest.md == nullptr || digest.ctx == nullptr || EVP_DigestInit_ex(digest.ctx, digest.md, nullptr) != 1 ||
      EVP_DigestUpdate(digest.ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(digest.ctx, out.data(), &size) != 1 || size != out.size()) {
    throw std::runtime_error("OpenSSL could not compute a SHA-256 digest");
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out(2 * bytes.size(), '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kHex[byte >> 4];
    out[2 * i + 1] = kHex[byte & 0xf];
  }
  return out;
}

std::string to_hex(const Sha256Digest& digest) { return to_hex(bytes_of(digest)); }

std::optional<Sha256Digest> digest_from_hex(std::string_view hex) {
  Sha256Digest out{};
  if (hex.size() != 2 * out.size()) return std::nullopt;
  auto digit = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int high = digit(hex[2 * i]), low = digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return out;
}

std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }

Sha256Digest hmac_sha256(std::string_view key, std::string_view message) {
  // RFC 2104 with B = 64: a key longer than a block is hashed first, then zero-padded to a block.
  constexpr std::size_t kBlock = 64;
  std::string block(kBlock, '\0');
  if (key.size() > kBlock) {
    Sha256Digest hashed = sha256(key);
    std::copy(hashed.begin(), hashed.end(), block.begin());
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  std::string inner(kBlock, '\0'), outer(kBlock, '\0');
  for (std::size_t i = 0; i < kBlock; ++i) {
    inner[i] = static_cast<char>(block[i] ^ 0x36);
    outer[i] = static_cast<char>(block[i] ^ 0x5c);
  }
  inner.append(message);
  Sha256Digest inner_digest = sha256(inner);
  outer.append(reinterpret_cast<const char*>(inner_digest.data()), inner_digest.size());
  return sha256(outer);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  return to_hex(hmac_sha256(key, message));
}

}  // namespace termijn
