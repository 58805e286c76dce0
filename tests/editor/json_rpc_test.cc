// The language server's framing: every bound of engine/base/limits.h on what an editor sends.
#include <gtest/gtest.h>

#include <sstream>

#include "engine/base/limits.h"
#include "engine/lsp/json_rpc.h"

namespace termijn::lsp {
namespace {

std::string framed(const std::string& body, const std::string& extra_header = "") {
  return "Content-Length: " + std::to_string(body.size()) + "\r\n" + extra_header + "\r\n" + body;
}

TEST(JsonRpc, ReadsMessagesBackToBackWhateverTheHeadersCase) {
  std::istringstream in(framed(R"({"a":1})") + "content-length: 7\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{\"b\":2}");
  Incoming first = read_message(in);
  ASSERT_EQ(first.kind, Incoming::Kind::kMessage);
  EXPECT_EQ(first.json["a"], 1);
  Incoming second = read_message(in);
  ASSERT_EQ(second.kind, Incoming::Kind::kMessage) << second.error;
  EXPECT_EQ(second.json["b"], 2);
  EXPECT_EQ(read_message(in).kind, Incoming::Kind::kEnd);
}

TEST(JsonRpc, WritesWhatItReads) {
  std::ostringstream out;
  write_message(out, Json{{"jsonrpc", "2.0"}, {"text", "huisverbod ë"}});
  std::istringstream in(out.str());
  Incoming back = read_message(in);
  ASSERT_EQ(back.kind, Incoming::Kind::kMessage);
  EXPECT_EQ(back.json["text"], "huisverbod ë");
}

TEST(JsonRpc, AMessageOverTheLimitIsSkippedAndTheNextOneRead) {
  std::string huge(limits::kLspMessageBytes + 1, ' ');
  std::istringstream in(framed(huge) + framed(R"({"after":true})"));
  Incoming skipped = read_message(in);
  EXPECT_EQ(skipped.kind, Incoming::Kind::kBadMessage);
  EXPECT_NE(skipped.error.find("larger than the limit"), std::string::npos) << skipped.error;
  Incoming next = read_message(in);
  ASSERT_EQ(next.kind, Incoming::Kind::kMessage);
  EXPECT_TRUE(next.json["after"]);
}

TEST(JsonRpc, ABodyThatIsNotJsonOrNotUtf8OrTooDeepIsABadMessage) {
  std::string deep(static_cast<std::size_t>(limits::kJsonNesting) + 1, '[');
  deep += std::string(static_cast<std::size_t>(limits::kJsonNesting) + 1, ']');
  std::string at_limit(static_cast<std::size_t>(limits::kJsonNesting), '[');
  at_limit += std::string(static_cast<std::size_t>(limits::kJsonNesting), ']');
  for (const auto& [body, why] : std::vector<std::pair<std::string, std::string>>{
           {"{not json", "not JSON"}, {"\"\xff\"", "not UTF-8"}, {deep, "deeper than"}}) {
    std::istringstream in(framed(body));
    Incoming m = read_message(in);
    EXPECT_EQ(m.kind, Incoming::Kind::kBadMessage) << body;
    EXPECT_NE(m.error.find(why), std::string::npos) << m.error;
  }
  std::istringstream in(framed(at_limit));
  EXPECT_EQ(read_message(in).kind, Incoming::Kind::kMessage);
}

TEST(JsonRpc, FramingThatCannotBeFollowedIsBroken) {
  std::string long_header(limits::kLspHeaderBytes + 1, 'x');
  std::string many_headers;
  for (int i = 0; i <= limits::kLspHeaders; ++i) many_headers += "X-" + std::to_string(i) + ": y\r\n";
  for (const auto& [stream, why] : std::vector<std::pair<std::string, std::string>>{
           {"\r\n{}", "without Content-Length"},
           {"Content-Length: 12x\r\n\r\n{}", "not a number"},
           {"Content-Length: -1\r\n\r\n{}", "not a number"},
           {"Content-Length: 99999999999999999999999\r\n\r\n", "not a number"},
           {long_header + "\r\n\r\n", "longer than"},
           {many_headers + "\r\n{}", "more than"},
           {"Content-Length 2\r\n\r\n{}", "without ':'"},
           {"Content-Length: 10\r\n\r\n{}", "ended inside a message"},
           {"Content-Length: 2\r\n", "ended inside a message's headers"}}) {
    std::istringstream in(stream);
    Incoming m = read_message(in);
    EXPECT_EQ(m.kind, Incoming::Kind::kBroken) << stream.substr(0, 60);
    EXPECT_NE(m.error.find(why), std::string::npos) << m.error;
  }
}

}  // namespace
}  // namespace termijn::lsp
