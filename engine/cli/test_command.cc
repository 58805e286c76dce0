// test: runs coordinators' scenario files (.scenario) on the virtual clock.
#include <fmt/format.h>

#include <algorithm>

#include "engine/cli/commands.h"
#include "engine/frontend/loader.h"
#include "engine/scenario/scenario.h"

namespace termijn::cli {

namespace {

namespace fs = std::filesystem;

int run_test(const std::vector<std::string>& paths, bool timeline, const GlobalOptions& global) {
  std::vector<fs::path> files;
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".scenario") files.push_back(entry.path());
      }
    } else {
      files.emplace_back(path);
    }
  }
  std::sort(files.begin(), files.end());
  DiagnosticList diagnostics;
  std::vector<scenario::Scenario> scenarios;
  for (const auto& file : files) {
    auto text = read_text_file(file);
    if (!text) {
      fmt::print(stderr, "{}\n", tr("termijn: cannot read '{}'", file.string()));
      return kUsage;
    }
    auto parsed = scenario::parse(std::make_shared<SourceFile>(file.lexically_normal().string(), std::move(*text)), diagnostics);
    for (auto& s : parsed) scenarios.push_back(std::move(s));
  }
  std::vector<scenario::Outcome> outcomes;
  // A scenario with a mistake in its lines is not run; the others in its file are.
  outcomes = scenario::run(scenarios, global.stdlib_dirs(), fs::temp_directory_path(), diagnostics);
  std::fputs(render(diagnostics).c_str(), stderr);
  int passed = 0, failed = 0;
  for (const auto& o : outcomes) {
    if (o.passed) {
      ++passed;
      fmt::print("PASS  {}\n", o.scenario);
      if (timeline) {
        for (const auto& line : o.timeline) fmt::print("      {}\n", line);
      }
      continue;
    }
    ++failed;
    fmt::print("FAIL  {}\n", o.scenario);
    for (const auto& f : o.failures) fmt::print("      {}\n", f);
    fmt::print("      {}\n", tr("timeline so far:"));
    for (const auto& line : o.timeline) fmt::print("      {}\n", line);
  }
  int not_run = static_cast<int>(scenarios.size()) - passed - failed;
  fmt::print("{}\n", tr("{} passed, {} failed{}", passed, failed,
                         not_run > 0 ? tr(", {} not run (see errors above)", not_run) : ""));
  return failed > 0 || diagnostics.has_errors() ? kErrors : kClean;
}

}  // namespace

void add_test_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto timeline = std::make_shared<bool>(false);
  auto* test = app.add_subcommand("test", "Run scenario files (.scenario) on the virtual clock");
  test->add_option("paths", *paths, "Scenario files or folders")->required();
  test->add_flag("--timeline", *timeline, "Print the timeline of passing scenarios too");
  test->callback([paths, timeline, &global, &exit_code] { exit_code = run_test(*paths, *timeline, global); });
}

}  // namespace termijn::cli
