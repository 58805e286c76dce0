#include "engine/base/utf8.h"

#include <algorithm>

namespace termijn {

std::optional<std::size_t> find_invalid_utf8(std::string_view text) {
  // Table 3-7 of the Unicode Standard: the well-formed byte sequences.
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  auto in = [&](std::size_t at, unsigned char low, unsigned char high) {
    return at < n && byte(at) >= low && byte(at) <= high;
  };
  while (i < n) {
    unsigned char b = byte(i);
    std::size_t length = 0;
    if (b <= 0x7F) {
      length = 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
      length = in(i + 1, 0x80, 0xBF) ? 2 : 0;
    } else if (b == 0xE0) {
      length = in(i + 1, 0xA0, 0xBF) && in(i + 2, 0x80, 0xBF) ? 3 : 0;
    } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
      length = in(i + 1, 0x80, 0xBF) && in(i + 2, 0x80, 0xBF) ? 3 : 0;
    } else if (b == 0xED) {  // not the surrogates U+D800..U+DFFF
      length = in(i + 1, 0x80, 0x9F) && in(i + 2, 0x80, 0xBF) ? 3 : 0;
    } else if (b == 0xF0) {
      length = in(i + 1, 0x90, 0xBF) && in(i + 2, 0x80, 0xBF) && in(i + 3, 0x80, 0xBF) ? 4 : 0;
    } else if (b >= 0xF1 && b <= 0xF3) {
      length = in(i + 1, 0x80, 0xBF) && in(i + 2, 0x80, 0xBF) && in(i + 3, 0x80, 0xBF) ? 4 : 0;
    } else if (b == 0xF4) {  // not past U+10FFFF
      length = in(i + 1, 0x80, 0x8F) && in(i + 2, 0x80, 0xBF) && in(i + 3, 0x80, 0xBF) ? 4 : 0;
    }
    if (length == 0) return i;
    i += length;
  }
  return std::nullopt;
}

Utf8Character utf8_character(unsigned char lead, ColumnUnit unit) {
  std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  if (unit == ColumnUnit::kBytes) return {length, length};
  if (unit == ColumnUnit::kUtf16) return {length, length == 4 ? std::size_t{2} : std::size_t{1}};  // past U+FFFF: a surrogate pair
  return {length, 1};
}

std::size_t units_in(std::string_view line, std::size_t bytes, ColumnUnit unit) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < std::min(bytes, line.size());) {
    auto [length, width] = utf8_character(static_cast<unsigned char>(line[i]), unit);
    if (i + length > bytes) break;
    i += length;
    units += width;
  }
  return units;
}

std::size_t bytes_for(std::string_view line, std::size_t units, ColumnUnit unit) {
  std::size_t i = 0;
  for (std::size_t counted = 0; i < line.size() && counted < units;) {
    auto [length, width] = utf8_character(static_cast<unsigned char>(line[i]), unit);
    i = std::min(i + length, line.size());
    counted += width;
  }
  return i;
}

}  // namespace termijn
