// One call from file paths to checked model: what the CLI, the tests and the benchmark share.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/frontend/loader.h"
#include "engine/model/model.h"

namespace termijn {

struct Compilation {
  LoadedProgram program;
  std::shared_ptr<const model::Model> model;
  DiagnosticList diagnostics;
  std::vector<std::string> unreadable;  // paths that could not be read (I/O, not diagnostics)
};

// `paths` may name files or folders (every .wth below a folder, in name order). `unsaved` holds
// texts an editor has open, by path: they stand in for those files, named or imported (what
// `termijn lsp` checks is what the coordinator sees, saved or not).
Compilation compile_paths(const std::vector<std::string>& paths,
                          const std::vector<std::filesystem::path>& stdlib_dirs,
                          const std::map<std::string, std::string>& unsaved = {});

// The same for texts in memory, by path (an upload); imports between them resolve by path.
Compilation compile_sources(const std::map<std::string, std::string>& files,
                            const std::vector<std::filesystem::path>& stdlib_dirs);

// Where `import name` looks: $TERMIJN_STDLIB, then the installed stdlib beside the program or
// shared library holding this code (bin/../share/termijn/stdlib), then, only for code that runs
// from the build tree, the source tree's stdlib/ it was built from.
std::vector<std::filesystem::path> default_stdlib_dirs();

}  // namespace termijn
