#include "engine/lsp/server.h"

#include <fmt/format.h>

#include "engine/base/language.h"
#include "engine/base/limits.h"
#include "engine/base/utf8.h"
#include "engine/lsp/internal/features.h"
#include "engine/lsp/internal/positions.h"
#include "engine/lsp/internal/workspace.h"
#include "engine/tooling/uri.h"

namespace termijn::lsp {

using internal::BadParams;
using internal::member;
using internal::text_member;

struct Server::State {
  explicit State(std::vector<std::filesystem::path> stdlib_dirs) : workspace(std::move(stdlib_dirs)) {}
  internal::Workspace workspace;
  ColumnUnit unit = ColumnUnit::kUtf16;
};

namespace {

Json response(const Json& id, Json result) { return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}; }

// A notification the editor shows in its output pane: a notification has no answer to carry an error.
Json log(const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"method", "window/logMessage"}, {"params", {{"type", 1}, {"message", "termijn: " + message}}}};
}

Json error_response(const Json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

// The path of a params' textDocument.uri; BadParams for anything but an absolute file: URI.
std::string document_path(const Json& params) {
  const Json& document = member(params, "textDocument", Json::value_t::object);
  std::string uri = text_member(document, "uri");
  auto path = tooling::path_from_uri(uri);
  if (!path) throw BadParams{fmt::format("'{}' is not a file: URI of an absolute path", uri.substr(0, 200))};
  return path->string();
}

// The server asks for whole texts (textDocument/didChange full sync); a client that sends ranges
// anyway sends a few per keystroke.
constexpr std::size_t kMostChangesPerMessage = 1000;

// A text from the editor passes the same gate as a file from disk: size and UTF-8.
void admit_text(const std::string& text) {
  if (text.size() > limits::kSourceBytes) {
    throw BadParams{fmt::format("the document is larger than {} bytes (limit: source bytes)", limits::kSourceBytes)};
  }
}

// Applies one entry of didChange's contentChanges: the whole text, or a range replaced.
void apply_change(std::string& text, const Json& change, ColumnUnit unit) {
  std::string replacement = text_member(change, "text");
  auto range = change.find("range");
  if (range == change.end()) {
    text = std::move(replacement);
    return;
  }
  SourceFile file("", text);
  auto offset = [&](const Json& position) {
    SourcePos pos = internal::from_lsp(file, position, unit);
    std::size_t at = 0;
    for (int line = 1; line < pos.line; ++line) {
      auto newline = text.find('\n', at);
      if (newline == std::string::npos) return text.size();
      at = newline + 1;
    }
    return std::min(at + static_cast<std::size_t>(pos.column - 1), text.size());
  };
  std::size_t from = offset(member(*range, "start", Json::value_t::object));
  std::size_t to = offset(member(*range, "end", Json::value_t::object));
  if (from > to || to > text.size()) throw BadParams{"a change's range is not inside the document"};
  text.replace(from, to - from, replacement);
}

}  // namespace

Server::Server(std::vector<std::filesystem::path> stdlib_dirs) : state_(std::make_unique<State>(std::move(stdlib_dirs))) {}
Server::~Server() = default;

Json Server::unreadable(const std::string& why) { return error_response(nullptr, error_code::kParseError, why); }

std::vector<Json> Server::handle(const Json& message) {
  auto version = message.is_object() ? message.find("jsonrpc") : message.end();
  if (!message.is_object() || version == message.end() || *version != "2.0") {
    return {error_response(nullptr, error_code::kInvalidRequest, "not a JSON-RPC 2.0 message")};
  }
  auto method = message.find("method");
  auto id = message.find("id");
  bool has_id = id != message.end() && (id->is_string() || id->is_number_integer());
  if (id != message.end() && !has_id) {
    return {error_response(nullptr, error_code::kInvalidRequest, "an id is a number or a string")};
  }
  if (method != message.end() && !method->is_string()) {
    return {error_response(has_id ? *id : Json(nullptr), error_code::kInvalidRequest, "a method is a string")};
  }
  if (method == message.end()) {
    // A response to a request of ours: the server sends none that need an answer.
    if (has_id) return {};
    return {error_response(nullptr, error_code::kInvalidRequest, "a message without a method")};
  }
  Json params = message.value("params", Json::object());
  try {
    if (has_id) return request(method->get<std::string>(), params, *id);
    return notification(method->get<std::string>(), params);
  } catch (const BadParams& bad) {
    if (has_id) return {error_response(*id, error_code::kInvalidParams, bad.why)};
    return {log(fmt::format("{}: {}", method->get<std::string>().substr(0, 100), bad.why))};
  } catch (const std::exception& e) {
    // A fault of the server's own, never a reason to stop serving the editor.
    if (has_id) return {error_response(*id, error_code::kInternalError, e.what())};
    return {log(fmt::format("{}: {}", method->get<std::string>().substr(0, 100), e.what()))};
  }
}

