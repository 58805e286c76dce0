// The language server's answers message by message: its life cycle, and that nothing an editor
// sends can make it fail or stop (a located error answer, the server goes on).
#include <gtest/gtest.h>

#include <sstream>

#include "engine/base/language.h"
#include "engine/base/limits.h"
#include "engine/lsp/server.h"
#include "tests/support/in_language.h"

namespace termijn::lsp {
namespace {

const std::vector<std::filesystem::path> kStdlib = {TERMIJN_SOURCE_DIR "/stdlib"};

Json request(int id, const std::string& method, Json params = Json::object()) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}
Json notification(const std::string& method, Json params) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}
Json open(const std::string& path, const std::string& text) {
  return notification("textDocument/didOpen",
                      {{"textDocument", {{"uri", "file://" + path}, {"languageId", "termijn"}, {"version", 1}, {"text", text}}}});
}
Json at(const std::string& path, long long line, long long character) {
  return {{"textDocument", {{"uri", "file://" + path}}}, {"position", {{"line", line}, {"character", character}}}};
}

class LspServer : public ::testing::Test {
 protected:
  void initialize(Json capabilities = Json::object()) {
    auto out = server_.handle(request(1, "initialize", {{"capabilities", capabilities}}));
    ASSERT_EQ(out.size(), 1u);
    result_ = out[0]["result"];
  }
  Json answer(const Json& message) {
    auto out = server_.handle(message);
    EXPECT_EQ(out.size(), 1u) << Json(out).dump();
    return out.empty() ? Json() : out[0];
  }
  Server server_{kStdlib};
  Json result_;
};

const char* kProcess = "process x {\n  roles a\n  events begin\n  start on begin\n  task t \"één\" by a within 2 days\n}\n";

TEST_F(LspServer, RequestsBeforeInitializeAreRefusedAndInitializeComesOnce) {
  EXPECT_EQ(answer(request(1, "textDocument/hover", at("/x.wth", 0, 0)))["error"]["code"], error_code::kServerNotInitialized);
  initialize();
  EXPECT_EQ(result_["capabilities"]["positionEncoding"], "utf-16");
  EXPECT_EQ(answer(request(2, "initialize"))["error"]["code"], error_code::kInvalidRequest);
}

TEST_F(LspServer, UsesUtf8ColumnsWhenTheEditorOffersThem) {
  initialize({{"general", {{"positionEncodings", {"utf-16", "utf-8"}}}}});
  EXPECT_EQ(result_["capabilities"]["positionEncoding"], "utf-8");
  server_.handle(open("/tmp/x.wth", kProcess));
  // The role `a` after "één" (3 characters, 5 bytes): byte 20 of line 4, UTF-16 unit 18.
  Json hover = answer(request(2, "textDocument/hover", at("/tmp/x.wth", 4, 20)))["result"];
  ASSERT_TRUE(hover.is_object()) << hover.dump();
  EXPECT_EQ(hover["range"]["start"]["character"], 20) << hover.dump();
}

TEST_F(LspServer, ColumnsAreUtf16UnitsOtherwise) {
  initialize();
  server_.handle(open("/tmp/x.wth", kProcess));
  Json hover = answer(request(2, "textDocument/hover", at("/tmp/x.wth", 4, 18)))["result"];
  ASSERT_TRUE(hover.is_object()) << hover.dump();
  EXPECT_NE(hover["contents"]["value"].get<std::string>().find("role"), std::string::npos);
  EXPECT_EQ(hover["range"]["start"]["character"], 18);
}

TEST_F(LspServer, ARangeChangeIsAppliedToTheOpenText) {
  initialize();
  server_.handle(open("/tmp/x.wth", kProcess));
  // Replace the role `a` after `by` with `b`: unknown, with a did-you-mean.
  auto out = server_.handle(notification("textDocument/didChange",
      {{"textDocument", {{"uri", "file:///tmp/x.wth"}, {"version", 2}}},
       {"contentChanges", {{{"range", {{"start", {{"line", 4}, {"character", 18}}}, {"end", {{"line", 4}, {"character", 19}}}}},
                            {"text", "b"}}}}}));
  ASSERT_EQ(out.size(), 1u);
  const Json& diagnostics = out[0]["params"]["diagnostics"];
  ASSERT_EQ(diagnostics.size(), 1u) << out[0].dump();
  EXPECT_EQ(diagnostics[0]["message"], "unknown role 'b' (did you mean 'a'?)");
  EXPECT_EQ(out[0]["params"]["version"], 2);
}

