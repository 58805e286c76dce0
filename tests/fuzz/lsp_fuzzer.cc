// bytes -> the language server (lsp::Server), in process, after the fuzzer's own `initialize`
// (no workspace folder, so nothing is read but the open documents and the shipped files they
// import). The first byte chooses what the rest is:
//
//   even: the stream an editor sends, framed ("Content-Length: N\r\n\r\n{...}"), read with
//         read_message as `termijn lsp` reads standard input; tests/fuzz/seeds/lsp/ has sessions.
//   odd:  the text of a process file, opened as processes/fuzz.wth (so `import "landelijk.wth"`
//         finds the shipped one), then hover, definition, completion, references, symbols and
//         prepareRename at up to 48 places spread over it.
//
// Invariants, beyond not crashing: every request gets exactly one answer with its own id, a
// result or an error with a code the protocol defines, never an internal error (which would
// mean an exception escaped a feature); every answer serialises; every range the server sends
// about the open document lies inside it.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "engine/lsp/json_rpc.h"
#include "engine/lsp/server.h"
#include "fuzz_support.h"

namespace {

using termijn::lsp::Json;

const std::string& document_uri() {
  static const std::string uri = "file://" + (termijn::fuzz::source_dir() / "processes/fuzz.wth").lexically_normal().string();
  return uri;
}

// Every {"start", "end"} range in `value` lies within `lines` lines (a position may sit at the
// very end, one past the last line's start).
void check_ranges(const Json& value, std::size_t lines) {
  if (value.is_object()) {
    if (value.contains("range") && value.contains("uri") && value["uri"] == document_uri()) {
      for (const char* end : {"start", "end"}) {
        const Json& p = value["range"][end];
        bool inside = p["line"].is_number_integer() && p["line"].get<long long>() >= 0 &&
                      static_cast<std::size_t>(p["line"].get<long long>()) <= lines;
        if (!inside) termijn::fuzz::fail("a range outside the document: " + value.dump());
      }
    }
    for (const auto& [_, v] : value.items()) check_ranges(v, lines);
  } else if (value.is_array()) {
    for (const auto& v : value) check_ranges(v, lines);
  }
}

void check_answers(const std::vector<Json>& answers, const Json& message, std::size_t lines) {
  bool is_request = message.is_object() && message.contains("method") && message.contains("id") &&
                    (message["id"].is_string() || message["id"].is_number_integer()) && message.value("jsonrpc", "") == "2.0";
  int responses = 0;
  for (const auto& a : answers) {
    std::ostringstream out;
    termijn::lsp::write_message(out, a);  // must not throw
    if (a.contains("id")) {
      ++responses;
      if (is_request && a["id"] != message["id"]) termijn::fuzz::fail("an answer with another id: " + a.dump());
      if (a.contains("error")) {
        int code = a["error"]["code"].get<int>();
        if (code == termijn::lsp::error_code::kInternalError) termijn::fuzz::fail("an internal error: " + a.dump());
      } else if (!a.contains("result")) {
        termijn::fuzz::fail("a response without result or error: " + a.dump());
      }
    }
    check_ranges(a, lines);
  }
  if (is_request && message["method"] != "exit" && responses != 1) termijn::fuzz::fail("a request answered " + std::to_string(responses) + " times: " + message.dump());
}

Json request(int id, const std::string& method, Json params) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  termijn::lsp::Server server({termijn::fuzz::source_dir() / "stdlib"});
  server.handle(request(0, "initialize", {{"capabilities", Json::object()}}));
  if (data[0] % 2 == 0) {
    std::istringstream in(rest);
    for (int i = 0; i < 64; ++i) {
      termijn::lsp::Incoming incoming = termijn::lsp::read_message(in);
      if (incoming.kind == termijn::lsp::Incoming::Kind::kEnd || incoming.kind == termijn::lsp::Incoming::Kind::kBroken) break;
      if (incoming.kind == termijn::lsp::Incoming::Kind::kBadMessage) continue;
      check_answers(server.handle(incoming.json), incoming.json, 1u << 20);
      if (server.exited()) break;
    }
    return 0;
  }
  std::size_t lines = 1;
  for (char c : rest) lines += c == '\n';
  Json open = {{"jsonrpc", "2.0"}, {"method", "textDocument/didOpen"},
               {"params", {{"textDocument", {{"uri", document_uri()}, {"languageId", "termijn"}, {"version", 1}, {"text", rest}}}}}};
  check_answers(server.handle(open), open, lines);
  const char* methods[] = {"textDocument/hover", "textDocument/definition", "textDocument/completion",
                           "textDocument/references", "textDocument/prepareRename", "textDocument/documentSymbol"};
  std::size_t step = rest.size() / 48 + 1;
  int id = 1;
  for (std::size_t offset = 0, k = 0; offset < rest.size(); offset += step, ++k) {
    std::size_t line = 0, column = 0;
    for (std::size_t i = 0; i < offset; ++i) {
      if (rest[i] == '\n') {
        ++line;
        column = 0;
      } else {
        ++column;
      }
    }
    Json params = {{"textDocument", {{"uri", document_uri()}}}, {"position", {{"line", line}, {"character", column}}}};
    Json message = request(++id, methods[k % 6], params);
    check_answers(server.handle(message), message, lines);
  }
  return 0;
}
