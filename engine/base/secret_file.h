// Secrets kept outside the database (the audit key, a webhook's signing secret) are read from a
// file only its owner may read: whoever else can read it could forge what it protects.
#pragma once

#include <cstddef>
#include <string>

#include "engine/base/status.h"

namespace termijn {

// The file's bytes; InvalidArgument naming the file and what is wrong: not a regular file, open
// to group or others, fewer than `min_bytes` or more than `max_bytes`. `what` names the secret in
// the message ("audit key", "webhook secret").
Result<std::string> read_secret_file(const std::string& path, const char* what, std::size_t min_bytes,
                                     std::size_t max_bytes);

}  // namespace termijn
