#include "engine/base/json_text.h"

#include <charconv>
#include <iterator>

#include "engine/base/utf8.h"

namespace termijn {
namespace {

void append_string(std::string& out, const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // start of the run of bytes that need no escape
  bool ascii = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) ascii = false;
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s, plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out.append(s, plain, s.size() - plain);
  out += '"';
  // Text beyond ASCII is copied as is, as dump() does with valid UTF-8; what is not valid UTF-8
  // dump() refuses, and so it is left to dump() to throw.
  if (!ascii && find_invalid_utf8(s)) (void)nlohmann::json(s).dump();
}

template <typename Integer>
void append_number(std::string& out, Integer n) {
  char digits[24];
  auto end = std::to_chars(std::begin(digits), std::end(digits), n).ptr;
  out.append(digits, end);
}

}  // namespace

void append_json(std::string& out, const nlohmann::json& j) {
  using Type = nlohmann::json::value_t;
  switch (j.type()) {
    case Type::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : j.items()) {
        if (!first) out += ',';
        first = false;
        append_string(out, key);
        out += ':';
        append_json(out, value);
      }
      out += '}';
      return;
    }
    case Type::array: {
      out += '[';
      bool first = true;
      for (const auto& value : j) {
        if (!first) out += ',';
        first = false;
        append_json(out, value);
      }
      out += ']';
      return;
    }
    case Type::string:
      append_string(out, j.get_ref<const std::string&>());
      return;
    case Type::boolean:
      out += j.get<bool>() ? "true" : "false";
      return;
    case Type::null:
      out += "null";
      return;
    case Type::number_integer:
      append_number(out, j.get<std::int64_t>());
      return;
    case Type::number_unsigned:
      append_number(out, j.get<std::uint64_t>());
      return;
    default:
      // Floating point (dump()'s shortest round-trip form), binary and discarded: rare here.
      out += j.dump();
      return;
  }
}

std::string json_text(const nlohmann::json& j) {
  std::string out;
  append_json(out, j);
  return out;
}

}  // namespace termijn
