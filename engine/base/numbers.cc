#include "engine/base/numbers.h"

#include <charconv>
#include <cmath>

namespace termijn {

namespace {

template <typename T>
std::optional<T> whole(std::string_view text) {
  T value{};
  // from_chars takes no '+' and no spaces, and reports overflow instead of wrapping.
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::int64_t> parse_int(std::string_view text) { return whole<std::int64_t>(text); }

std::optional<std::uint64_t> parse_uint(std::string_view text) {
  if (!text.empty() && text[0] == '-') return std::nullopt;
  return whole<std::uint64_t>(text);
}

std::optional<int> parse_int_in(std::string_view text, int low, int high) {
  auto value = parse_int(text);
  if (!value || *value < low || *value > high) return std::nullopt;
  return static_cast<int>(*value);
}

std::optional<double> parse_number(std::string_view text) {
  auto value = whole<double>(text);
  if (!value || !std::isfinite(*value)) return std::nullopt;
  return value;
}

}  // namespace termijn
