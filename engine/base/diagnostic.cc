#include "engine/base/diagnostic.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "engine/base/language.h"
#include "engine/base/limits.h"
#include "engine/base/utf8.h"

namespace termijn {

void DiagnosticList::error(const SourceRange& range, std::string message,
                           std::vector<Diagnostic> notes) {
  add(Diagnostic{Severity::kError, range, std::move(message), std::move(notes)});
}

void DiagnosticList::warning(const SourceRange& range, std::string message,
                             std::vector<Diagnostic> notes) {
  add(Diagnostic{Severity::kWarning, range, std::move(message), std::move(notes)});
}

void DiagnosticList::add(Diagnostic diagnostic) {
  // The file by its path: a list outlives the files it only counted, and a new file may be held
  // where a freed one was.
  auto place = [](const SourceRange& range) {
    const SourceFile* file = range.file.get();
    return std::hash<std::string_view>{}(file != nullptr ? std::string_view(file->path()) : "") ^
           (static_cast<std::size_t>(range.begin.line) << 20) ^ static_cast<std::size_t>(range.begin.column);
  };
  std::size_t hash = std::hash<std::string>{}(diagnostic.message) ^ (place(diagnostic.range) * 0x9E3779B97F4A7C15ULL);
  // A variant's complaint about each of several inherited steps is said at its `extends`, the step
  // in a note: one complaint per note.
  for (const auto& n : diagnostic.notes) hash = hash * 31 + place(n.range);
  bool repeat = !seen_.insert(hash).second;
  auto same_place = [](const SourceRange& a, const SourceRange& b) { return a.file == b.file && a.begin == b.begin; };
  if (repeat && items_.size() < limits::kDiagnostics) {
    // Kept so far: make sure, since two different diagnostics may share a hash.
    repeat = std::any_of(items_.begin(), items_.end(), [&](const Diagnostic& existing) {
      return existing.message == diagnostic.message && same_place(existing.range, diagnostic.range) &&
             std::equal(existing.notes.begin(), existing.notes.end(), diagnostic.notes.begin(), diagnostic.notes.end(),
                        [&](const Diagnostic& a, const Diagnostic& b) { return same_place(a.range, b.range); });
    });
  }
  if (repeat) return;
  if (items_.size() >= limits::kDiagnostics) {
    ++(diagnostic.severity == Severity::kWarning ? dropped_warnings_ : dropped_errors_);
    return;
  }
  items_.push_back(std::move(diagnostic));
}

void DiagnosticList::count_not_kept(const DiagnosticList& other) {
  dropped_errors_ += other.dropped_errors_;
  dropped_warnings_ += other.dropped_warnings_;
}

bool DiagnosticList::has_errors() const { return error_count() > 0; }

int DiagnosticList::error_count() const {
  return dropped_errors_ + static_cast<int>(std::count_if(items_.begin(), items_.end(), [](const auto& d) {
           return d.severity == Severity::kError;
         }));
}

int DiagnosticList::warning_count() const {
  return dropped_warnings_ + static_cast<int>(std::count_if(items_.begin(), items_.end(), [](const auto& d) {
           return d.severity == Severity::kWarning;
         }));
}

std::vector<Diagnostic> DiagnosticList::sorted() const {
  std::vector<Diagnostic> out = items_;
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    auto key = [](const Diagnostic& d) {
      return std::make_tuple(d.range.file ? d.range.file->path() : std::string(),
                             d.range.begin.line, d.range.begin.column);
    };
    return key(a) < key(b);
  });
  return out;
}

