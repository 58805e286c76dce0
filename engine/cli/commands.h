// The termijn command line, one file per group of subcommands. Exit codes: 0 done, 1 the input
// has errors or the engine refused the command, 2 usage or I/O trouble.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/api/engine.h"
#include "engine/base/status.h"

namespace termijn {
struct Compilation;
}

namespace termijn::cli {

constexpr int kClean = 0;
constexpr int kErrors = 1;
constexpr int kUsage = 2;

struct GlobalOptions {
  std::vector<std::string> stdlib;  // extra folders for `import name`
  bool full_integrity_check = false;  // --integrity-check: SQLite's integrity_check on open
  std::string audit_key_file;  // --audit-key or TERMIJN_AUDIT_KEY_FILE: a keyed database's key
  std::vector<std::filesystem::path> stdlib_dirs() const;
  // The audit key, read from its file; nothing when none is given. Throws SqliteError.
  std::optional<store::AuditKey> audit_key() const;
  // How every command opens a database.
  EngineOptions engine_options(const std::string& db, Clock& clock) const;
};

// check, graph, ast: working with process files.
void add_file_commands(CLI::App& app, const GlobalOptions& global, int& exit_code);
// deploy, start, cases, tasks, timers, complete, signal, update, cancel, incidents, audit: a database.
void add_case_commands(CLI::App& app, const GlobalOptions& global, int& exit_code);
// fmt: .wth files in the canonical layout.
void add_fmt_command(CLI::App& app, int& exit_code);
// test: coordinators' scenario files.
void add_test_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
// token, purge, backup, restore: administering a database.
void add_admin_commands(CLI::App& app, const GlobalOptions& global, int& exit_code);
// simulate: scenarios of legal terms compared on the virtual clock.
void add_simulate_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
// diff: what a variant changes against its parent, or a version against the previous one.
void add_diff_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
// lsp: the language server for editors.
void add_lsp_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
// serve: the engine on real time.
void add_serve_command(CLI::App& app, const GlobalOptions& global, int& exit_code);

// The exit code for an engine status: 0 ok, 2 when the engine or its store failed, else 1.
int exit_code(const Status& status);
// Maps an engine status to an exit code, printing the reason.
int report(const Status& status);

// Prints a compilation's diagnostics and unreadable files as `check` does; returns 0, 1 for errors
// (and, with `werror`, warnings), or 2 when a file could not be read.
int report(const Compilation& compilation, bool werror = false);

// Who administers from the command line, for the audit log: `by`, or the login name.
Actor operator_actor(const std::string& by);

}  // namespace termijn::cli
