// Base64 (RFC 4648 §4, with padding): signed webhooks carry their signature and read their secret
// in it, as the Standard Webhooks convention writes them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace termijn {

std::string base64_encode(std::string_view bytes);
// nullopt for anything but canonical padded base64 (untrusted: a secret file, a header).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace termijn
