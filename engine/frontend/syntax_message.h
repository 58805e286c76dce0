// What the parser says about a mistake, in the words of the language rather than ANTLR's.
#pragma once

#include <cstdint>
#include <string>

namespace termijn {

// ANTLR's syntax error message with a name, a number, end of file instead of its token names.
std::string tidy_syntax_message(std::string message);

// Why `amount unit` is no duration: a Dutch unit (with the English one), or an unknown one.
std::string unknown_unit_message(std::int64_t amount, const std::string& unit, bool working);

}  // namespace termijn
