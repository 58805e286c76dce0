// fmt: .wth and .scenario files in their canonical layout (engine/format/format.h).
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "engine/base/limits.h"
#include "engine/cli/commands.h"
#include "engine/format/format.h"
#include "engine/frontend/source_text.h"

namespace termijn::cli {

namespace {

namespace fs = std::filesystem;

struct FmtOptions {
  std::vector<std::string> paths;
  bool check = false;  // name the files that would change, exit 1 if any; write nothing
  bool diff = false;   // print what would change as a unified diff; write nothing
  std::string stdin_name = "<stdin>";  // what standard input holds: its kind and its name in messages
};

bool formattable(const fs::path& path) { return path.extension() == ".wth" || path.extension() == ".scenario"; }

// The files named, with every .wth and .scenario file below a named folder, in name order; `-`
// stays `-`.
std::vector<std::string> expand(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& path : paths) {
    std::error_code ec;
    if (path != "-" && fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
        if (entry.is_regular_file() && formattable(entry.path())) found.push_back(entry.path().string());
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(path);
    }
  }
  return out;
}

// Standard input, at most one byte past the source limit (admit_source then says it is too large).
std::string read_stdin() {
  std::string text;
  char buffer[65536];
  while (text.size() <= limits::kSourceBytes) {
    std::size_t n = std::fread(buffer, 1, sizeof buffer, stdin);
    if (n == 0) break;
    text.append(buffer, n);
  }
  if (text.size() > limits::kSourceBytes + 1) text.resize(limits::kSourceBytes + 1);
  return text;
}

// Replaces `path` by `text` whole or not at all: a new file beside it, renamed over it.
bool write_in_place(const fs::path& path, const std::string& text) {
  fs::path temporary = path;
  temporary += ".fmt-tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out.flush()) return false;
  }
  std::error_code ec;
  fs::permissions(temporary, fs::status(path, ec).permissions(), ec);
  fs::rename(temporary, path, ec);
  if (ec) fs::remove(temporary, ec);
  return !ec;
}

// Formats one file (or standard input); the exit code it deserves.
int format_one(const std::string& path, const FmtOptions& o) {
  bool from_stdin = path == "-";
  if (!from_stdin && !formattable(path)) {
    // .sim files have no canonical layout yet; reading one as .wth would only report nonsense.
    fmt::print(stderr, "{}\n", tr("termijn: fmt lays out .wth and .scenario files only, not '{}'", path));
    return kUsage;
  }
  std::optional<std::string> text = from_stdin ? read_stdin() : read_text_file(path);
  if (!text) {
    fmt::print(stderr, "{}\n", tr("termijn: cannot read '{}'", path));
    return kUsage;
  }
  std::string name = from_stdin ? o.stdin_name : path;
  DiagnosticList diagnostics;
  std::optional<std::string> formatted = format::format_source(std::make_shared<SourceFile>(name, *text), diagnostics);
  if (!formatted) {
    std::fputs(render(diagnostics).c_str(), stderr);
    fmt::print(stderr, "{}\n", tr("termijn: '{}' is left as it is", name));
    return kErrors;
  }
  bool changes = *formatted != *text;
  if (o.diff) std::fputs(format::unified_diff(name, *text, *formatted).c_str(), stdout);
  if (o.check) {
    if (changes) fmt::print("{}\n", name);
    return changes ? kErrors : kClean;
  }
  if (o.diff) return kClean;
  if (from_stdin) {
    std::fwrite(formatted->data(), 1, formatted->size(), stdout);
    return kClean;
  }
  if (changes && !write_in_place(path, *formatted)) {
    fmt::print(stderr, "{}\n", tr("termijn: cannot write '{}'", path));
    return kUsage;
  }
  return kClean;
}

int run_fmt(const FmtOptions& o) {
  int code = kClean;
  for (const auto& path : expand(o.paths)) code = std::max(code, format_one(path, o));
  return code;
}

}  // namespace

void add_fmt_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<FmtOptions>();
  auto* fmt = app.add_subcommand("fmt", "Rewrite .wth and .scenario files (and folders of them) in the canonical layout");
  fmt->add_option("paths", o->paths, "Files or folders; '-' reads standard input and writes standard output")
      ->required();
  fmt->add_flag("--check", o->check, "Write nothing; name the files that would change and exit 1 if any would");
  fmt->add_flag("--diff", o->diff, "Write nothing; print what would change as a unified diff");
  fmt->add_option("--stdin-name", o->stdin_name,
                  "The file standard input holds ('-'): a name ending in .scenario lays it out as a scenario");
  fmt->callback([o, &exit_code] { exit_code = run_fmt(*o); });
}

}  // namespace termijn::cli
