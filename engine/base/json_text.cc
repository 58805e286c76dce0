#include "engine/base/json_text.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <iterator>

#include "engine/base/utf8.h"

namespace termijn {
namespace {

// Whether any of the eight bytes of `w` needs a look: below 0x20, '"', '\\' or beyond ASCII. Exact
// for the word as a whole (a byte's own flag may be wrong, which is why it is only asked of words).
bool needs_look(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  const std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
  return (below_space | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\')) | (w & kHigh)) != 0;
}

void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  const std::size_t n = s.size();
  std::size_t plain = 0;  // start of the run of bytes that need no escape
  bool ascii = true;
  std::size_t i = 0;
  while (i < n) {
    // Most text has nothing to escape: eight bytes at a time until a word has something to look at.
    if (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, sizeof w);
      if (!needs_look(w)) {
        i += 8;
        continue;
      }
    }
    for (const std::size_t end = std::min(n, i + 8); i < end; ++i) {
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
  }
  out.append(s, plain, n - plain);
  out += '"';
  // Text beyond ASCII is copied as is, as dump() does with valid UTF-8; what is not valid UTF-8
  // dump() refuses, and so it is left to dump() to throw.
  if (!ascii && find_invalid_utf8(s)) (void)nlohmann::json(std::string(s)).dump();
}

void append_strings(std::string& out, const std::vector<std::string>& strings) {
  out += '[';
  for (std::size_t i = 0; i < strings.size(); ++i) {
    if (i > 0) out += ',';
    append_string(out, strings[i]);
  }
  out += ']';
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
      for (const auto& [key, value] : j.get_ref<const nlohmann::json::object_t&>()) {
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
      for (const auto& value : j.get_ref<const nlohmann::json::array_t&>()) {
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

bool is_utf8_text(const nlohmann::json& j) {
  using Type = nlohmann::json::value_t;
  switch (j.type()) {
    case Type::object:
      for (const auto& [key, value] : j.get_ref<const nlohmann::json::object_t&>()) {
        if (find_invalid_utf8(key) || !is_utf8_text(value)) return false;
      }
      return true;
    case Type::array:
      for (const auto& value : j.get_ref<const nlohmann::json::array_t&>()) {
        if (!is_utf8_text(value)) return false;
      }
      return true;
    case Type::string: return !find_invalid_utf8(j.get_ref<const std::string&>());
    default: return true;
  }
}

bool same_json(const nlohmann::json& a, const nlohmann::json& b) {
  using Type = nlohmann::json::value_t;
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Type::object: {
      const auto& x = *a.get_ptr<const nlohmann::json::object_t*>();
      const auto& y = *b.get_ptr<const nlohmann::json::object_t*>();
      return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(), [](const auto& p, const auto& q) {
               return p.first == q.first && same_json(p.second, q.second);
             });
    }
    case Type::array: {
      const auto& x = *a.get_ptr<const nlohmann::json::array_t*>();
      const auto& y = *b.get_ptr<const nlohmann::json::array_t*>();
      return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(), same_json);
    }
    case Type::number_float:
      return std::bit_cast<std::uint64_t>(*a.get_ptr<const nlohmann::json::number_float_t*>()) ==
             std::bit_cast<std::uint64_t>(*b.get_ptr<const nlohmann::json::number_float_t*>());
    case Type::string:
      return *a.get_ptr<const nlohmann::json::string_t*>() == *b.get_ptr<const nlohmann::json::string_t*>();
    case Type::boolean:
      return *a.get_ptr<const nlohmann::json::boolean_t*>() == *b.get_ptr<const nlohmann::json::boolean_t*>();
    case Type::number_integer:
      return *a.get_ptr<const nlohmann::json::number_integer_t*>() == *b.get_ptr<const nlohmann::json::number_integer_t*>();
    case Type::number_unsigned:
      return *a.get_ptr<const nlohmann::json::number_unsigned_t*>() ==
             *b.get_ptr<const nlohmann::json::number_unsigned_t*>();
    case Type::binary: return a.get_binary() == b.get_binary();
    case Type::null: return true;
    default: return false;  // discarded: never equal, as nlohmann's operator== has it
  }
}

void append_json_string(std::string& out, std::string_view text) { append_string(out, text); }

void append_decimal(std::string& out, std::int64_t n) { append_number(out, n); }

std::string json_text(const nlohmann::json& j) {
  std::string out;
  out.reserve(256);  // an audit entry's detail, most tasks' outputs: grown once, if at all
  append_json(out, j);
  return out;
}

std::string json_text(const std::vector<std::string>& strings) {
  std::string out;
  std::size_t size = 2;
  for (const auto& s : strings) size += s.size() + 3;
  out.reserve(size);  // enough unless something is escaped
  append_strings(out, strings);
  return out;
}

JsonObjectText::JsonObjectText() {
  text_.reserve(160);  // most details, with the actor the engine adds: grown once, if at all
  text_ += '{';
}

void JsonObjectText::key(std::string_view key) {
  if (text_.size() > 1) text_ += ',';
  append_string(text_, key);
  text_ += ':';
}

JsonObjectText& JsonObjectText::string(std::string_view key, std::string_view value) {
  this->key(key);
  append_string(text_, value);
  return *this;
}

JsonObjectText& JsonObjectText::number(std::string_view key, std::int64_t value) {
  this->key(key);
  append_number(text_, value);
  return *this;
}

std::size_t json_text_bound(const nlohmann::json& j) {
  using Value = nlohmann::json::value_t;
  auto text = [](const std::string& s) { return 2 + 6 * s.size(); };
  switch (j.type()) {
    case Value::null: return 4;
    case Value::boolean: return 5;
    case Value::number_integer:
    case Value::number_unsigned: return 20;  // "-9223372036854775808"
    case Value::number_float: return 32;     // "-1.2345678901234567e-308", "null" for NaN
    case Value::string: return text(j.get_ref<const std::string&>());
    case Value::array: {
      std::size_t n = 2 + j.size();
      for (const auto& element : j) n += json_text_bound(element);
      return n;
    }
    case Value::object: {
      std::size_t n = 2 + j.size();
      for (const auto& [key, value] : j.items()) n += text(key) + 1 + json_text_bound(value);
      return n;
    }
    case Value::binary:
    case Value::discarded: break;
  }
  return j.dump().size();  // not in the engine's values: counted the slow way
}

JsonObjectText& JsonObjectText::boolean(std::string_view key, bool value) {
  this->key(key);
  text_ += value ? "true" : "false";
  return *this;
}

JsonObjectText& JsonObjectText::strings(std::string_view key, const std::vector<std::string>& values) {
  this->key(key);
  append_strings(text_, values);
  return *this;
}

JsonObjectText& JsonObjectText::json(std::string_view key, const nlohmann::json& value) {
  this->key(key);
  append_json(text_, value);
  return *this;
}

JsonObjectText& JsonObjectText::raw(std::string_view key, std::string_view text) {
  this->key(key);
  text_ += text;
  return *this;
}

std::string JsonObjectText::take() {
  text_ += '}';
  return std::move(text_);
}

}  // namespace termijn
