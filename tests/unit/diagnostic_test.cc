#include "engine/base/diagnostic.h"

#include <gtest/gtest.h>

namespace termijn {
namespace {

SourceRange range_of(const SourceFilePtr& file, int line, int col, int end_col) {
  return SourceRange{file, {line, col}, {line, end_col}};
}

TEST(Diagnostic, RendersLikeClangWithCaretUnderTheRange) {
  auto file = std::make_shared<SourceFile>("p.wth", "process p {\n  task a by hovjj within 2 hours\n}\n");
  DiagnosticList list;
  list.error(range_of(file, 2, 13, 18), "unknown role 'hovjj' (did you mean 'hovj'?)");
  EXPECT_EQ(render(list),
            "p.wth:2:13: error: unknown role 'hovjj' (did you mean 'hovj'?)\n"
            "    task a by hovjj within 2 hours\n"
            "              ^~~~~\n");
}

TEST(Diagnostic, NotesFollowTheirError) {
  auto file = std::make_shared<SourceFile>("p.wth", "roles a, a\n");
  DiagnosticList list;
  list.error(range_of(file, 1, 10, 11), "role 'a' is declared twice", {note(range_of(file, 1, 7, 8), "first here")});
  std::string text = render(list);
  EXPECT_NE(text.find("p.wth:1:10: error: role 'a' is declared twice"), std::string::npos);
  EXPECT_NE(text.find("p.wth:1:7: note: first here"), std::string::npos);
  EXPECT_LT(text.find("error"), text.find("note"));
}

TEST(Diagnostic, SortedByPositionAndDeduplicated) {
  auto file = std::make_shared<SourceFile>("p.wth", "a\nb\nc\n");
  DiagnosticList list;
  list.error(range_of(file, 3, 1, 2), "third");
  list.warning(range_of(file, 1, 1, 2), "first");
  list.error(range_of(file, 3, 1, 2), "third");  // a variant re-checking its parent's step
  ASSERT_EQ(list.all().size(), 2u);
  EXPECT_EQ(list.error_count(), 1);
  EXPECT_EQ(list.warning_count(), 1);
  auto sorted = list.sorted();
  EXPECT_EQ(sorted[0].message, "first");
  EXPECT_EQ(sorted[1].message, "third");
}

TEST(Diagnostic, SuggestsCloseNamesIncludingSwappedLetters) {
  std::vector<std::string> names{"rihg", "zorgadvies", "opgelegd"};
  EXPECT_EQ(closest_match("righ", names), "rihg");
  EXPECT_EQ(closest_match("zorgadvis", names), "zorgadvies");
  EXPECT_EQ(closest_match("burgemeester", names), "");
  EXPECT_EQ(did_you_mean("opgelgd", names), " (did you mean 'opgelegd'?)");
  EXPECT_EQ(did_you_mean("xyz", names), "");
}

}  // namespace
}  // namespace termijn
