// JSON text for the store's rows, written faster than nlohmann::json::dump() and byte for byte
// the same: the engine writes a case's state, its tasks' outputs and its audit details at every
// step, and dump() decodes every byte of every string as UTF-8 on the way.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace termijn {

// Appends j.dump() to `out`: compact, keys in the object's order, control characters escaped,
// other text as is. Throws what dump() throws (nlohmann::json::type_error) for a string that is
// not valid UTF-8; `out` then holds part of the text.
void append_json(std::string& out, const nlohmann::json& j);
std::string json_text(const nlohmann::json& j);
// Whether every string and key in `j` is UTF-8 text: what dump() writes rather than refuses.
bool is_utf8_text(const nlohmann::json& j);
// At least as many bytes as j.dump() writes (in either of its error modes), counted without
// writing them: every byte of a string as if escaped as \u00XX, every number at its longest. A
// size limit then needs the exact count only for a value that may pass it.
std::size_t json_text_bound(const nlohmann::json& j);
// Whether `a` and `b` are the same value to the last bit: of the same type at every level (1 and
// 1.0 differ, and so do 0.0 and -0.0, which operator== takes as equal), with the same keys,
// elements and values. What is converted or checked from one holds for the other.
bool same_json(const nlohmann::json& a, const nlohmann::json& b);
// Appends `n` in decimal, as dump() writes an integer.
void append_decimal(std::string& out, std::int64_t n);
// Appends nlohmann::json(text).dump(): a string value, without making the value first. Throws as
// dump() does for text that is not valid UTF-8.
void append_json_string(std::string& out, std::string_view text);
// json_text(nlohmann::json(strings)), without making the array first: a deadline's explanation,
// a notification's roles.
std::string json_text(const std::vector<std::string>& strings);

// A JSON object written as text field by field, without making the value first: an audit entry's
// detail, made at nearly every step. The fields come out in the order they are written. Written
// in the order nlohmann::json sorts keys (bytewise), the text is what dump() of the same object
// gives; the runtime does so, to keep the stored details as they have always been written,
// though a reader parses them and an object's order means nothing in JSON.
class JsonObjectText {
 public:
  JsonObjectText();
  JsonObjectText& string(std::string_view key, std::string_view value);
  JsonObjectText& number(std::string_view key, std::int64_t value);
  JsonObjectText& boolean(std::string_view key, bool value);
  JsonObjectText& strings(std::string_view key, const std::vector<std::string>& values);
  JsonObjectText& json(std::string_view key, const nlohmann::json& value);
  // `text` is JSON text already (a task's outputs as they were given).
  JsonObjectText& raw(std::string_view key, std::string_view text);
  // The object's text, closed; the writer is left empty.
  std::string take();

 private:
  void key(std::string_view key);
  std::string text_;
};

}  // namespace termijn