TEST_F(LspServer, AnEditorThatSpeaksDutchGetsDutchDiagnosticsAndQuickFixes) {
  // The server makes the process speak Dutch; English comes back when the test ends.
  termijn::testing::InLanguage english_afterwards(Language::kEnglish);
  auto out = server_.handle(request(1, "initialize", {{"capabilities", Json::object()}, {"locale", "nl-NL"}}));
  ASSERT_EQ(out.size(), 1u);
  server_.handle(open("/tmp/x.wth", kProcess));
  std::string hover = answer(request(3, "textDocument/hover", at("/tmp/x.wth", 4, 7)))["result"]["contents"]["value"];
  EXPECT_NE(hover.find("- door **a**"), std::string::npos) << hover;
  EXPECT_NE(hover.find("uiterlijk `2 days` nadat ze opent"), std::string::npos) << hover;
  out = server_.handle(notification("textDocument/didChange",
      {{"textDocument", {{"uri", "file:///tmp/x.wth"}, {"version", 2}}},
       {"contentChanges", {{{"range", {{"start", {{"line", 4}, {"character", 18}}}, {"end", {{"line", 4}, {"character", 19}}}}},
                            {"text", "b"}}}}}));
  ASSERT_EQ(out.size(), 1u);
  Json diagnostics = out[0]["params"]["diagnostics"];
  ASSERT_EQ(diagnostics.size(), 1u) << out[0].dump();
  std::string message = diagnostics[0]["message"];
  Json actions = answer(request(2, "textDocument/codeAction",
                                {{"textDocument", {{"uri", "file:///tmp/x.wth"}}},
                                 {"range", diagnostics[0]["range"]},
                                 {"context", {{"diagnostics", diagnostics}}}}))["result"];
  EXPECT_EQ(message, "onbekende rol 'b' (bedoelt u 'a'?)");
  ASSERT_EQ(actions.size(), 1u) << actions.dump();
  EXPECT_EQ(actions[0]["title"], "Wijzig 'b' in 'a'");
  EXPECT_EQ(actions[0]["edit"]["changes"]["file:///tmp/x.wth"][0]["newText"], "a");
}

TEST_F(LspServer, MalformedParamsAreAnsweredWithTheReason) {
  initialize();
  server_.handle(open("/tmp/x.wth", kProcess));
  for (const Json& params : {Json::object(), Json{{"textDocument", 1}}, Json{{"textDocument", {{"uri", "http://x/y.wth"}}}},
                             at("/tmp/x.wth", -1, 0), at("/tmp/x.wth", 0, 3000000000LL), Json{{"textDocument", {{"uri", "file:///tmp/x.wth"}}}},
                             at("/tmp/not-open.wth", 0, 0)}) {
    Json a = answer(request(3, "textDocument/hover", params));
    EXPECT_EQ(a["error"]["code"], error_code::kInvalidParams) << params.dump() << " " << a.dump();
    EXPECT_FALSE(a["error"]["message"].get<std::string>().empty());
  }
  // Beyond the end of the text: clamped, not refused.
  EXPECT_FALSE(answer(request(4, "textDocument/hover", at("/tmp/x.wth", 900, 900))).contains("error"));
  EXPECT_EQ(answer(request(5, "no/such"))["error"]["code"], error_code::kMethodNotFound);
  EXPECT_EQ(answer(Json{{"jsonrpc", "1.0"}, {"id", 6}, {"method", "shutdown"}})["error"]["code"], error_code::kInvalidRequest);
  // A notification has no answer: its trouble goes to the editor's log.
  Json logged = answer(notification("textDocument/didOpen", {{"textDocument", {{"uri", "file:///tmp/y.wth"}}}}));
  EXPECT_EQ(logged["method"], "window/logMessage");
  EXPECT_TRUE(answer(request(7, "textDocument/documentSymbol", {{"textDocument", {{"uri", "file:///tmp/x.wth"}}}}))["result"].is_array());
}

TEST_F(LspServer, AMessageOfTheWrongShapeIsRefusedNotThrown) {
  initialize();
  for (const Json& message : {Json{{"jsonrpc", 2}, {"id", 1}, {"method", "x"}}, Json{{"jsonrpc", nullptr}, {"method", "x"}},
                              Json::array({1, 2}), Json{{"jsonrpc", "2.0"}, {"id", nullptr}, {"method", "shutdown"}},
                              Json{{"jsonrpc", "2.0"}, {"id", 1.5}, {"method", "shutdown"}}}) {
    Json a = answer(message);
    EXPECT_EQ(a["error"]["code"], error_code::kInvalidRequest) << message.dump();
    EXPECT_TRUE(a["id"].is_null());
  }
  // Found by the fuzzer: a method that is not a string, with an id, went unanswered.
  Json a = answer(Json{{"jsonrpc", "2.0"}, {"id", 7}, {"method", {{"position", 1}}}});
  EXPECT_EQ(a["error"]["code"], error_code::kInvalidRequest);
  EXPECT_EQ(a["id"], 7);
  server_.handle(open("/tmp/x.wth", kProcess));
  Json params = at("/tmp/x.wth", 4, 18);
  params["context"] = {{"includeDeclaration", "no"}};
  EXPECT_EQ(answer(request(2, "textDocument/references", params))["error"]["code"], error_code::kInvalidParams);
  Json changes = Json::array();
  for (int i = 0; i < 1001; ++i) changes.push_back({{"text", kProcess}});
  Json logged = answer(notification("textDocument/didChange",
                                    {{"textDocument", {{"uri", "file:///tmp/x.wth"}, {"version", 2}}}, {"contentChanges", changes}}));
  EXPECT_NE(logged["params"]["message"].get<std::string>().find("more than 1000 changes"), std::string::npos) << logged.dump();
}

