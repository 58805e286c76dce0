// JSON text for the store's rows, written faster than nlohmann::json::dump() and byte for byte
// the same: the engine writes a case's state, its tasks' outputs and its audit details at every
// step, and dump() decodes every byte of every string as UTF-8 on the way.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace termijn {

// Appends j.dump() to `out`: compact, keys in the object's order, control characters escaped,
// other text as is. Throws what dump() throws (nlohmann::json::type_error) for a string that is
// not valid UTF-8; `out` then holds part of the text.
void append_json(std::string& out, const nlohmann::json& j);
std::string json_text(const nlohmann::json& j);
// Whether every string and key in `j` is UTF-8 text: what dump() writes rather than refuses.
bool is_utf8_text(const nlohmann::json& j);
// Appends nlohmann::json(text).dump(): a string value, without making the value first.
// Appends `n` in decimal, as dump() writes an integer.
void append_decimal(std::string& out, std::int64_t n);
void append_json_string(std::string& out, const std::string& text);
// json_text(nlohmann::json(strings)), without making the array first: a deadline's explanation,
// a notification's roles.
std::string json_text(const std::vector<std::string>& strings);

}  // namespace termijn
