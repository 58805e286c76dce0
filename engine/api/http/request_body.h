// What the HTTP API accepts from a caller before anything reaches the engine: JSON bodies checked
// against engine/base/limits.h before a DOM is built (so no body can make the server recurse or
// allocate without bound), their top-level fields against what the route takes (so a typo is
// refused, not silently dropped), and numbers in paths and queries with checked conversions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/limits.h"
#include "engine/runtime/instance.h"

namespace termijn::http {

using runtime::Json;

// A top-level field of a route's body.
struct BodyField {
  const char* name;
  Json::value_t type;  // object, string or boolean
  bool required = false;
};

// What one route takes in its body.
struct BodySpec {
  std::vector<BodyField> fields;
  // The longest string value: a deploy carries whole source files, everything else case data.
  std::size_t string_bytes = limits::kStringBytes;
};

// Why a body was refused: the status (400 malformed or unknown, 413 over a size limit) and the reason.
struct BodyProblem {
  int status;
  std::string reason;
};

// Parses `text` (empty is `{}`) as a JSON object that fits `spec`; on success `out` holds it.
std::optional<BodyProblem> parse_body(std::string_view text, const BodySpec& spec, Json& out);

// A non-negative decimal id that fits 63 bits, or nothing.
std::optional<std::int64_t> parse_id(std::string_view text);

}  // namespace termijn::http
