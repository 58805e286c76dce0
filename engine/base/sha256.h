#pragma once

#include <string>
#include <string_view>

namespace termijn {

// SHA-256 of `data` as 64 lowercase hex digits (FIPS 180-4). Used for definition versions and,
// later, the audit hash chain.
std::string sha256_hex(std::string_view data);

}  // namespace termijn
