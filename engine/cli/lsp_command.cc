// lsp: the language server an editor starts (editors/vscode, docs/coordinators.md).
#include <iostream>

#include "engine/cli/commands.h"
#include "engine/lsp/server.h"

namespace termijn::cli {

void add_lsp_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto* lsp = app.add_subcommand("lsp", "Serve the Language Server Protocol on standard input and output (for editors)");
  // Editors' clients pass the transport they chose; standard input and output is the only one.
  auto stdio = std::make_shared<bool>(true);
  lsp->add_flag("--stdio", *stdio, "Talk over standard input and output (the default and only transport)");
  lsp->callback([stdio, &global, &exit_code] {
    std::ios::sync_with_stdio(false);
    exit_code = lsp::serve(std::cin, std::cout, global.stdlib_dirs());
  });
}

}  // namespace termijn::cli
