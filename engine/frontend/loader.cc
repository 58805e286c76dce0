#include "engine/frontend/loader.h"

#include <fmt/format.h>

#include <set>

#include "engine/base/language.h"
#include "engine/base/limits.h"
#include "engine/frontend/parser.h"

namespace termijn {

namespace fs = std::filesystem;

ProgramLoader::ProgramLoader(std::vector<fs::path> stdlib_dirs) : stdlib_dirs_(std::move(stdlib_dirs)) {}

bool ProgramLoader::add_file(const fs::path& path, DiagnosticList& diagnostics) {
  std::optional<std::string> text = read_text_file(path);
  if (!text) return false;
  int id = load(Located{path, false}, std::move(*text), diagnostics);
  program_.roots.push_back(id);
  return true;
}

void ProgramLoader::add_text(const std::string& path, std::string text, DiagnosticList& diagnostics) {
  program_.roots.push_back(load(Located{path, true}, std::move(text), diagnostics));
}

std::optional<ProgramLoader::Located> ProgramLoader::resolve(const ast::Import& import, const fs::path& importer) const {
  std::error_code ec;
  if (import.is_path) {
    fs::path candidate = (importer.parent_path() / import.target).lexically_normal();
    if (sources_.count(candidate.string()) != 0) return Located{candidate, true};
    // An uploaded file's own path imports stay in the upload.
    if (!sources_only_ && fs::is_regular_file(candidate, ec)) return Located{candidate, false};
    return std::nullopt;
  }
  // From memory: the stdlib module the definition was deployed with, wherever it lived then.
  if (auto recorded = stdlib_paths_.find(import.target); recorded != stdlib_paths_.end()) {
    if (sources_.count(recorded->second) != 0) return Located{recorded->second, true};
  }
  if (legacy_stdlib_lookup_) {
    for (const auto& [path, _] : sources_) {
      if (fs::path(path).filename() == import.target + ".wth") return Located{path, true};
    }
  }
  // The stdlib is ours to read, from its folders only: no text given in memory stands in for it.
  for (const auto& dir : stdlib_dirs_) {
    fs::path candidate = (dir / (import.target + ".wth")).lexically_normal();
    if (fs::is_regular_file(candidate, ec)) return Located{candidate, false};
  }
  return std::nullopt;
}

int ProgramLoader::load(const Located& where, std::string text, DiagnosticList& diagnostics, const std::string& module) {
  // Texts from memory are known by their path as given, files by their canonical path: an
  // upload named like a file on the server's disk is never taken for that file.
  std::string key = "memory:" + where.path.lexically_normal().string();
  if (!where.in_memory) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(where.path, ec);
    key = ec ? "disk:" + where.path.lexically_normal().string() : "disk:" + canonical.string();
  }
  if (auto it = by_key_.find(key); it != by_key_.end()) {
    if (!module.empty()) program_.modules[it->second] = module;
    return it->second;
  }

  int id = static_cast<int>(program_.files.size());
  by_key_[key] = id;
  program_.modules.push_back(module);
  auto source = std::make_shared<SourceFile>(where.path.lexically_normal().string(), std::move(text));
  program_.files.push_back(parse_file(source, diagnostics));
  imports_.emplace_back();

  // Copy: loading imports grows program_.files and would invalidate a reference.
  std::vector<ast::Import> imports = program_.files[id].imports;
  for (const auto& import : imports) {
    if (program_.files.size() >= limits::kFilesPerProgram) {
      diagnostics.error(import.range, tr("a program may have at most {} files (limit: files per program)",
                                         limits::kFilesPerProgram));
      break;
    }
    std::optional<Located> target = resolve(import, where.path);
    if (!target) {
      diagnostics.error(import.range,
                        import.is_path
                            ? tr("cannot find imported file '{}'", import.target)
                            : tr("cannot find '{}' in the standard library", import.target));
      continue;
    }
    std::optional<std::string> imported_text =
        target->in_memory ? std::optional<std::string>(sources_.at(target->path.string())) : read_text_file(target->path);
    if (!imported_text) {
      diagnostics.error(import.range, tr("cannot read imported file '{}'", target->path.string()));
      continue;
    }
    int imported = load(*target, std::move(*imported_text), diagnostics, import.is_path ? "" : import.target);
    imports_[id].push_back(imported);
  }
  return id;
}

LoadedProgram ProgramLoader::finish() {
  program_.visible.assign(program_.files.size(), {});
  for (std::size_t i = 0; i < program_.files.size(); ++i) {
    std::set<int> seen{static_cast<int>(i)};
    std::vector<int> work{static_cast<int>(i)};
    while (!work.empty()) {
      int f = work.back();
      work.pop_back();
      for (int imported : imports_[f]) {
        if (seen.insert(imported).second) work.push_back(imported);
      }
    }
    program_.visible[i].assign(seen.begin(), seen.end());
  }
  return std::move(program_);
}

}  // namespace termijn
