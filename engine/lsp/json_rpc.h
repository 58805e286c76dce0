// JSON-RPC 2.0 messages framed as the Language Server Protocol sends them over stdio: a header
// block ("Content-Length: N", optionally "Content-Type: ...") and a blank line, then N bytes of
// JSON. Everything read is untrusted: header lines, header count and body size are bounded
// (limits::kLspHeaderBytes, limits::kLspMessageBytes), and a message that breaks a bound is
// skipped with a reason instead of being read whole.
#pragma once

#include <nlohmann/json.hpp>

#include <istream>
#include <optional>
#include <ostream>
#include <string>

namespace termijn::lsp {

using Json = nlohmann::json;

struct Incoming {
  enum class Kind {
    kMessage,     // `json` holds a parsed message
    kBadMessage,  // framed correctly but not JSON, or too large: `error` says why; the stream goes on
    kEnd,         // the stream ended between messages
    kBroken,      // the framing cannot be followed (no length, a header too long, the stream ended
                  // inside a message): `error` says why; nothing more can be read
  };
  Kind kind = Kind::kEnd;
  Json json;
  std::string error;
};

// Reads the next message from `in`.
Incoming read_message(std::istream& in);

// Writes `message` with its header and flushes.
void write_message(std::ostream& out, const Json& message);

// JSON-RPC's error codes (the LSP specification, "Response Message").
namespace error_code {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kServerNotInitialized = -32002;
inline constexpr int kRequestFailed = -32803;
}  // namespace error_code

}  // namespace termijn::lsp