std::vector<Json> Server::request(const std::string& method, const Json& params, const Json& id) {
  if (method == "initialize") {
    if (initialized_) return {error_response(id, error_code::kInvalidRequest, "initialize comes once")};
    // The editor's workspace folders, for references and rename across files.
    std::vector<std::filesystem::path> roots;
    if (auto folders = params.find("workspaceFolders"); folders != params.end() && folders->is_array()) {
      for (const auto& f : *folders) {
        if (auto path = f.is_object() && f.contains("uri") && f["uri"].is_string() ? tooling::path_from_uri(f["uri"].get<std::string>()) : std::nullopt) {
          roots.push_back(*path);
        }
      }
    } else if (auto root = params.find("rootUri"); root != params.end() && root->is_string()) {
      if (auto path = tooling::path_from_uri(root->get<std::string>())) roots.push_back(*path);
    }
    state_->workspace.set_roots(std::move(roots));
    // The editor's language (LSP 3.16 `locale`, "nl" or "nl-NL") over the environment's: a
    // coordinator whose VS Code speaks Dutch reads Dutch diagnostics and hovers.
    if (auto locale = params.find("locale"); locale != params.end() && locale->is_string()) {
      if (auto language = language_from_tag(locale->get<std::string>())) set_language(*language);
    }
    // UTF-8 columns when the editor offers them (LSP 3.17), saving a conversion; UTF-16 otherwise.
    std::string encoding = "utf-16";
    const Json* encodings = nullptr;
    if (auto general = params.find("capabilities"); general != params.end() && general->is_object()) {
      if (auto g = general->find("general"); g != general->end() && g->is_object()) {
        if (auto e = g->find("positionEncodings"); e != g->end() && e->is_array()) encodings = &*e;
      }
    }
    if (encodings != nullptr && std::find(encodings->begin(), encodings->end(), Json("utf-8")) != encodings->end()) {
      encoding = "utf-8";
      state_->unit = ColumnUnit::kBytes;
    }
    initialized_ = true;
    Json capabilities = {
        {"positionEncoding", encoding},
        {"textDocumentSync", {{"openClose", true}, {"change", 1}, {"save", {{"includeText", false}}}}},
        {"hoverProvider", true},
        {"definitionProvider", true},
        {"referencesProvider", true},
        {"documentSymbolProvider", true},
        {"documentFormattingProvider", true},
        {"completionProvider", {{"triggerCharacters", Json::array({"."})}}},
        {"renameProvider", {{"prepareProvider", true}}},
        {"codeActionProvider", {{"codeActionKinds", Json::array({"quickfix"})}}},
    };
    return {response(id, {{"capabilities", capabilities}, {"serverInfo", {{"name", "termijn"}, {"version", TERMIJN_VERSION}}}})};
  }
  if (!initialized_) return {error_response(id, error_code::kServerNotInitialized, "initialize first")};
  if (method == "shutdown") {
    shut_down_ = true;
    return {response(id, nullptr)};
  }
  if (shut_down_) return {error_response(id, error_code::kInvalidRequest, "the server is shutting down")};
  internal::Features features(state_->workspace, state_->unit);
  if (method == "textDocument/hover") return {response(id, features.hover(document_path(params), params))};
  if (method == "textDocument/definition") return {response(id, features.definition(document_path(params), params))};
  if (method == "textDocument/references") return {response(id, features.references(document_path(params), params))};
  if (method == "textDocument/completion") return {response(id, features.completion(document_path(params), params))};
  if (method == "textDocument/documentSymbol") return {response(id, features.symbols(document_path(params)))};
  if (method == "textDocument/codeAction") return {response(id, features.code_actions(document_path(params), params))};
  if (method == "textDocument/prepareRename") return {response(id, features.prepare_rename(document_path(params), params))};
  if (method == "textDocument/formatting") {
    std::string refusal;
    Json edits = features.formatting(document_path(params), refusal);
    if (!refusal.empty()) return {error_response(id, error_code::kRequestFailed, refusal)};
    return {response(id, edits)};
  }
  if (method == "textDocument/rename") {
    std::string refusal;
    Json edit = features.rename(document_path(params), params, refusal);
    if (!refusal.empty()) return {error_response(id, error_code::kRequestFailed, refusal)};
    return {response(id, edit)};
  }
  return {error_response(id, error_code::kMethodNotFound, fmt::format("termijn lsp does not answer '{}'", method.substr(0, 100)))};
}

