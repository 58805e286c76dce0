// Golden files, registered as one GoogleTest case each (as kuzu does):
//   golden/diagnostics/NAME.wth -> NAME.expected: what `termijn check` reports, compiler-style
//   golden/ast/NAME.wth         -> NAME.expected: the parsed AST with every source range
//   golden/graph/NAME.wth       -> NAME.expected: the Graphviz drawing of each process in it
//   golden/format/NAME.wth      -> NAME.expected: the file as `termijn fmt` lays it out (or why not);
//   golden/format/NAME.scenario    the same for a scenario file
//   golden/diff/NAME.wth        -> NAME.expected: `termijn diff` of each variant in it against its parent
// Run with TERMIJN_UPDATE_GOLDEN=1 to rewrite the .expected files from the current output
// (then read the diff before committing it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/diff/diff.h"
#include "engine/driver/compilation.h"
#include "engine/format/format.h"
#include "engine/frontend/ast_dump.h"
#include "engine/frontend/parser.h"
#include "engine/model/dot.h"

namespace fs = std::filesystem;

namespace {

const fs::path kGoldenDir = TERMIJN_GOLDEN_DIR;
const fs::path kStdlibDir = TERMIJN_STDLIB_DIR;

bool updating() {
  const char* v = std::getenv("TERMIJN_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

// "// also: lib/x.wth" lines at the top of a case name more files to check in the same run.
std::vector<std::string> also_paths(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line) && line.rfind("//", 0) == 0) {
    const std::string tag = "// also: ";
    if (line.rfind(tag, 0) == 0) out.push_back(line.substr(tag.size()));
  }
  return out;
}

std::string diagnostics_output(const std::string& relative) {
  std::vector<std::string> paths{relative};
  for (auto& p : also_paths(*termijn::read_text_file(relative))) paths.push_back(p);
  termijn::Compilation c = termijn::compile_paths(paths, {kStdlibDir});
  return termijn::render(c.diagnostics);
}

std::string ast_output(const std::string& relative) {
  termijn::DiagnosticList diagnostics;
  auto source = std::make_shared<termijn::SourceFile>(relative, *termijn::read_text_file(relative));
  termijn::ast::File file = termijn::parse_file(source, diagnostics);
  return termijn::render(diagnostics) + termijn::ast::dump(file);
}

std::string graph_output(const std::string& relative) {
  termijn::Compilation c = termijn::compile_paths({relative}, {kStdlibDir});
  std::string out = termijn::render(c.diagnostics);
  for (const auto& decl : c.program.files.at(c.program.roots.at(0)).processes) {
    if (const auto* p = c.model->find(decl.name.name)) out += termijn::model::to_dot(*p);
  }
  return out;
}

std::string format_output(const std::string& relative) {
  termijn::DiagnosticList diagnostics;
  auto source = std::make_shared<termijn::SourceFile>(relative, *termijn::read_text_file(relative));
  std::optional<std::string> text = termijn::format::format_source(source, diagnostics);
  return termijn::render(diagnostics) + text.value_or("");
}

std::string diff_output(const std::string& relative) {
  termijn::Compilation c = termijn::compile_paths({relative}, {kStdlibDir});
  std::string out = termijn::render(c.diagnostics);
  for (const auto& decl : c.program.files.at(c.program.roots.at(0)).processes) {
    const auto* p = c.model->find(decl.name.name);
    const auto* parent = p == nullptr ? nullptr : c.model->find(p->parent);
    if (parent != nullptr) out += termijn::diff::render_text(termijn::diff::compare(*parent, *p));
  }
  return out;
}

class GoldenTest : public ::testing::Test {
 public:
  GoldenTest(fs::path input, std::string (*produce)(const std::string&))
      : input_(std::move(input)), produce_(produce) {}

  void TestBody() override {
    fs::current_path(kGoldenDir);  // paths in the output are relative to tests/golden
    std::string relative = fs::relative(input_, kGoldenDir).string();
    fs::path expected_path = input_;
    expected_path.replace_extension(".expected");
    std::string actual = produce_(relative);
    if (updating()) {
      std::ofstream(expected_path) << actual;
      return;
    }
    std::optional<std::string> expected = termijn::read_text_file(expected_path);
    ASSERT_TRUE(expected.has_value()) << expected_path << " is missing; run with TERMIJN_UPDATE_GOLDEN=1";
    EXPECT_EQ(*expected, actual) << "golden output differs for " << relative
                                 << " (TERMIJN_UPDATE_GOLDEN=1 rewrites it)";
    if (input_.parent_path().filename() == "diagnostics") {
      // A case shows a mistake: an error, or for warn_* cases a warning.
      bool warning_case = input_.filename().string().rfind("warn_", 0) == 0;
      EXPECT_NE(actual.find(warning_case ? ": warning: " : ": error: "), std::string::npos)
          << relative << " is meant to show " << (warning_case ? "a warning" : "an error");
    }
  }

 private:
  fs::path input_;
  std::string (*produce_)(const std::string&);
};

void register_directory(const std::string& suite, std::string (*produce)(const std::string&),
                        const std::string& also_extension = "") {
  std::vector<fs::path> inputs;
  for (const auto& entry : fs::directory_iterator(kGoldenDir / suite)) {
    std::string extension = entry.path().extension().string();
    if (extension == ".wth" || (!also_extension.empty() && extension == also_extension)) inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  for (const auto& input : inputs) {
    ::testing::RegisterTest(("Golden_" + suite).c_str(), input.stem().string().c_str(), nullptr, nullptr,
                            __FILE__, __LINE__, [input, produce]() -> ::testing::Test* {
                              return new GoldenTest(input, produce);
                            });
  }
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  register_directory("diagnostics", diagnostics_output);
  register_directory("ast", ast_output);
  register_directory("graph", graph_output);
  register_directory("format", format_output, ".scenario");
  register_directory("diff", diff_output);
  return RUN_ALL_TESTS();
}
