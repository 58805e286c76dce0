// Loads .wth files and, transitively, what they import. Each file is read and parsed once,
// however often it is imported; a file sees its own declarations and those of its imports.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/frontend/ast.h"
#include "engine/frontend/source_text.h"

namespace termijn {

struct LoadedProgram {
  std::vector<ast::File> files;
  // visible[i]: the files whose declarations file i may use (itself and its imports, transitively).
  std::vector<std::vector<int>> visible;
  // The files the caller asked for, in order (imports come along but are not roots).
  std::vector<int> roots;
  // modules[i]: the standard library module file i was imported as (`import wth`), or "".
  std::vector<std::string> modules;
};

class ProgramLoader {
 public:
  // `stdlib_dirs` are searched for `import name` (as name.wth).
  explicit ProgramLoader(std::vector<std::filesystem::path> stdlib_dirs);

  // Reads and parses `path` and its imports. Returns false when `path` itself cannot be read
  // (an I/O problem, not a diagnostic); unreadable imports are diagnostics.
  bool add_file(const std::filesystem::path& path, DiagnosticList& diagnostics);
  // Parses text that did not come from disk (an API upload); imports resolve against `path`'s folder.
  void add_text(const std::string& path, std::string text, DiagnosticList& diagnostics);

  // Files to read from memory instead of disk, by path: a deployed definition is recompiled
  // from the exact sources it was deployed with, whatever is on disk now.
  // `only`: path imports never read the disk (an upload must not reach the server's files).
  // `import name` never resolves to one of these texts: the standard library comes from
  // `stdlib_dirs`, or from `use_stdlib` (an upload can never shadow it).
  void use_sources(std::map<std::string, std::string> sources, bool only = false) {
    sources_ = std::move(sources);
    sources_only_ = only;
  }
  // Recompiling a deployed definition: `import name` reads the path recorded for `name` from
  // the sources, the module exactly as it was when the definition was deployed.
  void use_stdlib(std::map<std::string, std::string> module_paths) { stdlib_paths_ = std::move(module_paths); }
  // Definitions deployed before modules were recorded: `import name` takes a source whose file
  // name is name.wth, as it did then, so they recompile to the same model.
  void use_legacy_stdlib_lookup() { legacy_stdlib_lookup_ = true; }

  LoadedProgram finish();

 private:
  // Where an import's text comes from: a text given in memory, or a file on disk.
  struct Located {
    std::filesystem::path path;
    bool in_memory = false;
  };
  int load(const Located& where, std::string text, DiagnosticList& diagnostics, const std::string& module = "");
  std::optional<Located> resolve(const ast::Import& import, const std::filesystem::path& importer) const;

  std::vector<std::filesystem::path> stdlib_dirs_;
  std::map<std::string, std::string> sources_;
  bool sources_only_ = false;
  std::map<std::string, std::string> stdlib_paths_;
  bool legacy_stdlib_lookup_ = false;
  LoadedProgram program_;
  std::vector<std::vector<int>> imports_;
  std::map<std::string, int> by_key_;
};


}  // namespace termijn
