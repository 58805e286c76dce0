// UTF-8 validation for text from outside. Every later stage (ANTLR's input stream, JSON output)
// assumes valid UTF-8 and may throw or abort on anything else, so text is checked once where it
// enters and refused with the position of the first bad byte.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace termijn {

// The byte offset of the first byte that does not belong to a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points past U+10FFFF included); nothing if all is well.
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

}  // namespace termijn
