#include "engine/format/format.h"

#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <memory>

#include "engine/base/limits.h"
#include "engine/format/internal/layout.h"
#include "engine/format/internal/refusal.h"
#include "engine/frontend/ast_dump.h"
#include "engine/frontend/layout_tokens.h"

namespace termijn::format {
namespace {

// The AST as its dump shows it, without the source ranges ("@3:5-3:9"), which a new layout moves.
std::string shape(const ast::File& file) {
  std::string dump = ast::dump(file);
  std::string out;
  out.reserve(dump.size());
  for (std::size_t i = 0; i < dump.size(); ++i) {
    if (dump[i] == '@' && i + 1 < dump.size() && std::isdigit(static_cast<unsigned char>(dump[i + 1]))) {
      while (i + 1 < dump.size() && (std::isdigit(static_cast<unsigned char>(dump[i + 1])) || dump[i + 1] == ':' ||
                                     dump[i + 1] == '-')) {
        ++i;
      }
      continue;
    }
    out += dump[i];
  }
  return out;
}

bool same_tokens(const std::vector<LayoutToken>& a, const std::vector<LayoutToken>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].kind != b[i].kind || internal::kept_text(a[i]) != internal::kept_text(b[i])) return false;
  }
  return true;
}

// Why `text`, the new layout of `original`, may not replace it; empty when it may.
std::string refusal(const LayoutFile& original, const SourceFilePtr& source, const std::string& text) {
  DiagnosticList diagnostics;
  std::optional<LayoutFile> again = parse_layout(std::make_shared<SourceFile>(source->path(), text), diagnostics);
  if (!again) {
    std::string why = diagnostics.all().empty() ? std::string("no reason given") : diagnostics.all().front().message;
    return "the new layout does not parse: " + why;
  }
  if (!same_tokens(original.tokens, again->tokens)) return "the new layout holds other tokens or comments";
  if (shape(original.file) != shape(again->file)) return "the new layout parses to another AST";
  if (internal::layout(again->tokens) != text) return "laying out the new layout changes it again";
  return {};
}

}  // namespace

std::optional<std::string> format_wth(const SourceFilePtr& source, DiagnosticList& diagnostics) {
  std::optional<LayoutFile> parsed = parse_layout(source, diagnostics);
  if (!parsed) return std::nullopt;
  std::string text = internal::layout(parsed->tokens);
  // A text over the source limit is refused before it is parsed again (it could not be).
  std::string why = text.size() > limits::kSourceBytes ? std::string() : refusal(*parsed, source, text);
  if (internal::refuse(source, text, why, diagnostics)) return std::nullopt;
  return text;
}

std::optional<std::string> format_source(const SourceFilePtr& source, DiagnosticList& diagnostics) {
  bool scenario = std::filesystem::path(source->path()).extension() == ".scenario";
  return scenario ? format_scenario(source, diagnostics) : format_wth(source, diagnostics);
}

}  // namespace termijn::format
