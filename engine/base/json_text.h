// JSON text for the store's rows, written faster than nlohmann::json::dump() and byte for byte
// the same: the engine writes a case's state, its tasks' outputs and its audit details at every
// step, and dump() decodes every byte of every string as UTF-8 on the way.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace termijn {

// Appends j.dump() to `out`: compact, keys in the object's order, control characters escaped,
// other text as is. Throws what dump() throws (nlohmann::json::type_error) for a string that is
// not valid UTF-8; `out` then holds part of the text.
void append_json(std::string& out, const nlohmann::json& j);
std::string json_text(const nlohmann::json& j);

}  // namespace termijn
