// The web page, its OpenAPI document and the translations it speaks in: compiled into the server
// (cmake/embed_files.cmake, cmake/embed_catalog.cmake), served without a token.
#include <fmt/format.h>

#include "engine/api/http/api.h"
#include "engine/api/http/internal/call.h"
#include "engine/api/http/internal/embedded_files.h"
#include "engine/base/language.h"
#include "engine/base/message_catalog.h"

namespace termijn::http {

namespace {

// The words of `language` as the page reads them: each English message with its translation.
std::string messages_json(Language language) {
  Json messages = Json::object();
  if (const MessageCatalog* catalog = catalog_of(language)) {
    for (const auto& entry : catalog->entries()) {
      if (entry.english_plural.empty()) messages[entry.english] = entry.forms.front();
    }
  }
  return Json{{"language", to_string(language)}, {"messages", std::move(messages)}}.dump();
}

}  // namespace

HttpResponse HttpApi::openapi(Call&) {
  const EmbeddedFile* file = find_embedded_file("openapi.json");
  return HttpResponse{200, "application/json", std::string(file->content), {}};
}

HttpResponse HttpApi::web_asset(Call& call) {
  std::string name = call.params.count("name") != 0 ? call.params["name"] : "index.html";
  const EmbeddedFile* file = find_embedded_file("web/" + name);
  if (file == nullptr) return error_response(404, fmt::format("no such resource: {}", call.path));
  return HttpResponse{200, std::string(file->content_type), std::string(file->content), {{"Cache-Control", "no-store"}}};
}

// The page chooses the browser's language and asks for its words here; English needs none.
HttpResponse HttpApi::messages(Call& call) {
  // The catalog is the binary's: it changes only with the server, so each answer is built once and
  // a browser may keep it an hour.
  static const std::string dutch = messages_json(Language::kDutch), english = messages_json(Language::kEnglish);
  const std::string& tag = call.params["language"];
  if (tag != "nl" && tag != "en") return error_response(404, "termijn speaks 'en' and 'nl'");
  return HttpResponse{200, "application/json", tag == "nl" ? dutch : english, {{"Cache-Control", "max-age=3600"}}};
}

}  // namespace termijn::http
