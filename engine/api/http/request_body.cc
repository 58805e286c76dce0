#include "engine/api/http/request_body.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/base/numbers.h"

namespace termijn::http {

namespace {

const char* describe(Json::value_t type) {
  switch (type) {
    case Json::value_t::object: return "an object";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "true or false";
    default: return "a JSON value";
  }
}

bool has_type(const Json& value, Json::value_t type) {
  return type == Json::value_t::boolean ? value.is_boolean() : value.type() == type;
}

// One pass over the bytes, before the parser builds anything: nesting depth, string length and
// elements per list or object. Counting brackets outside strings needs no recursion, so a body of
// a million '[' costs one loop and a refusal. Malformed text passes here and fails the parser.
std::optional<BodyProblem> check_shape(std::string_view text, std::size_t string_bytes) {
  std::vector<std::size_t> commas;  // per open list or object, bounded by kJsonNesting
  bool in_string = false;
  bool escaped = false;
  std::size_t string_length = 0;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
        continue;
      }
      if (++string_length > string_bytes) {
        return BodyProblem{413, fmt::format("a string in the body is longer than {} bytes", string_bytes)};
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        string_length = 0;
        break;
      case '[':
      case '{':
        if (commas.size() == static_cast<std::size_t>(limits::kJsonNesting)) {
          return BodyProblem{400, fmt::format("the body nests deeper than {} levels of lists and objects",
                                              limits::kJsonNesting)};
        }
        commas.push_back(0);
        break;
      case ']':
      case '}':
        if (!commas.empty()) commas.pop_back();
        break;
      case ',':
        if (!commas.empty() && ++commas.back() >= limits::kListElements) {
          return BodyProblem{413, fmt::format("a list or object in the body has more than {} elements",
                                              limits::kListElements)};
        }
        break;
      default: break;
    }
  }
  return std::nullopt;
}

std::string accepted_fields(const BodySpec& spec) {
  if (spec.fields.empty()) return "this call takes no fields";
  std::string names;
  for (const auto& field : spec.fields) names += (names.empty() ? "" : ", ") + std::string(field.name);
  return "this call takes: " + names;
}

std::optional<BodyProblem> check_fields(const Json& body, const BodySpec& spec) {
  for (const auto& [name, value] : body.items()) {
    auto field = std::find_if(spec.fields.begin(), spec.fields.end(), [&](const BodyField& f) { return name == f.name; });
    if (field == spec.fields.end()) {
      return BodyProblem{400, fmt::format("unknown field '{}'; {}", name, accepted_fields(spec))};
    }
    if (!has_type(value, field->type)) {
      return BodyProblem{400, fmt::format("'{}' must be {}", name, describe(field->type))};
    }
  }
  for (const auto& field : spec.fields) {
    if (field.required && !body.contains(field.name)) {
      return BodyProblem{400, fmt::format("'{}' ({}) is required", field.name, describe(field.type))};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<BodyProblem> parse_body(std::string_view text, const BodySpec& spec, Json& out) {
  if (auto problem = check_shape(text, spec.string_bytes)) return problem;
  try {
    // The parser itself refuses ill-formed UTF-8 and unpaired surrogates in strings.
    out = text.empty() ? Json::object() : Json::parse(text);
  } catch (const Json::parse_error& e) {
    return BodyProblem{400, fmt::format("the body is not valid JSON (at byte {})", e.byte)};
  } catch (const Json::out_of_range&) {
    return BodyProblem{400, "a number in the body is out of range"};
  }
  if (!out.is_object()) return BodyProblem{400, "the body must be a JSON object"};
  return check_fields(out, spec);
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  auto value = parse_int(text);
  if (!value || *value < 0 || text.front() == '-') return std::nullopt;
  return value;
}

}  // namespace termijn::http