const char* to_string(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

namespace {

// The most of a source line shown under a diagnostic.
constexpr std::size_t kExcerptBytes = 240;

// The word before a diagnostic's message, in the language of the reader (to_string stays English
// for the formats machines read).
const char* severity_word(Severity s) {
  switch (s) {
    case Severity::kError: return tr("error");
    case Severity::kWarning: return tr("warning");
    case Severity::kNote: return tr("note");
  }
  return tr("error");
}

void render_into(std::string& out, const Diagnostic& d) {
  if (!d.range.valid()) {
    out += fmt::format("{}: {}: {}\n", d.range.file ? d.range.file->path() : "termijn",
                       severity_word(d.severity), d.message);
  } else {
    out += fmt::format("{}: {}: {}\n", d.range.location(), severity_word(d.severity), d.message);
    std::string_view line = d.range.file->line(d.range.begin.line);
    std::size_t caret = std::min(static_cast<std::size_t>(std::max(d.range.begin.column, 1) - 1), line.size());
    std::size_t width = 1;
    if (d.range.end.line == d.range.begin.line && d.range.end.column > d.range.begin.column) {
      width = static_cast<std::size_t>(d.range.end.column - d.range.begin.column);
    }
    // A window of a long line: from a little before the caret, at most kExcerptBytes, cut at
    // character boundaries and marked with "...".
    std::size_t from = caret > kExcerptBytes / 3 ? caret - kExcerptBytes / 3 : 0;
    while (from > 0 && is_utf8_continuation(line[from])) --from;
    std::size_t to = std::min(line.size(), from + kExcerptBytes);
    while (to < line.size() && is_utf8_continuation(line[to])) --to;
    std::string_view before = from > 0 ? "..." : "";
    out += fmt::format("  {}{}{}\n  {}", before, line.substr(from, to - from), to < line.size() ? "..." : "",
                       std::string(before.size(), ' '));
    // Keep tabs so the caret lines up under the offending text.
    for (std::size_t i = from; i < caret; ++i) out += line[i] == '\t' ? '\t' : ' ';
    out += '^';
    out += std::string((to < line.size() ? std::min(width, to - caret) : width) - 1, '~');
    out += '\n';
  }
  for (const auto& note : d.notes) render_into(out, note);
}

// Optimal string alignment distance: a swap of two neighbouring letters ("rihg"/"righ") counts
// as one typo, as people make them. Three rows of the table, not all of it.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> two_back(b.size() + 1), back(b.size() + 1), row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) back[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({back[j] + 1, row[j - 1] + 1, back[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = std::min(row[j], two_back[j - 2] + 1);
    }
    std::swap(two_back, back);
    std::swap(back, row);
  }
  return back[b.size()];
}

// Suggestions are for typos in names people type: a longer name gets none, and only the first
// candidates are compared, so a file of thousands of unknown names among thousands of declared
// ones (or of 8,000-byte names) cannot make each mistake cost a table of its square.
constexpr std::size_t kSuggestedNameBytes = 64;
constexpr std::size_t kSuggestionCandidates = 1'000;

}  // namespace

std::string render(const Diagnostic& diagnostic) {
  std::string out;
  render_into(out, diagnostic);
  return out;
}

std::string render(const DiagnosticList& list) {
  std::string out;
  for (const auto& d : list.sorted()) render_into(out, d);
  if (list.not_kept() > 0) {
    out += trn("{} more diagnostic is not shown (limit: diagnostics)\n",
               "{} more diagnostics are not shown (limit: diagnostics)\n", list.not_kept(), list.not_kept());
  }
  return out;
}

std::string closest_match(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  if (name.size() > kSuggestedNameBytes) return best;
  std::size_t best_distance = std::max<std::size_t>(1, name.size() / 3) + 1;
  for (std::size_t i = 0; i < candidates.size() && i < kSuggestionCandidates; ++i) {
    const std::string& candidate = candidates[i];
    // The distance is at least the difference in length.
    std::size_t apart = candidate.size() > name.size() ? candidate.size() - name.size() : name.size() - candidate.size();
    if (candidate == name || apart >= best_distance) continue;
    std::size_t d = edit_distance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best = closest_match(name, candidates);
  return best.empty() ? std::string() : tr(" (did you mean '{}'?)", best);
}

}  // namespace termijn
