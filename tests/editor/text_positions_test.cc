// Columns in the units editors and SARIF count, and file: URIs.
#include <gtest/gtest.h>

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
