// `termijn fmt` (engine/format/): idempotent on every .wth and .scenario file in the tree, the hash of every
// shipped process unchanged by any layout, refusals located, and the unified diff of --diff.
// The layout itself is shown by the goldens in tests/golden/format/.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/base/limits.h"
#include "engine/driver/compilation.h"
#include "engine/format/format.h"
#include "engine/frontend/layout_tokens.h"
#include "engine/frontend/source_text.h"

namespace termijn {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = TERMIJN_SOURCE_DIR;

std::optional<std::string> format_text(const std::string& text, DiagnosticList& diagnostics,
                                       const std::string& path = "t.wth") {
  return format::format_wth(std::make_shared<SourceFile>(path, text), diagnostics);
}

// The formatter refused its own result (rather than the file): a fault in it.
bool refused_itself(const DiagnosticList& diagnostics) {
  return std::any_of(diagnostics.all().begin(), diagnostics.all().end(), [](const Diagnostic& d) {
    return d.message.find("termijn fmt would change") != std::string::npos;
  });
}

std::vector<fs::path> wth_files_below(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() == ".wth") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The same tokens, each on a line of its own at a changing indentation: a layout as far from
// the canonical one as the tokens allow.
std::string scrambled(const fs::path& file) {
  DiagnosticList diagnostics;
  auto parsed = parse_layout(std::make_shared<SourceFile>(file.string(), *read_text_file(file)), diagnostics);
  if (!parsed) return {};
  std::string out;
  for (std::size_t i = 0; i < parsed->tokens.size(); ++i) {
    out += std::string(i % 7, ' ') + parsed->tokens[i].text + "\n";
  }
  return out;
}

// The same tokens on the same lines, with other indentation and other spaces between them.
std::string respaced(const fs::path& file) {
  DiagnosticList diagnostics;
  auto parsed = parse_layout(std::make_shared<SourceFile>(file.string(), *read_text_file(file)), diagnostics);
  if (!parsed) return {};
  std::string out;
  int line = 1;
  for (std::size_t i = 0; i < parsed->tokens.size(); ++i) {
    const LayoutToken& token = parsed->tokens[i];
    out += token.line > line ? std::string(static_cast<std::size_t>(token.line - line), '\n') + std::string(i % 5, ' ')
                             : std::string(1 + i % 3, i % 2 == 0 ? ' ' : '\t');
    out += token.text;
    line = token.end_line;
  }
  return out + "\n";
}

std::map<std::string, std::string> hashes(const Compilation& c) {
  std::map<std::string, std::string> out;
  for (const auto& p : c.model->processes) out[p->name] = p->hash;
  return out;
}

TEST(Format, EveryWthFileInTheTreeIsFormattedIdempotently) {
  int formatted = 0;
  for (const char* dir : {"processes", "stdlib", "examples", "tests"}) {
    for (const auto& file : wth_files_below(kRoot / dir)) {
      DiagnosticList diagnostics;
      auto once = format_text(*read_text_file(file), diagnostics, file.string());
      if (!once) {
        // Only a file that does not parse may be refused (the diagnostics goldens), with that reason.
        EXPECT_FALSE(refused_itself(diagnostics)) << render(diagnostics);
        continue;
      }
      ++formatted;
      DiagnosticList again;
      EXPECT_EQ(format_text(*once, again, file.string()), once) << file << ": fmt(fmt(x)) != fmt(x)";
    }
  }
  EXPECT_GE(formatted, 60);
}

// The layout is canonical: however the shipped files were indented and spaced, fmt gives them
// back as they are (their line breaks are the authors' choice, and kept).
TEST(Format, RespacingAShippedFileFormatsBackToIt) {
  int files = 0;
  for (const char* dir : {"processes", "stdlib", "tests/constructs"}) {
    for (const auto& file : wth_files_below(kRoot / dir)) {
      std::string text = respaced(file), original = *read_text_file(file);
      ASSERT_NE(text, original) << file;
      DiagnosticList diagnostics;
      EXPECT_EQ(format_text(text, diagnostics, file.string()), original) << file;
      ++files;
    }
  }
  EXPECT_GE(files, 20);
}

TEST(Format, EveryScenarioFileInTheTreeIsFormattedIdempotently) {
  int formatted = 0;
  for (const char* dir : {"processes", "tests"}) {
    for (const auto& entry : fs::recursive_directory_iterator(kRoot / dir)) {
      if (entry.path().extension() != ".scenario") continue;
      DiagnosticList diagnostics;
      auto once = format::format_scenario(std::make_shared<SourceFile>(entry.path().string(),
                                                                       *read_text_file(entry.path())),
                                          diagnostics);
      if (!once) {
        EXPECT_FALSE(refused_itself(diagnostics)) << render(diagnostics);
        continue;
      }
      ++formatted;
      DiagnosticList again;
      EXPECT_EQ(format::format_scenario(std::make_shared<SourceFile>(entry.path().string(), *once), again), once)
          << entry.path() << ": fmt(fmt(x)) != fmt(x)";
    }
  }
  EXPECT_GE(formatted, 15);
}

// The shipped processes, each file first scrambled and then formatted, compile to the very
// hashes of the originals: fmt never changes what a process is.
TEST(Format, EveryShippedProcessKeepsItsHash) {
  fs::path copy = fs::temp_directory_path() / ("termijn-fmt-hash-" + std::to_string(::getpid()));
  fs::remove_all(copy);
  for (const char* dir : {"processes", "stdlib", "tests/constructs"}) {
    for (const auto& file : wth_files_below(kRoot / dir)) {
      DiagnosticList diagnostics;
      auto text = format_text(scrambled(file), diagnostics, file.string());
      ASSERT_TRUE(text.has_value()) << file << "\n" << render(diagnostics);
      fs::path target = copy / fs::relative(file, kRoot);
      fs::create_directories(target.parent_path());
      std::ofstream(target) << *text;
    }
  }
  Compilation original = compile_paths({(kRoot / "processes").string(), (kRoot / "tests/constructs").string()},
                                       {kRoot / "stdlib"});
  Compilation formatted = compile_paths({(copy / "processes").string(), (copy / "tests/constructs").string()},
                                        {copy / "stdlib"});
  ASSERT_FALSE(original.diagnostics.has_errors()) << render(original.diagnostics);
  ASSERT_FALSE(formatted.diagnostics.has_errors()) << render(formatted.diagnostics);
  EXPECT_GE(original.model->processes.size(), 20u);
  EXPECT_EQ(hashes(original), hashes(formatted));
  fs::remove_all(copy);
}

TEST(Format, RefusesAFileThatDoesNotParseAndSaysWhere) {
  DiagnosticList diagnostics;
  EXPECT_FALSE(format_text("process p {\n  task t by a within\n}\n", diagnostics).has_value());
  std::string out = render(diagnostics);
  EXPECT_NE(out.find("t.wth:3:1: error:"), std::string::npos) << out;
}

TEST(Format, RefusesWhatBreaksALimit) {
  DiagnosticList too_large;
  EXPECT_FALSE(format_text(std::string(limits::kSourceBytes + 1, ' '), too_large).has_value());
  EXPECT_NE(render(too_large).find("limit: source bytes"), std::string::npos) << render(too_large);
  DiagnosticList too_deep;
  std::string nested = "process p { start on e  wait until " + std::string(limits::kSourceNesting + 1, '(') + "now" +
                       std::string(limits::kSourceNesting + 1, ')') + " }";
  EXPECT_FALSE(format_text(nested, too_deep).has_value());
  EXPECT_NE(render(too_deep).find("limit: source nesting"), std::string::npos) << render(too_deep);
}

// Indentation can make a file under the source limit grow past it; fmt says so rather than
// write what could not be read again.
TEST(Format, RefusesALayoutThatWouldOutgrowTheSourceLimit) {
  std::string text = "process p {\n  start on e\n";
  for (int i = 0; i < 40; ++i) text += "stage s" + std::to_string(i) + " { ";
  for (int i = 0; i < 12000; ++i) text += "milestone m" + std::to_string(i) + " ";
  text += std::string(40, '}') + "\n}\n";
  ASSERT_LT(text.size(), limits::kSourceBytes);
  DiagnosticList diagnostics;
  EXPECT_FALSE(format_text(text, diagnostics).has_value());
  EXPECT_NE(render(diagnostics).find("in the canonical layout the file would be"), std::string::npos)
      << render(diagnostics).substr(0, 500);
}

TEST(Format, EmptyFileStaysEmpty) {
  DiagnosticList diagnostics;
  EXPECT_EQ(format_text("", diagnostics), "");
  EXPECT_EQ(format_text("\n\n  \n", diagnostics), "");
  EXPECT_EQ(format_text("// only a comment   \n\n", diagnostics), "// only a comment\n");
}

TEST(UnifiedDiff, EqualTextsGiveNothing) { EXPECT_EQ(format::unified_diff("a.wth", "x\n", "x\n"), ""); }

TEST(UnifiedDiff, ShowsTheChangedLinesWithThreeLinesOfContext) {
  std::string before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
  std::string after = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n12\nthirteen\n";
  EXPECT_EQ(format::unified_diff("a.wth", before, after),
            "--- a.wth\n+++ a.wth\n"
            "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
            "@@ -10,3 +10,4 @@\n 10\n 11\n 12\n+thirteen\n");
}

TEST(UnifiedDiff, SaysWhenALineHasNoNewline) {
  EXPECT_EQ(format::unified_diff("a.wth", "a\nb", "a\nb\n"),
            "--- a.wth\n+++ a.wth\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
}

TEST(UnifiedDiff, ReplacesEverythingWhenTheTextsShareNoLine) {
  EXPECT_EQ(format::unified_diff("a.wth", "", "x\n"), "--- a.wth\n+++ a.wth\n@@ -0,0 +1,1 @@\n+x\n");
  EXPECT_EQ(format::unified_diff("a.wth", "x\n", ""), "--- a.wth\n+++ a.wth\n@@ -1,1 +0,0 @@\n-x\n");
}

}  // namespace
}  // namespace termijn
