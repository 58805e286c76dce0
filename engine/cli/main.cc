// termijn: the command line.
#include "engine/cli/commands.h"

#include <fmt/format.h>

#include <cstdlib>

#include "engine/base/language.h"
#include "engine/driver/compilation.h"

namespace termijn::cli {

std::vector<std::filesystem::path> GlobalOptions::stdlib_dirs() const {
  std::vector<std::filesystem::path> dirs(stdlib.begin(), stdlib.end());
  for (auto& d : default_stdlib_dirs()) dirs.push_back(d);
  return dirs;
}

EngineOptions GlobalOptions::engine_options(const std::string& db, Clock& clock) const {
  EngineOptions options{db, &clock, stdlib_dirs()};
  options.full_integrity_check = full_integrity_check;
  options.audit_key_file = audit_key_file;
  return options;
}

std::optional<store::AuditKey> GlobalOptions::audit_key() const {
  if (audit_key_file.empty()) return std::nullopt;
  return store::AuditKey::from_file(audit_key_file);
}

Actor operator_actor(const std::string& by) {
  if (!by.empty()) return Actor::host(by);
  const char* user = std::getenv("USER");
  return Actor::host(user != nullptr ? user : "");
}

int exit_code(const Status& status) {
  if (status.is_ok()) return kClean;
  return status.code() == StatusCode::kInternal ? kUsage : kErrors;
}

int report(const Status& status) {
  if (!status.is_ok()) fmt::print(stderr, "termijn: {}: {}\n", to_string(status.code()), status.message());
  return exit_code(status);
}

}  // namespace termijn::cli

int main(int argc, char** argv) {
  using namespace termijn::cli;
  // Dutch when LANG (or LC_ALL, LC_MESSAGES, LANGUAGE) says so, as gettext would choose.
  termijn::set_language(termijn::language_from_environment());
  CLI::App app{"termijn: a workflow engine for casework on legal terms"};
  app.require_subcommand(1);
  app.fallthrough();  // `termijn check --stdlib DIR x.wth` as well as `termijn --stdlib DIR check x.wth`
  // A TOML file of options (examples/termijn.toml): the global ones at the top, a command's in its
  // section ([serve]); a flag on the command line wins. A key no option has is an error, so a
  // misspelt option is not silently ignored. Set before the subcommands, which inherit it.
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.set_config("--config", "", "Read options from this TOML file; options given on the command line win");
  GlobalOptions global;
  // One folder per --stdlib, so `check --stdlib DIR a.wth` does not take a.wth as a second folder.
  app.add_option("--stdlib", global.stdlib, "Extra folder searched by 'import <name>'")->allow_extra_args(false);
  app.add_flag("--integrity-check", global.full_integrity_check,
               "Check the whole database with SQLite's integrity_check on open (default: quick_check)");
  app.add_option("--audit-key", global.audit_key_file,
                 "The key file of a keyed audit log (mode 600, 32 bytes or more; see docs/operations.md)")
      ->envname("TERMIJN_AUDIT_KEY_FILE");
  int exit_code = kClean;
  add_file_commands(app, global, exit_code);
  add_fmt_command(app, exit_code);
  add_diff_command(app, global, exit_code);
  add_case_commands(app, global, exit_code);
  add_serve_command(app, global, exit_code);
  add_admin_commands(app, global, exit_code);
  add_simulate_command(app, global, exit_code);
  add_test_command(app, global, exit_code);
  add_lsp_command(app, global, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kClean : kUsage;
  } catch (const std::exception& e) {
    // A row the open checks could not see was damaged (a flipped byte inside a stored text), or
    // the disk failed mid-command: say so and stop, with nothing half done (commands are
    // transactions).
    fmt::print(stderr, "{}\n", termijn::tr("termijn: cannot go on: {}", e.what()));
    return kUsage;
  }
  return exit_code;
}
