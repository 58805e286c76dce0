// Checked conversions from text to numbers, for every number that comes from outside (a file, a
// request, a database row). Unlike std::stoi and friends they never throw and never wrap: text
// that is not wholly a number, or a number outside the type's range, gives nothing, and the
// caller answers with a located error.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace termijn {

// An optional '-' and decimal digits, nothing else, within the range of std::int64_t.
std::optional<std::int64_t> parse_int(std::string_view text);
// Decimal digits only, within the range of std::uint64_t.
std::optional<std::uint64_t> parse_uint(std::string_view text);
// An int within [low, high].
std::optional<int> parse_int_in(std::string_view text, int low, int high);
// A decimal number (12, -3, 0.25, 1e3), finite: "1e999", "nan" and "inf" give nothing.
std::optional<double> parse_number(std::string_view text);

}  // namespace termijn
