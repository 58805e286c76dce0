// Columns in the units editors and SARIF count, and file: URIs.
#include <gtest/gtest.h>

#include "engine/base/source.h"
#include "engine/base/utf8.h"
#include "engine/tooling/uri.h"

namespace termijn {
namespace {

TEST(Columns, CountBytesUtf16UnitsAndCharactersOfTheSameLine) {
  std::string line = "ë 😀x";  // ë: 2 bytes, one UTF-16 unit; 😀: 4 bytes, a surrogate pair
  EXPECT_EQ(units_in(line, 2, ColumnUnit::kUtf16), 1u);
  EXPECT_EQ(units_in(line, 7, ColumnUnit::kUtf16), 4u);
  EXPECT_EQ(units_in(line, 7, ColumnUnit::kCodePoints), 3u);
  EXPECT_EQ(units_in(line, 7, ColumnUnit::kBytes), 7u);
  EXPECT_EQ(bytes_for(line, 4, ColumnUnit::kUtf16), 7u);
  EXPECT_EQ(bytes_for(line, 3, ColumnUnit::kCodePoints), 7u);
  // Inside a character: up to its start when counting, past it when finding bytes.
  EXPECT_EQ(units_in(line, 5, ColumnUnit::kUtf16), 2u);
  EXPECT_EQ(bytes_for(line, 3, ColumnUnit::kUtf16), 7u);
  // Past the end: clamped.
  EXPECT_EQ(bytes_for(line, 99, ColumnUnit::kUtf16), line.size());
  EXPECT_EQ(units_in(line, 99, ColumnUnit::kCodePoints), 4u);
}

// A file's column table (SourceFile::units_before and bytes_after) gives what counting from the
// line's start gives, in every unit and both directions: on lines with 1- to 4-byte characters, a
// line long enough to need several of its checkpoints, a line of ASCII, a CRLF line, past a
// line's or the file's end, and on text that is not UTF-8 (a file is held before it is checked,
// and its error is shown on it).
TEST(Columns, AFilesTableAgreesWithCountingFromTheLineStart) {
  std::string mixed;
  for (int i = 0; i < 70; ++i) mixed += "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";  // 280 characters of 1-4 bytes
  std::string text = "process p {\n  \"\xC3\xA9\xC3\xA9n\" x\r\n" + mixed + "\n\nascii only\n\xC3\xA9\n" +
                     "\x80" "a\n\x80\x80\x80\n\xC3" + std::string(100, 'a') + "\n" + mixed + "\xF0\x9F";
  SourceFile file("t.wth", text);
  for (int line = -1; line <= 12; ++line) {
    std::string_view view = file.line(line);
    for (ColumnUnit unit : {ColumnUnit::kBytes, ColumnUnit::kUtf16, ColumnUnit::kCodePoints}) {
      for (std::size_t n = 0; n < view.size() + 5; ++n) {
        ASSERT_EQ(file.units_before(line, n, unit), units_in(view, n, unit))
            << "line " << line << ", byte " << n << ", unit " << static_cast<int>(unit);
        ASSERT_EQ(file.bytes_after(line, n, unit), bytes_for(view, n, unit))
            << "line " << line << ", units " << n << ", unit " << static_cast<int>(unit);
      }
    }
  }
  EXPECT_EQ(file.bytes_after(3, 3, ColumnUnit::kCodePoints), 6u);  // after "a", "é" and "€"
  EXPECT_EQ(file.units_before(3, 100, ColumnUnit::kUtf16), 50u);  // ten rounds of a, é, € and 😀
}

TEST(FileUri, RoundTripsPathsWithSpacesAndAccents) {
  std::filesystem::path path = "/regio noord/zorg één.wth";
  std::string uri = tooling::file_uri(path);
  EXPECT_EQ(uri, "file:///regio%20noord/zorg%20%C3%A9%C3%A9n.wth");
  EXPECT_EQ(tooling::path_from_uri(uri), path);
  EXPECT_EQ(tooling::path_from_uri("file://localhost/a/b.wth"), std::filesystem::path("/a/b.wth"));
  EXPECT_EQ(tooling::path_from_uri("FILE:///a/../b.wth"), std::filesystem::path("/b.wth"));
}

TEST(FileUri, RefusesWhatIsNotALocalAbsolutePath) {
  for (const char* uri : {"http://x/a.wth", "file://elsewhere/a.wth", "file:a.wth", "file:///a%2", "file:///a%zz.wth",
                          "file:///a%00.wth", "untitled:Untitled-1", ""}) {
    EXPECT_FALSE(tooling::path_from_uri(uri).has_value()) << uri;
  }
  EXPECT_FALSE(tooling::path_from_uri(std::string("file:///a\0b.wth", 15)).has_value());
}

}  // namespace
}  // namespace termijn
