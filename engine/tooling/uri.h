// file: URIs, as editors and SARIF name files (RFC 8089, percent-encoding from RFC 3986).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace termijn::tooling {

// "file:///home/x/regio%20noord.wth" for an absolute path.
std::string file_uri(const std::filesystem::path& absolute);

// A path for a URI with an absolute file: path (its authority empty or "localhost"); nothing for
// another scheme, a remote host, a relative path, a bad %-escape, or an escape of NUL (which would
// cut the name short at the system call and name another file).
std::optional<std::filesystem::path> path_from_uri(std::string_view uri);

// Percent-encodes every byte outside RFC 3986's unreserved characters, except those in `keep`.
std::string percent_encode(std::string_view text, std::string_view keep = "");

}  // namespace termijn::tooling
