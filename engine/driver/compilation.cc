#include "engine/driver/compilation.h"

#include <algorithm>
#include <cstdlib>

#include "engine/checker/checker.h"

namespace termijn {

namespace fs = std::filesystem;

namespace {

Compilation finish(ProgramLoader& loader, Compilation c) {
  c.program = loader.finish();
  // Syntax errors and missing imports first: a checker run on a half-parsed file mostly
  // reports the parser's guesses.
  c.model = c.diagnostics.has_errors() ? std::make_shared<model::Model>()
                                       : check_program(c.program, c.diagnostics);
  return c;
}

}  // namespace

Compilation compile_paths(const std::vector<std::string>& paths, const std::vector<fs::path>& stdlib_dirs) {
  Compilation c;
  ProgramLoader loader(stdlib_dirs);
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".wth") files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) {
        if (!loader.add_file(file, c.diagnostics)) c.unreadable.push_back(file.string());
      }
    } else if (!loader.add_file(path, c.diagnostics)) {
      c.unreadable.push_back(path);
    }
  }
  return finish(loader, std::move(c));
}

Compilation compile_sources(const std::map<std::string, std::string>& files, const std::vector<fs::path>& stdlib_dirs) {
  Compilation c;
  ProgramLoader loader(stdlib_dirs);
  loader.use_sources(files, /*only=*/true);
  for (const auto& [path, text] : files) loader.add_text(path, text, c.diagnostics);
  return finish(loader, std::move(c));
}


std::vector<fs::path> default_stdlib_dirs() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("TERMIJN_STDLIB"); env != nullptr && *env != '\0') dirs.emplace_back(env);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path beside = exe.parent_path().parent_path() / "stdlib";
    if (fs::is_directory(beside, ec)) dirs.push_back(beside);
  }
#ifdef TERMIJN_SOURCE_STDLIB
  dirs.emplace_back(TERMIJN_SOURCE_STDLIB);
#endif
  return dirs;
}

}  // namespace termijn
