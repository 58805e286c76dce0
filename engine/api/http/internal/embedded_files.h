// Files compiled into the server (the web page, the OpenAPI document): generated from web/ and
// docs/openapi.json by cmake/embed_files.cmake.
#pragma once

#include <string_view>

namespace termijn::http {

struct EmbeddedFile {
  std::string_view name;  // "web/index.html", "openapi.json"
  std::string_view content_type;
  std::string_view content;
};

const EmbeddedFile* find_embedded_file(std::string_view name);

}  // namespace termijn::http
