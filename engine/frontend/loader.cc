#include "engine/frontend/loader.h"

#include <fmt/format.h>

#include <fstream>
#include <set>
#include <sstream>

#include "engine/frontend/parser.h"

namespace termijn {

namespace fs = std::filesystem;

std::optional<std::string> read_text_file(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

ProgramLoader::ProgramLoader(std::vector<fs::path> stdlib_dirs) : stdlib_dirs_(std::move(stdlib_dirs)) {}

bool ProgramLoader::add_file(const fs::path& path, DiagnosticList& diagnostics) {
  std::optional<std::string> text = read_text_file(path);
  if (!text) return false;
  int id = load(path, std::move(*text), diagnostics);
  program_.roots.push_back(id);
  return true;
}

void ProgramLoader::add_text(const std::string& path, std::string text, DiagnosticList& diagnostics) {
  program_.roots.push_back(load(path, std::move(text), diagnostics));
}

std::optional<std::string> ProgramLoader::read(const fs::path& path, bool disk) const {
  if (auto it = sources_.find(path.string()); it != sources_.end()) return it->second;
  if (!disk) return std::nullopt;
  return read_text_file(path);
}

std::optional<fs::path> ProgramLoader::resolve(const ast::Import& import, const fs::path& importer) const {
  std::error_code ec;
  if (import.is_path) {
    fs::path candidate = (importer.parent_path() / import.target).lexically_normal();
    if (sources_.count(candidate.string()) != 0) return candidate;
    if (!sources_only_ && fs::is_regular_file(candidate, ec)) return candidate;
    return std::nullopt;
  }
  // From memory: the stdlib file the definition was deployed with, wherever it lived then.
  for (const auto& [path, _] : sources_) {
    if (fs::path(path).filename() == import.target + ".wth") return fs::path(path);
  }
  for (const auto& dir : stdlib_dirs_) {
    fs::path candidate = (dir / (import.target + ".wth")).lexically_normal();
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  return std::nullopt;
}

int ProgramLoader::load(const fs::path& path, std::string text, DiagnosticList& diagnostics) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  std::string key = ec ? path.lexically_normal().string() : canonical.string();
  if (auto it = by_canonical_path_.find(key); it != by_canonical_path_.end()) return it->second;

  int id = static_cast<int>(program_.files.size());
  by_canonical_path_[key] = id;
  auto source = std::make_shared<SourceFile>(path.lexically_normal().string(), std::move(text));
  program_.files.push_back(parse_file(source, diagnostics));
  imports_.emplace_back();

  // Copy: loading imports grows program_.files and would invalidate a reference.
  std::vector<ast::Import> imports = program_.files[id].imports;
  for (const auto& import : imports) {
    std::optional<fs::path> target = resolve(import, path);
    if (!target) {
      diagnostics.error(import.range,
                        import.is_path
                            ? fmt::format("cannot find imported file '{}'", import.target)
                            : fmt::format("cannot find '{}' in the standard library", import.target));
      continue;
    }
    // The stdlib is ours to read; an uploaded file's own path imports stay in the upload.
    std::optional<std::string> imported_text = read(*target, !(import.is_path && sources_only_));
    if (!imported_text) {
      diagnostics.error(import.range, fmt::format("cannot read imported file '{}'", target->string()));
      continue;
    }
    int imported = load(*target, std::move(*imported_text), diagnostics);
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
