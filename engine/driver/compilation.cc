#include "engine/driver/compilation.h"

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

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

Compilation compile_paths(const std::vector<std::string>& paths, const std::vector<fs::path>& stdlib_dirs,
                          const std::map<std::string, std::string>& unsaved) {
  Compilation c;
  ProgramLoader loader(stdlib_dirs);
  if (!unsaved.empty()) loader.use_sources(unsaved);
  auto add = [&](const fs::path& file) {
    if (auto open = unsaved.find(file.lexically_normal().string()); open != unsaved.end()) {
      loader.add_text(open->first, open->second, c.diagnostics);
    } else if (!loader.add_file(file, c.diagnostics)) {
      c.unreadable.push_back(file.string());
    }
  };
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> files;
      // A folder that may not be read is left out, not a reason to stop.
      for (fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
           it.increment(ec)) {
        std::error_code entry;
        if (it->is_regular_file(entry) && it->path().extension() == ".wth") files.push_back(it->path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) add(file);
    } else {
      add(path);
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


namespace {

// The file this code was linked into: the program (bin/termijn, a test, a host linked
// statically) or the shared library a host loaded (lib/libtermijn.so.0). dladdr names a
// library by its path; the program's own entry has no name, so it is read from /proc.
std::pair<fs::path, bool> code_file() {
  static const char marker = 0;
  Dl_info info{};
  link_map* map = nullptr;
  std::error_code ec;
  if (dladdr1(&marker, &info, reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) != 0 && map != nullptr &&
      map->l_name != nullptr && map->l_name[0] != '\0') {
    return {fs::weakly_canonical(map->l_name, ec), true};
  }
  return {fs::read_symlink("/proc/self/exe", ec), false};
}

}  // namespace

std::vector<fs::path> default_stdlib_dirs() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("TERMIJN_STDLIB"); env != nullptr && *env != '\0') dirs.emplace_back(env);
  auto [file, is_library] = code_file();
  if (file.empty()) return dirs;
  std::error_code ec;
  // Installed, the standard library is in DATADIR/termijn/stdlib, found from where the code
  // is, so a tree installed under any prefix (cmake --install --prefix, a .deb) finds its own
  // and never another one's (cmake/packaging.cmake computes the relative paths).
  fs::path installed = file.parent_path() / (is_library ? TERMIJN_STDLIB_FROM_LIBDIR : TERMIJN_STDLIB_FROM_BINDIR);
  if (fs::is_directory(installed, ec)) dirs.push_back(installed.lexically_normal());
  // Code running from the build tree uses the sources it was built from; installed code never
  // does, even on the machine that built it.
  fs::path in_build = file.lexically_relative(fs::weakly_canonical(TERMIJN_BUILD_DIR, ec));
  if (!in_build.empty() && *in_build.begin() != "..") dirs.emplace_back(TERMIJN_SOURCE_STDLIB);
  return dirs;
}

}  // namespace termijn
