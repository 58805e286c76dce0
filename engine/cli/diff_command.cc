// diff: what a regional variant changes against its parent, or a version against the previous one.
#include <fmt/format.h>

#include <cstdio>
#include <utility>

#include "engine/cli/commands.h"
#include "engine/diff/diff.h"
#include "engine/driver/compilation.h"

namespace termijn::cli {

namespace {

using Pair = std::pair<const model::Process*, const model::Process*>;  // before, after

// The processes the named file itself declares (not those it imports), in file order.
std::vector<const model::Process*> declared(const Compilation& c) {
  std::vector<const model::Process*> out;
  for (int root : c.program.roots) {
    for (const auto& decl : c.program.files.at(root).processes) {
      if (const model::Process* p = c.model->find(decl.name.name)) out.push_back(p);
    }
  }
  return out;
}

// One file: each process in it that extends another, against that parent (restricted to `only`).
std::vector<Pair> variants_in(const Compilation& c, const std::string& only) {
  std::vector<Pair> out;
  for (const model::Process* p : declared(c)) {
    if (p->parent.empty() || (!only.empty() && p->name != only)) continue;
    if (const model::Process* parent = c.model->find(p->parent)) out.emplace_back(parent, p);
  }
  return out;
}

// Two files: the same process in both (an old and a new version), else a process of the second
// whose parent the first declares. `only` picks one process of the second file.
std::vector<Pair> across(const Compilation& a, const Compilation& b, const std::string& only) {
  std::vector<Pair> out;
  auto old = declared(a);
  auto find_old = [&old](const std::string& name) -> const model::Process* {
    for (const model::Process* p : old) {
      if (p->name == name) return p;
    }
    return nullptr;
  };
  for (const model::Process* p : declared(b)) {
    if (!only.empty() && p->name != only) continue;
    if (const model::Process* same = find_old(p->name)) out.emplace_back(same, p);
  }
  if (!out.empty()) return out;
  for (const model::Process* p : declared(b)) {
    if (!only.empty() && p->name != only) continue;
    if (const model::Process* parent = find_old(p->parent)) out.emplace_back(parent, p);
  }
  return out;
}

int run_diff(const std::vector<std::string>& files, const std::string& only, const std::string& format,
             const GlobalOptions& global) {
  if (files.size() > 2) {
    fmt::print(stderr, "{}\n", tr("termijn: diff compares one variant file with its parents, or two files"));
    return kUsage;
  }
  // Each file on its own: two versions of one process cannot be checked together.
  std::vector<Compilation> compiled;
  for (const auto& file : files) {
    compiled.push_back(compile_paths({file}, global.stdlib_dirs()));
    if (int code = report(compiled.back()); code != kClean) return code;
  }
  std::vector<Pair> pairs = files.size() == 1 ? variants_in(compiled[0], only) : across(compiled[0], compiled[1], only);
  if (pairs.empty()) {
    if (files.size() == 1) {
      fmt::print(stderr, "{}\n", tr("termijn: '{}' declares no process {}that extends another; name a second file "
                                    "to compare with", files[0], only.empty() ? "" : fmt::format("'{}' ", only)));
    } else {
      fmt::print(stderr, "{}\n", tr("termijn: '{}' and '{}' declare no process{} of the same name, nor one whose parent "
                                    "the first declares (--process picks one)",
                                    files[0], files[1], only.empty() ? "" : fmt::format(" '{}'", only)));
    }
    return kUsage;
  }
  bool differences = false;
  nlohmann::json all = nlohmann::json::array();
  std::string text;
  for (const auto& [before, after] : pairs) {
    diff::ProcessDiff d = diff::compare(*before, *after);
    differences = differences || !d.empty();
    if (format == "json") {
      all.push_back(diff::to_json(d));
    } else {
      text += (text.empty() ? "" : "\n") + diff::render_text(d);
    }
  }
  if (format == "json") {
    fmt::print("{}\n", all.dump(2));
  } else {
    std::fputs(text.c_str(), stdout);
  }
  return differences ? kErrors : kClean;
}

}  // namespace

void add_diff_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  struct Options {
    std::vector<std::string> files;
    std::string process, format = "text";
  };
  auto o = std::make_shared<Options>();
  auto* diff = app.add_subcommand("diff", "What a variant changes against its parent, or a version against the "
                                          "previous one: steps, terms and the timeline (exit 1 when they differ)");
  diff->add_option("files", o->files, "A variant file, or the old file and the new one (.wth)")->required()->expected(1, 2);
  diff->add_option("--process", o->process, "Compare only this process of the (last) file");
  diff->add_option("--format", o->format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
  diff->callback([o, &global, &exit_code] { exit_code = run_diff(o->files, o->process, o->format, global); });
}

}  // namespace termijn::cli
