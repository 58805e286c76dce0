// check, graph, ast.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>

#include "engine/cli/commands.h"
#include "engine/driver/compilation.h"
#include "engine/frontend/ast_dump.h"
#include "engine/frontend/parser.h"
#include "engine/model/dot.h"

namespace termijn::cli {

namespace {


// Prints diagnostics and the count; returns the exit code the compilation deserves (with
// `werror`, a warning fails it as an error does).
int report(const Compilation& c, bool werror = false) {
  for (const auto& path : c.unreadable) fmt::print(stderr, "termijn: cannot read '{}'\n", path);
  std::fputs(render(c.diagnostics).c_str(), stderr);
  int errors = c.diagnostics.error_count();
  int warnings = c.diagnostics.warning_count();
  if (errors + warnings > 0) {
    fmt::print(stderr, "{} error{}, {} warning{}\n", errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
  }
  if (!c.unreadable.empty()) return kUsage;
  if (werror && warnings > 0 && errors == 0) fmt::print(stderr, "--werror: the warnings count as errors\n");
  return errors > 0 || (werror && warnings > 0) ? kErrors : kClean;
}

int run_check(const std::vector<std::string>& paths, const GlobalOptions& global, bool quiet, bool werror) {
  Compilation c = compile_paths(paths, global.stdlib_dirs());
  int code = report(c, werror);
  if (code == kClean && !quiet) {
    std::size_t files = c.program.files.size();
    fmt::print("{} file{} checked, {} process{} compiled\n", files, files == 1 ? "" : "s", c.model->processes.size(),
               c.model->processes.size() == 1 ? "" : "es");
    for (const auto& p : c.model->processes) {
      fmt::print("  {:<24} v{:<3} {:>3} nodes  {}{}\n", p->name, p->version, p->nodes.size(), p->hash.substr(0, 16),
                 p->parent.empty() ? "" : fmt::format("  (extends {})", p->parent));
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
      fmt::print(stderr, "termijn: no process '{}' in '{}'\n", process_name, file);
      return kUsage;
    }
  } else {
    const auto& root = c.program.files.at(c.program.roots.at(0));
    if (root.processes.empty()) {
      fmt::print(stderr, "termijn: '{}' declares no process to draw\n", file);
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
  if (std::system("command -v dot >/dev/null 2>&1") != 0) {
    fmt::print(stderr, "termijn: --format svg needs Graphviz's 'dot' program, which is not installed "
                       "(apt-get install graphviz); --format dot prints the diagram's source instead\n");
    return kUsage;
  }
  std::optional<std::string> svg = model::render_svg(dot);
  if (!svg) {
    fmt::print(stderr, "termijn: Graphviz's dot failed to draw '{}'\n", process->name);
    return kUsage;
  }
  if (output.empty() || output == "-") {
    std::fputs(svg->c_str(), stdout);
  } else {
    std::ofstream(output) << *svg;
  }
  return kClean;
}

// Prints the parsed form of one file with every node's source range (a debugging aid).
int run_ast(const std::string& file) {
  std::optional<std::string> text = read_text_file(file);
  if (!text) {
    fmt::print(stderr, "termijn: cannot read '{}'\n", file);
    return kUsage;
  }
  DiagnosticList diagnostics;
  ast::File parsed = parse_file(std::make_shared<SourceFile>(file, std::move(*text)), diagnostics);
  std::fputs(render(diagnostics).c_str(), stderr);
  std::fputs(ast::dump(parsed).c_str(), stdout);
  return diagnostics.has_errors() ? kErrors : kClean;
}

}  // namespace

void add_file_commands(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  struct Options {
    std::vector<std::string> paths;
    bool quiet = false;
    bool werror = false;
    std::string file, process, format = "dot", output;
  };
  auto o = std::make_shared<Options>();

  auto* check = app.add_subcommand("check", "Check process files (and folders of them) for errors");
  check->add_option("paths", o->paths, "Files or folders")->required();
  check->add_flag("-q,--quiet", o->quiet, "Print only diagnostics");
  check->add_flag("--werror", o->werror, "Fail on warnings as on errors");
  check->callback([o, &global, &exit_code] { exit_code = run_check(o->paths, global, o->quiet, o->werror); });

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
