// termijn: the command line. Exit codes: 0 clean, 1 the input has errors, 2 usage or I/O trouble.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>

#include "engine/driver/compilation.h"
#include "engine/frontend/ast_dump.h"
#include "engine/frontend/parser.h"
#include "engine/model/dot.h"

namespace {

namespace fs = std::filesystem;
using termijn::Compilation;

constexpr int kClean = 0;
constexpr int kErrors = 1;
constexpr int kUsage = 2;

std::vector<fs::path> stdlib_dirs(const std::vector<std::string>& extra) {
  std::vector<fs::path> dirs(extra.begin(), extra.end());
  for (auto& d : termijn::default_stdlib_dirs()) dirs.push_back(d);
  return dirs;
}

// Prints diagnostics and the count; returns the exit code the compilation deserves.
int report(const Compilation& c) {
  for (const auto& path : c.unreadable) fmt::print(stderr, "termijn: cannot read '{}'\n", path);
  std::string text = termijn::render(c.diagnostics);
  std::fputs(text.c_str(), stderr);
  int errors = c.diagnostics.error_count();
  int warnings = c.diagnostics.warning_count();
  if (errors + warnings > 0) {
    fmt::print(stderr, "{} error{}, {} warning{}\n", errors, errors == 1 ? "" : "s", warnings,
               warnings == 1 ? "" : "s");
  }
  if (!c.unreadable.empty()) return kUsage;
  return errors > 0 ? kErrors : kClean;
}

int run_check(const std::vector<std::string>& paths, const std::vector<std::string>& stdlib, bool quiet) {
  Compilation c = termijn::compile_paths(paths, stdlib_dirs(stdlib));
  int code = report(c);
  if (code == kClean && !quiet) {
    std::size_t files = c.program.files.size();
    fmt::print("{} file{} checked, {} process{} compiled\n", files, files == 1 ? "" : "s",
               c.model->processes.size(), c.model->processes.size() == 1 ? "" : "es");
    for (const auto& p : c.model->processes) {
      fmt::print("  {:<24} v{:<3} {:>3} nodes  {}{}\n", p->name, p->version, p->nodes.size(), p->hash.substr(0, 16),
                 p->parent.empty() ? "" : fmt::format("  (extends {})", p->parent));
    }
  }
  return code;
}

int run_graph(const std::string& file, const std::string& process_name, const std::string& format,
              const std::string& output, const std::vector<std::string>& stdlib) {
  Compilation c = termijn::compile_paths({file}, stdlib_dirs(stdlib));
  if (int code = report(c); code != kClean) return code;
  const termijn::model::Process* process = nullptr;
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
  std::string dot = termijn::model::to_dot(*process);

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
  fs::path dot_file = fs::temp_directory_path() / fmt::format("termijn-{}-{}.dot", process->name, ::getpid());
  std::ofstream(dot_file) << dot;
  std::string target = output.empty() || output == "-" ? std::string() : fmt::format(" -o '{}'", output);
  int rc = std::system(fmt::format("dot -Tsvg '{}'{}", dot_file.string(), target).c_str());
  fs::remove(dot_file);
  if (rc != 0) {
    fmt::print(stderr, "termijn: Graphviz's dot failed to draw '{}'\n", process->name);
    return kUsage;
  }
  return kClean;
}

// Prints the parsed form of one file with every node's source range (a debugging aid).
int run_ast(const std::string& file) {
  std::optional<std::string> text = termijn::read_text_file(file);
  if (!text) {
    fmt::print(stderr, "termijn: cannot read '{}'\n", file);
    return kUsage;
  }
  termijn::DiagnosticList diagnostics;
  termijn::ast::File parsed = termijn::parse_file(std::make_shared<termijn::SourceFile>(file, std::move(*text)), diagnostics);
  std::fputs(termijn::render(diagnostics).c_str(), stderr);
  std::fputs(termijn::ast::dump(parsed).c_str(), stdout);
  return diagnostics.has_errors() ? kErrors : kClean;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"termijn: a workflow engine for casework on legal terms"};
  app.require_subcommand(1);
  app.fallthrough();  // `termijn check --stdlib DIR x.wth` as well as `termijn --stdlib DIR check x.wth`
  std::vector<std::string> stdlib;
  app.add_option("--stdlib", stdlib, "Extra folder searched by 'import <name>'");

  bool quiet = false;
  std::vector<std::string> paths;
  auto* check = app.add_subcommand("check", "Check process files (and folders of them) for errors");
  check->add_option("paths", paths, "Files or folders")->required();
  check->add_flag("-q,--quiet", quiet, "Print only diagnostics");

  std::string graph_file, process_name, format = "dot", output;
  auto* graph = app.add_subcommand("graph", "Draw a process as a Graphviz diagram");
  graph->add_option("file", graph_file, "Process file")->required();
  graph->add_option("--process", process_name, "Which process in the file (default: the first)");
  graph->add_option("--format", format, "dot or svg")->check(CLI::IsMember({"dot", "svg"}));
  graph->add_option("-o,--output", output, "Write to this file instead of standard output");

  std::string ast_file;
  auto* ast = app.add_subcommand("ast", "Print the parsed form of a file, with source ranges");
  ast->add_option("file", ast_file, "Process file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kClean : kUsage;
  }
  if (check->parsed()) return run_check(paths, stdlib, quiet);
  if (ast->parsed()) return run_ast(ast_file);
  if (graph->parsed()) return run_graph(graph_file, process_name, format, output, stdlib);
  return kUsage;
}
