#include "engine/base/diagnostic.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/base/limits.h"
#include "engine/base/utf8.h"

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

// A mistake deep in a long line shows a window of the line around it, cut between characters, with
// the caret still under the mistake: a 700 KB one-line file of 20,000 mistakes rendered 20 GB.
TEST(Diagnostic, ShowsAWindowOfALongLine) {
  std::string line = "process p {";
  while (line.size() < 5000) line += " milestone \xC3\xA9\xC3\xA9n";
  std::size_t at = line.find("milestone", 3000);
  line.replace(at, 9, "mijlpaal!");
  auto file = std::make_shared<SourceFile>("p.wth", line + "\n");
  DiagnosticList list;
  list.error(range_of(file, 1, static_cast<int>(at) + 1, static_cast<int>(at) + 10), "not a step");
  std::string text = render(list);
  std::size_t first_end = text.find('\n');
  std::size_t excerpt_end = text.find('\n', first_end + 1);
  std::string excerpt = text.substr(first_end + 1, excerpt_end - first_end - 1);
  std::string carets = text.substr(excerpt_end + 1, text.size() - excerpt_end - 2);
  EXPECT_LT(excerpt.size(), 260u);
  EXPECT_EQ(excerpt.substr(0, 5), "  ...");
  EXPECT_EQ(excerpt.substr(excerpt.size() - 3), "...");
  EXPECT_EQ(excerpt.substr(carets.find('^'), 9), "mijlpaal!") << excerpt << "\n" << carets;
  EXPECT_EQ(carets.substr(carets.find('^')), "^~~~~~~~~");  // nine characters
  EXPECT_EQ(find_invalid_utf8(excerpt), std::nullopt) << "cut between characters";
}

// Past limits::kDiagnostics they are counted, not kept, and the rendering says how many.
TEST(Diagnostic, KeepsAtMostTheLimitAndCountsTheRest) {
  auto file = std::make_shared<SourceFile>("p.wth", "x\n");
  DiagnosticList list;
  for (std::size_t i = 0; i < limits::kDiagnostics; ++i) list.error(range_of(file, 1, 1, 2), fmt::format("e{}", i));
  EXPECT_EQ(list.all().size(), limits::kDiagnostics);
  EXPECT_EQ(render(list).find("not shown"), std::string::npos);
  list.error(range_of(file, 1, 1, 2), "one over");
  list.warning(range_of(file, 1, 1, 2), "and a warning");
  // Repeats are counted once, kept or not.
  list.error(range_of(file, 1, 1, 2), "one over");
  list.error(range_of(file, 1, 1, 2), "e7");
  EXPECT_EQ(list.all().size(), limits::kDiagnostics);
  EXPECT_EQ(list.error_count(), static_cast<int>(limits::kDiagnostics) + 1);
  EXPECT_EQ(list.warning_count(), 1);
  EXPECT_NE(render(list).find("\n2 more diagnostics are not shown (limit: diagnostics)\n"), std::string::npos);
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

// Suggestions stay cheap whatever the names: a name past 64 bytes gets none (an 8,000-byte unknown
// name beside an 8,000-byte role took half a gigabyte), and only the first thousand candidates are
// compared. Swaps, insertions and deletions still count one each.
TEST(Diagnostic, SuggestionsAreBoundedAndStillFindTypos) {
  std::string long_name(8000, 'r');
  EXPECT_EQ(closest_match(long_name + "x", {long_name}), "");
  std::string at_bound(64, 'a');
  EXPECT_EQ(closest_match(at_bound.substr(1) + "b", {at_bound}), at_bound);
  std::vector<std::string> many;
  for (int i = 0; i < 1000; ++i) many.push_back(fmt::format("rol{}", i));
  many.push_back("hulpverlening");
  EXPECT_EQ(closest_match("rol99x", many), "rol99");
  EXPECT_EQ(closest_match("hulpverlenign", many), "") << "past the first thousand";
  EXPECT_EQ(closest_match("hulpverlenign", {"hulpverlening"}), "hulpverlening");
  EXPECT_EQ(closest_match("hulpverlning", {"hulpverlening"}), "hulpverlening");
  EXPECT_EQ(closest_match("hulpverleningg", {"hulpverlening"}), "hulpverlening");
}

}  // namespace
}  // namespace termijn
