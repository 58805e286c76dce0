#include "engine/lsp/json_rpc.h"

#include <fmt/format.h>

#include <charconv>

#include "engine/base/limits.h"
#include "engine/base/utf8.h"

namespace termijn::lsp {

namespace {

// One header line without its CRLF; nothing when the stream ends first or the line is too long.
std::optional<std::string> read_header_line(std::istream& in, bool& too_long) {
  std::string line;
  char c = 0;
  while (in.get(c)) {
    if (c == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (line.size() >= limits::kLspHeaderBytes) {
      too_long = true;
      return std::nullopt;
    }
    line.push_back(c);
  }
  return std::nullopt;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

Incoming broken(std::string why) { return Incoming{Incoming::Kind::kBroken, {}, std::move(why)}; }

}  // namespace

Incoming read_message(std::istream& in) {
  std::optional<std::size_t> length;
  int headers = 0;
  bool first = true;
  for (;;) {
    bool too_long = false;
    std::optional<std::string> line = read_header_line(in, too_long);
    if (!line) {
      if (too_long) return broken(fmt::format("a header line is longer than {} bytes", limits::kLspHeaderBytes));
      return first ? Incoming{} : broken("the stream ended inside a message's headers");
    }
    first = false;
    if (line->empty()) break;
    if (++headers > limits::kLspHeaders) return broken(fmt::format("a message has more than {} headers", limits::kLspHeaders));
    auto colon = line->find(':');
    if (colon == std::string::npos) return broken(fmt::format("a header without ':': '{}'", line->substr(0, 80)));
    std::string_view name = std::string_view(*line).substr(0, colon);
    std::string_view value = std::string_view(*line).substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (!equals_ignoring_case(name, "Content-Length")) continue;  // Content-Type and others: the body is UTF-8 JSON
    std::size_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size()) {
      return broken(fmt::format("Content-Length is not a number: '{}'", value.substr(0, 40)));
    }
    length = n;
  }
  if (!length) return broken("a message without Content-Length");
  if (*length > limits::kLspMessageBytes) {
    // Skip the body in pieces, never holding it: the next message can still be read.
    std::size_t left = *length;
    char buffer[4096];
    while (left > 0) {
      std::size_t piece = std::min(left, sizeof buffer);
      if (!in.read(buffer, static_cast<std::streamsize>(piece))) break;
      left -= piece;
    }
    if (left > 0) return broken("the stream ended inside a message");
    return Incoming{Incoming::Kind::kBadMessage, {},
                    fmt::format("a message of {} bytes is larger than the limit of {} bytes", *length, limits::kLspMessageBytes)};
  }
  std::string body(*length, '\0');
  if (!in.read(body.data(), static_cast<std::streamsize>(body.size()))) return broken("the stream ended inside a message");
  if (auto bad = find_invalid_utf8(body)) {
    return Incoming{Incoming::Kind::kBadMessage, {}, fmt::format("the message is not UTF-8 (byte {})", *bad)};
  }
  // Depth-bounded: a hostile `[[[[...` must not recurse through the stack.
  bool too_deep = false;
  Json parsed = Json::parse(
      body,
      [&](int d, Json::parse_event_t event, Json&) {
        bool opens = event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start;
        if (opens && d >= limits::kJsonNesting) too_deep = true;
        return !too_deep;
      },
      /*allow_exceptions=*/false);
  if (too_deep) {
    return Incoming{Incoming::Kind::kBadMessage, {}, fmt::format("the message nests deeper than {} levels", limits::kJsonNesting)};
  }
  if (parsed.is_discarded()) return Incoming{Incoming::Kind::kBadMessage, {}, "the message is not JSON"};
  return Incoming{Incoming::Kind::kMessage, std::move(parsed), {}};
}

void write_message(std::ostream& out, const Json& message) {
  // Invalid UTF-8 in a file's text is refused before it reaches a message; replacing keeps a
  // stray byte (in a path, say) from throwing here.
  std::string body = message.dump(-1, ' ', false, Json::error_handler_t::replace);
  out << "Content-Length: " << body.size() << "\r\n\r\n" << body;
  out.flush();
}

}  // namespace termijn::lsp
