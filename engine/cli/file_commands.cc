// check, graph, ast.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "engine/cli/commands.h"
#include "engine/driver/compilation.h"
#include "engine/frontend/ast_dump.h"
#include "engine/frontend/parser.h"
#include "engine/model/dot.h"
#include "engine/tooling/diagnostic_formats.h"
#include "engine/tooling/document_check.h"

namespace termijn::cli {

namespace {


// Prints diagnostics and the count; returns the exit code the compilation deserves (with
// `werror`, a warning fails it as an error does).
int report_diagnostics(const DiagnosticList& diagnostics, const std::vector<std::string>& unreadable, bool werror = false) {
  for (const auto& path : unreadable) fmt::print(stderr, "{}\n", tr("termijn: cannot read '{}'", path));
  std::fputs(render(diagnostics).c_str(), stderr);
  int errors = diagnostics.error_count();
  int warnings = diagnostics.warning_count();
  if (errors + warnings > 0) {
    fmt::print(stderr, "{}, {}\n", trn("{} error", "{} errors", static_cast<unsigned>(errors), errors),
               trn("{} warning", "{} warnings", static_cast<unsigned>(warnings), warnings));
  }
  if (!unreadable.empty()) return kUsage;
  if (werror && warnings > 0 && errors == 0) fmt::print(stderr, "{}\n", tr("--werror: the warnings count as errors"));
  return errors > 0 || (werror && warnings > 0) ? kErrors : kClean;
}

// The scenario and simulation files among `paths` (named, or below a named folder), in name
// order; process files are the compiler's.
std::vector<std::string> test_and_simulation_files(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      // A folder that may not be read is left out, not a reason to stop.
      auto options = std::filesystem::directory_options::skip_permission_denied;
      for (std::filesystem::recursive_directory_iterator it(path, options, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code entry;
        auto format = tooling::format_of(it->path());
        if (it->is_regular_file(entry) && (format == tooling::Format::kScenario || format == tooling::Format::kSimulation)) {
          out.push_back(it->path().string());
        }
      }
    } else if (tooling::format_of(path) == tooling::Format::kScenario || tooling::format_of(path) == tooling::Format::kSimulation) {
      out.push_back(path);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

int run_check(const std::vector<std::string>& paths, const GlobalOptions& global, bool quiet, bool werror,
              const std::string& format) {
  std::vector<std::string> processes;
  for (const auto& path : paths) {
    auto kind = tooling::format_of(path);
    if (kind != tooling::Format::kScenario && kind != tooling::Format::kSimulation) processes.push_back(path);
  }
  Compilation c = processes.empty() ? Compilation{} : compile_paths(processes, global.stdlib_dirs());
  if (!c.model) c.model = std::make_shared<model::Model>();
  DiagnosticList diagnostics = c.diagnostics;
  std::vector<std::string> others = test_and_simulation_files(paths);
  for (const auto& path : others) {
    tooling::DocumentCheck checked = tooling::check_document(path, global.stdlib_dirs());
    if (!checked.source) c.unreadable.push_back(path);
    for (const auto& d : checked.diagnostics.all()) diagnostics.add(d);
  }
  if (format != "text") {
    int errors = diagnostics.error_count(), warnings = diagnostics.warning_count();
    tooling::Json out = format == "sarif" ? tooling::sarif_log(diagnostics.sorted(), c.unreadable, TERMIJN_VERSION)
                                          : tooling::diagnostics_json(diagnostics.sorted(), c.unreadable);
    // A file name that is not UTF-8 is printed with replacement characters rather than not at all.
    fmt::print("{}\n", out.dump(2, ' ', false, tooling::Json::error_handler_t::replace));
    if (!c.unreadable.empty()) return kUsage;
    return errors > 0 || (werror && warnings > 0) ? kErrors : kClean;
  }
  int code = report_diagnostics(diagnostics, c.unreadable, werror);
  if (code == kClean && !quiet) {
    std::size_t files = c.program.files.size() + others.size();
    std::size_t processes = c.model->processes.size();
    fmt::print("{}, {}\n", trn("{} file checked", "{} files checked", files, files),
               trn("{} process compiled", "{} processes compiled", processes, processes));
    for (const auto& p : c.model->processes) {
      fmt::print("  {:<24} v{:<3} {:>3} {}  {}{}\n", p->name, p->version, p->nodes.size(), tr("nodes"),
                 p->hash.substr(0, 16), p->parent.empty() ? "" : tr("  (extends {})", p->parent));
    }
  }
  return code;
}

int run_graph(const std::string& file, const std::string& process_name, const std::string& format,
              const std::string& output, const GlobalOptions& global) {
  Compilation c = compile_paths({file}, global.stdlib_dirs());
  if (int code = report(c); code != kClean) return code;
  const model::Process* process = nullptr;
  if (!process_name.empty()) {
    process = c.model->find(process_name);
    if (process == nullptr) {
      fmt::print(stderr, "{}\n", tr("termijn: no process '{}' in '{}'", process_name, file));
      return kUsage;
    }
  } else {
    const auto& root = c.program.files.at(c.program.roots.at(0));
    if (root.processes.empty()) {
      fmt::print(stderr, "{}\n", tr("termijn: '{}' declares no process to draw", file));
      return kUsage;
    }
    process = c.model->find(root.processes.front().name.name);
  }
  std::string dot = model::to_dot(*process);
  if (format == "dot") {
    if (output.empty() || output == "-") {
      std::fputs(dot.c_str(), stdout);
    } else {
      std::ofstream(output) << dot;
    }
    return kClean;
  }
  // svg: hand the DOT text to Graphviz.
  model::Drawing drawing = model::render_svg(dot);
  if (drawing.problem == model::DrawingProblem::kNoGraphviz) {
    fmt::print(stderr, "{}\n", tr("termijn: --format svg needs Graphviz's 'dot' program, which is not installed "
                                  "(apt-get install graphviz); --format dot prints the diagram's source instead"));
    return kUsage;
  }
  if (drawing.problem == model::DrawingProblem::kTooLarge) {
    fmt::print(stderr, "{}\n", tr("termijn: Graphviz's dot did not draw '{}' within {} seconds; --format dot prints "
                                   "the diagram's source instead",
                                   process->name, model::kDrawingTime.count() / 1000));
    return kUsage;
  }
  if (!drawing.svg) {
    fmt::print(stderr, "{}\n", tr("termijn: Graphviz's dot failed to draw '{}'", process->name));
    return kUsage;
  }
  if (output.empty() || output == "-") {
    std::fputs(drawing.svg->c_str(), stdout);
  } else {
    std::ofstream(output) << *drawing.svg;
  }
  return kClean;
}

// Prints the parsed form of one file with every node's source range (a debugging aid).
int run_ast(const std::string& file) {
  std::optional<std::string> text = read_text_file(file);
  if (!text) {
    fmt::print(stderr, "{}\n", tr("termijn: cannot read '{}'", file));
    return kUsage;
  }
  DiagnosticList diagnostics;
  ast::File parsed = parse_file(std::make_shared<SourceFile>(file, std::move(*text)), diagnostics);
  std::fputs(render(diagnostics).c_str(), stderr);
  std::fputs(ast::dump(parsed).c_str(), stdout);
  return diagnostics.has_errors() ? kErrors : kClean;
}

}  // namespace

int report(const Compilation& c, bool werror) { return report_diagnostics(c.diagnostics, c.unreadable, werror); }

void add_file_commands(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  struct Options {
    std::vector<std::string> paths;
    bool quiet = false;
    bool werror = false;
    std::string file, process, format = "dot", output, check_format = "text";
  };
  auto o = std::make_shared<Options>();

  auto* check = app.add_subcommand("check", "Check process, scenario and simulation files (and folders of them) for errors");
  check->add_option("paths", o->paths, "Files or folders (.wth, .scenario, .sim)")->required();
  check->add_flag("-q,--quiet", o->quiet, "Print only diagnostics");
  check->add_flag("--werror", o->werror, "Fail on warnings as on errors");
  check->add_option("--format", o->check_format, "text (default), json, or sarif (SARIF 2.1.0 for code-scanning tools)")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  check->callback([o, &global, &exit_code] {
    exit_code = run_check(o->paths, global, o->quiet, o->werror, o->check_format);
  });

  auto* graph = app.add_subcommand("graph", "Draw a process as a Graphviz diagram");
  graph->add_option("file", o->file, "Process file")->required();
  graph->add_option("--process", o->process, "Which process in the file (default: the first)");
  graph->add_option("--format", o->format, "dot or svg")->check(CLI::IsMember({"dot", "svg"}));
  graph->add_option("-o,--output", o->output, "Write to this file instead of standard output");
  graph->callback([o, &global, &exit_code] { exit_code = run_graph(o->file, o->process, o->format, o->output, global); });

  auto* ast = app.add_subcommand("ast", "Print the parsed form of a file, with source ranges");
  ast->add_option("file", o->file, "Process file")->required();
  ast->callback([o, &exit_code] { exit_code = run_ast(o->file); });
}

}  // namespace termijn::cli
