// User mistakes are values: a Diagnostic has a severity, a message and the source range it is
// about. Stages collect them in a DiagnosticList and keep going; nothing is thrown.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "engine/base/language.h"
#include "engine/base/source.h"

namespace termijn {

enum class Severity { kError, kWarning, kNote };
// "error", "warning", "note": as diagnostics print it.
const char* to_string(Severity severity);

struct Diagnostic {
  Severity severity = Severity::kError;
  SourceRange range;
  std::string message;
  // Notes attached to this diagnostic (e.g. "previous definition is here").
  std::vector<Diagnostic> notes;
  // False where the range is not the text the message is about (a variant's complaint about an
  // inherited step, placed at its `extends`): no quick fix may replace what is there.
  bool fixable = true;
};

inline Diagnostic note(const SourceRange& range, std::string message) {
  return Diagnostic{Severity::kNote, range, std::move(message), {}};
}

class DiagnosticList {
 public:
  void error(const SourceRange& range, std::string message, std::vector<Diagnostic> notes = {});
  void warning(const SourceRange& range, std::string message, std::vector<Diagnostic> notes = {});
  // Adds unless an identical diagnostic (same place, same text, notes at the same places) came
  // before: a variant re-checks its parent's steps and must not repeat the parent's complaints.
  // Past limits::kDiagnostics it is only counted, once however often it comes.
  void add(Diagnostic diagnostic);
  // Counts what `other` counted but did not keep, as if this list had been offered it too.
  void count_not_kept(const DiagnosticList& other);

  // The diagnostics kept (at most limits::kDiagnostics).
  const std::vector<Diagnostic>& all() const { return items_; }
  bool has_errors() const;
  // Errors and warnings, those past the limit included.
  int error_count() const;
  int warning_count() const;
  // How many were counted but not kept.
  int not_kept() const { return dropped_errors_ + dropped_warnings_; }
  // Sorted by file, line, column so that output is stable whatever order the checks ran in.
  std::vector<Diagnostic> sorted() const;

 private:
  std::vector<Diagnostic> items_;
  // A hash of the place and text of every diagnostic added, kept or not, so that telling a repeat
  // takes one lookup rather than a pass over the list.
  std::unordered_set<std::size_t> seen_;
  int dropped_errors_ = 0;
  int dropped_warnings_ = 0;
};

// Renders like clang: "path:line:col: error: message", the source line and a caret under the range.
// A long line is shown as a window of it around the caret.
std::string render(const Diagnostic& diagnostic);
std::string render(const DiagnosticList& list);

// The closest candidate by edit distance, or "" when none is close enough to suggest.
std::string closest_match(const std::string& name, const std::vector<std::string>& candidates);
// " (did you mean 'x'?)" or "".
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace termijn