TEST_F(LspServer, ARenameIsRefusedWhenTheNewNameIsTakenInAVariantOrByAField) {
  initialize();
  const char* parent = "process p {\n  roles a\n  events begin\n  case { veld: text }\n  start on begin\n  task t by a within 2 days\n}\n";
  const char* variant = "import \"p.wth\"\n\nprocess v extends p {\n  add after t { task u by a within 1 day }\n}\n";
  server_.handle(open("/tmp/lsp-rename/p.wth", parent));
  server_.handle(open("/tmp/lsp-rename/v.wth", variant));
  auto rename = [&](const std::string& name) {
    Json params = at("/tmp/lsp-rename/p.wth", 5, 8);
    params["newName"] = name;
    return answer(request(3, "textDocument/rename", params));
  };
  EXPECT_NE(rename("u").dump().find("v already has a step named 'u'"), std::string::npos) << rename("u").dump();
  EXPECT_NE(rename("veld").dump().find("already has a case field named 'veld'"), std::string::npos) << rename("veld").dump();
  Json ok = rename("taak")["result"]["changes"];
  EXPECT_EQ(ok["file:///tmp/lsp-rename/p.wth"].size(), 1u) << ok.dump();
  EXPECT_EQ(ok["file:///tmp/lsp-rename/v.wth"].size(), 1u) << ok.dump();
}

TEST_F(LspServer, ADocumentOverTheSourceLimitIsRefused) {
  initialize();
  Json logged = answer(open("/tmp/big.wth", std::string(limits::kSourceBytes + 1, ' ')));
  EXPECT_EQ(logged["method"], "window/logMessage");
  EXPECT_NE(logged["params"]["message"].get<std::string>().find("limit: source bytes"), std::string::npos);
}

TEST_F(LspServer, NoMoreThanTheLimitOfDocumentsIsHeldOpen) {
  initialize();
  for (std::size_t i = 0; i < limits::kLspOpenDocuments; ++i) {
    auto out = server_.handle(open("/tmp/d" + std::to_string(i) + ".sim", ""));
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0]["method"], "textDocument/publishDiagnostics") << i;
  }
  Json refused = answer(open("/tmp/one-more.sim", ""));
  EXPECT_EQ(refused["method"], "window/showMessage");
  server_.handle(notification("textDocument/didClose", {{"textDocument", {{"uri", "file:///tmp/d0.sim"}}}}));
  EXPECT_EQ(answer(open("/tmp/one-more.sim", ""))["method"], "textDocument/publishDiagnostics");
}

TEST_F(LspServer, ExitWithoutShutdownEndsWithOneAfterShutdownWithZero) {
  initialize();
  server_.handle(notification("exit", Json::object()));
  EXPECT_TRUE(server_.exited());
  EXPECT_EQ(server_.exit_code(), 1);
  Server other{kStdlib};
  other.handle(request(1, "initialize"));
  EXPECT_TRUE(other.handle(request(2, "shutdown"))[0]["result"].is_null());
  EXPECT_EQ(other.handle(request(3, "textDocument/hover", at("/x.wth", 0, 0)))[0]["error"]["code"], error_code::kInvalidRequest);
  other.handle(notification("exit", Json::object()));
  EXPECT_EQ(other.exit_code(), 0);
}

TEST_F(LspServer, ServeReadsTheStreamAndAnswersABadMessageWithoutStopping) {
  auto frame = [](const std::string& body) { return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body; };
  std::istringstream in(frame(request(1, "initialize").dump()) + frame("{oops") + frame(request(2, "shutdown").dump()) +
                        frame(notification("exit", Json::object()).dump()));
  std::ostringstream out;
  EXPECT_EQ(serve(in, out, kStdlib), 0);
  EXPECT_NE(out.str().find("\"code\":-32700"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("\"id\":2"), std::string::npos);
  std::istringstream broken("Content-Length: x\r\n\r\n");
  std::ostringstream nothing;
  EXPECT_EQ(serve(broken, nothing, kStdlib), 1);
}

}  // namespace
}  // namespace termijn::lsp
