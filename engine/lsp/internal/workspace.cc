#include "engine/lsp/internal/workspace.h"

#include <algorithm>
#include <set>

#include "engine/base/limits.h"
#include "engine/frontend/source_text.h"

namespace termijn::lsp::internal {

namespace fs = std::filesystem;

namespace {

// Files of the given extensions below `roots`, skipping hidden folders, build trees and npm's
// packages (a build tree can hold copies of the processes). Bounded in files found and entries
// visited, so that a workspace opened on a home folder (or /) cannot hold the server.
std::vector<std::string> files_below(const std::vector<fs::path>& roots, const std::set<std::string>& extensions) {
  constexpr std::size_t kMostFiles = 5000, kMostEntries = 50'000;
  std::vector<std::string> out;
  std::size_t entries = 0;
  for (const auto& root : roots) {
    std::error_code walking;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, walking), end;
    for (; !walking && it != end && out.size() < kMostFiles && ++entries <= kMostEntries; it.increment(walking)) {
      // An entry that cannot be looked at (a dangling link, an editor's lock file) is skipped;
      // it must not end the walk.
      std::error_code entry;
      std::string name = it->path().filename().string();
      if (it->is_directory(entry)) {
        if (name.starts_with('.') || name.starts_with("build") || name == "node_modules") it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(entry) && extensions.count(it->path().extension().string()) != 0) {
        out.push_back(it->path().lexically_normal().string());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t common_prefix(const std::string& a, const std::string& b) {
  std::size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

}  // namespace

std::vector<std::string> Analysis::files() const {
  std::vector<std::string> out;
  if (check.source) out.push_back(check.source->path());
  if (program) {
    for (const auto& f : program->program.files) out.push_back(f.source->path());
  }
  return out;
}

std::optional<std::vector<std::string>> Workspace::open(const std::string& path, Document document) {
  if (documents_.count(path) == 0 && documents_.size() >= limits::kLspOpenDocuments) return std::nullopt;
  documents_[path] = std::move(document);
  return invalidate(path);
}

std::optional<std::vector<std::string>> Workspace::change(const std::string& path, std::string text, std::int64_t version) {
  auto it = documents_.find(path);
  if (it == documents_.end()) return std::nullopt;
  it->second.text = std::move(text);
  it->second.version = version;
  return invalidate(path);
}

std::vector<std::string> Workspace::close(const std::string& path) {
  documents_.erase(path);
  return invalidate(path);
}

const Document* Workspace::document(const std::string& path) const {
  auto it = documents_.find(path);
  return it == documents_.end() ? nullptr : &it->second;
}

std::map<std::string, std::string> Workspace::unsaved() const {
  std::map<std::string, std::string> out;
  for (const auto& [path, document] : documents_) out.emplace(path, document.text);
  return out;
}

const Analysis& Workspace::analysis(const std::string& path) {
  if (auto it = analyses_.find(path); it != analyses_.end()) return it->second;
  std::map<std::string, std::string> texts = unsaved();
  Analysis a;
  a.check = tooling::check_document(path, stdlib_dirs_, texts);
  if (a.check.format == tooling::Format::kProcess) {
    a.program = std::move(a.check.compilation);
  } else if (a.check.format == tooling::Format::kScenario) {
    std::vector<std::string> processes;
    for (const auto& s : a.check.scenarios) {
      std::string file = s.file.lexically_normal().string();
      if (!file.empty() && std::find(processes.begin(), processes.end(), file) == processes.end()) processes.push_back(file);
    }
    a.program = compile_paths(processes, stdlib_dirs_, texts);
  }
  if (a.program) {
    a.index = std::make_unique<tooling::SymbolIndex>(a.program->program);
    a.index->add_scenarios(a.check.scenarios);
  }
  return analyses_.emplace(path, std::move(a)).first->second;
}

std::vector<std::string> Workspace::invalidate(const std::string& path) {
  whole_.reset();
  std::vector<std::string> readers;
  for (auto it = analyses_.begin(); it != analyses_.end();) {
    auto files = it->second.files();
    if (it->first != path && std::find(files.begin(), files.end(), path) == files.end()) {
      ++it;
      continue;
    }
    if (it->first != path && documents_.count(it->first) != 0) readers.push_back(it->first);
    it = analyses_.erase(it);
  }
  return readers;
}

const WorkspaceIndex& Workspace::whole(const std::string& near) {
  if (whole_) return *whole_;
  std::set<std::string> found;
  for (const auto& path : files_below(roots_, {".wth", ".scenario"})) found.insert(path);
  for (const auto& [path, _] : documents_) found.insert(path);
  std::vector<std::string> processes, scenarios;
  for (const auto& path : found) {
    auto format = tooling::format_of(path);
    if (format == tooling::Format::kProcess) processes.push_back(path);
    if (format == tooling::Format::kScenario) scenarios.push_back(path);
  }
  // At most a program's worth of each, those nearest the document first.
  auto nearest = [&near](std::vector<std::string>& paths) {
    if (paths.size() <= limits::kFilesPerProgram) return;
    std::stable_sort(paths.begin(), paths.end(), [&](const std::string& a, const std::string& b) {
      return common_prefix(a, near) > common_prefix(b, near);
    });
    paths.resize(limits::kFilesPerProgram);
  };
  nearest(processes);
  nearest(scenarios);
  std::map<std::string, std::string> texts = unsaved();
  Compilation c = compile_paths(processes, stdlib_dirs_, texts);
  WorkspaceIndex out{std::make_unique<tooling::SymbolIndex>(c.program), c.model};
  for (const auto& path : scenarios) {
    std::optional<std::string> text;
    if (auto open = texts.find(path); open != texts.end()) {
      text = open->second;
    } else {
      text = read_text_file(path);
    }
    if (!text) continue;
    DiagnosticList ignored;
    out.index->add_scenarios(scenario::parse(std::make_shared<SourceFile>(path, std::move(*text)), ignored));
  }
  whole_ = std::move(out);
  return *whole_;
}

}  // namespace termijn::lsp::internal
