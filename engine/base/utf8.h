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

// A byte of the form 10xxxxxx, which continues a character rather than starting one.
inline bool is_utf8_continuation(char byte) { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; }

// Columns as other tools count them. Editors (the Language Server Protocol) count UTF-16 code
// units, SARIF and people count characters (code points); termijn's ranges count bytes. The text
// is taken as valid UTF-8 (it passed find_invalid_utf8); a byte count inside a character counts
// up to that character's start.
enum class ColumnUnit { kBytes, kUtf16, kCodePoints };
// The character that starts with `lead`, as units_in and bytes_for step: its length in bytes (a
// stray continuation byte counts as the start of a 2-byte character) and its width in `unit`s.
struct Utf8Character {
  std::size_t length;
  std::size_t width;
};
Utf8Character utf8_character(unsigned char lead, ColumnUnit unit);
// How many `unit`s the first `bytes` bytes of `line` are.
std::size_t units_in(std::string_view line, std::size_t bytes, ColumnUnit unit);
// The byte offset at which `units` `unit`s of `line` end (clamped to the line's end; a count that
// splits a character lands after it).
std::size_t bytes_for(std::string_view line, std::size_t units, ColumnUnit unit);

}  // namespace termijn