std::vector<Json> Server::notification(const std::string& method, const Json& params) {
  if (method == "exit") {
    exited_ = true;
    return {};
  }
  if (!initialized_ || shut_down_) return {};  // the protocol drops notifications before initialize
  internal::Workspace& workspace = state_->workspace;
  internal::Features features(workspace, state_->unit);
  if (method == "textDocument/didOpen") {
    const Json& document = member(params, "textDocument", Json::value_t::object);
    std::string path = document_path(params);
    std::string text = text_member(document, "text");
    admit_text(text);
    auto version = member(document, "version", Json::value_t::number_integer).get<std::int64_t>();
    auto readers = workspace.open(path, {text_member(document, "uri"), std::move(text), version});
    if (!readers) {
      return {{{"jsonrpc", "2.0"}, {"method", "window/showMessage"},
               {"params", {{"type", 1}, {"message", fmt::format("termijn: more than {} documents open; close some to check this one",
                                                                 limits::kLspOpenDocuments)}}}}};
    }
    return features.publish_with_readers(path, *readers);
  }
  if (method == "textDocument/didChange") {
    std::string path = document_path(params);
    const internal::Document* open = workspace.document(path);
    if (open == nullptr) return {};
    std::string text = open->text;
    const Json& changes = member(params, "contentChanges", Json::value_t::array);
    // Each change is applied to the whole text: bounded, so one message cannot hold the server.
    if (changes.size() > kMostChangesPerMessage) {
      throw BadParams{fmt::format("more than {} changes in one message", kMostChangesPerMessage)};
    }
    for (const auto& change : changes) apply_change(text, change, state_->unit);
    admit_text(text);
    auto version = member(member(params, "textDocument", Json::value_t::object), "version", Json::value_t::number_integer);
    auto readers = workspace.change(path, std::move(text), version.get<std::int64_t>());
    return features.publish_with_readers(path, readers.value_or(std::vector<std::string>{}));
  }
  if (method == "textDocument/didSave") {
    std::string path = document_path(params);
    return features.publish_with_readers(path, workspace.invalidate(path));
  }
  if (method == "textDocument/didClose") {
    std::string path = document_path(params);
    std::vector<std::string> readers = workspace.close(path);
    std::vector<Json> out = {features.clear(path)};
    for (const auto& reader : readers) out.push_back(features.publish(reader));
    return out;
  }
  return {};  // $/cancelRequest, $/setTrace, configuration changes: nothing to do
}

int serve(std::istream& in, std::ostream& out, std::vector<std::filesystem::path> stdlib_dirs) {
  Server server(std::move(stdlib_dirs));
  for (;;) {
    Incoming incoming = read_message(in);
    if (incoming.kind == Incoming::Kind::kEnd) return 1;  // the editor went away without `exit`
    if (incoming.kind == Incoming::Kind::kBroken) {
      std::fprintf(stderr, "termijn lsp: %s\n", incoming.error.c_str());
      return 1;
    }
    if (incoming.kind == Incoming::Kind::kBadMessage) {
      write_message(out, Server::unreadable(incoming.error));
      continue;
    }
    for (const auto& answer : server.handle(incoming.json)) write_message(out, answer);
    if (server.exited()) return server.exit_code();
  }
}

}  // namespace termijn::lsp
