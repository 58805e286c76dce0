#include "engine/tooling/diagnostic_formats.h"

#include "engine/base/language.h"
#include "engine/base/utf8.h"
#include "engine/tooling/uri.h"

namespace termijn::tooling {

namespace {

// A 1-based byte column as a 1-based character column.
int character_column(const SourceRange& range, const SourcePos& pos) {
  if (range.file == nullptr || pos.column < 1) return pos.column;
  return static_cast<int>(range.file->units_before(pos.line, static_cast<std::size_t>(pos.column - 1), ColumnUnit::kCodePoints)) + 1;
}

Json position(const SourceRange& range, const SourcePos& pos) {
  return {{"line", pos.line}, {"column", character_column(range, pos)}};
}

Json diagnostic_json(const Diagnostic& d) {
  Json out = {{"severity", to_string(d.severity)}, {"message", d.message}};
  if (d.range.valid()) {
    out["file"] = d.range.file->path();
    out["range"] = {{"start", position(d.range, d.range.begin)}, {"end", position(d.range, d.range.end)}};
  }
  if (!d.notes.empty()) {
    out["notes"] = Json::array();
    for (const auto& n : d.notes) out["notes"].push_back(diagnostic_json(n));
  }
  return out;
}

bool name_like(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Json artifact(const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_absolute()) return {{"uri", file_uri(p)}};
  return {{"uri", percent_encode(p.lexically_normal().generic_string(), "/")}, {"uriBaseId", "%SRCROOT%"}};
}

Json sarif_region(const SourceRange& range) {
  return {{"startLine", range.begin.line},
          {"startColumn", character_column(range, range.begin)},
          {"endLine", range.end.line},
          {"endColumn", character_column(range, range.end)}};
}

Json sarif_location(const SourceRange& range) {
  return {{"physicalLocation", {{"artifactLocation", artifact(range.file->path())}, {"region", sarif_region(range)}}}};
}

}  // namespace

std::string suggested_replacement(const Diagnostic& diagnostic) {
  // The words did_you_mean wrote, in the language in force: " (did you mean '{}'?)" split at its
  // placeholder.
  std::string_view marker = tr(" (did you mean '{}'?)");
  auto placeholder = marker.find("{}");
  if (placeholder == std::string_view::npos) return "";
  std::string_view open = marker.substr(0, placeholder), close = marker.substr(placeholder + 2);
  auto at = diagnostic.message.rfind(open);
  if (at == std::string::npos || !diagnostic.range.valid() || !diagnostic.fixable) return "";
  auto from = at + open.size();
  auto to = diagnostic.message.find(close, from);
  if (to == std::string::npos) return "";
  std::string suggestion = diagnostic.message.substr(from, to - from);
  if (diagnostic.range.begin.line != diagnostic.range.end.line) return "";
  if (!name_like(suggestion) || !name_like(diagnostic.range.text())) return "";
  return suggestion;
}

Json diagnostics_json(const std::vector<Diagnostic>& diagnostics, const std::vector<std::string>& unreadable) {
  Json out = {{"diagnostics", Json::array()}, {"errors", 0}, {"warnings", 0}, {"unreadable", unreadable}};
  int errors = 0, warnings = 0;
  for (const auto& d : diagnostics) {
    out["diagnostics"].push_back(diagnostic_json(d));
    errors += d.severity == Severity::kError;
    warnings += d.severity == Severity::kWarning;
  }
  out["errors"] = errors;
  out["warnings"] = warnings;
  return out;
}

Json sarif_log(const std::vector<Diagnostic>& diagnostics, const std::vector<std::string>& unreadable,
               const std::string& tool_version) {
  // termijn's diagnostics carry no rule codes: the rule is the kind of finding.
  Json rules = Json::array({
      {{"id", "termijn/error"}, {"shortDescription", {{"text", "The file cannot be used as written"}}},
       {"defaultConfiguration", {{"level", "error"}}}},
      {{"id", "termijn/warning"}, {"shortDescription", {{"text", "The file works, but probably not as meant"}}},
       {"defaultConfiguration", {{"level", "warning"}}}},
      {{"id", "termijn/unreadable"}, {"shortDescription", {{"text", "A named file could not be read"}}},
       {"defaultConfiguration", {{"level", "error"}}}},
  });
  Json results = Json::array();
  for (const auto& d : diagnostics) {
    bool error = d.severity == Severity::kError;
    Json result = {{"ruleId", error ? "termijn/error" : "termijn/warning"},
                   {"ruleIndex", error ? 0 : 1},
                   {"level", error ? "error" : d.severity == Severity::kWarning ? "warning" : "note"},
                   {"message", {{"text", d.message}}}};
    if (d.range.valid()) result["locations"] = Json::array({sarif_location(d.range)});
    Json related = Json::array();
    for (const auto& n : d.notes) {
      if (!n.range.valid()) continue;
      Json location = sarif_location(n.range);
      location["id"] = related.size();
      location["message"] = {{"text", n.message}};
      related.push_back(std::move(location));
    }
    if (!related.empty()) result["relatedLocations"] = std::move(related);
    if (std::string fix = suggested_replacement(d); !fix.empty()) {
      result["fixes"] = Json::array({{{"description", {{"text", "Use '" + fix + "'"}}},
                                      {"artifactChanges",
                                       Json::array({{{"artifactLocation", artifact(d.range.file->path())},
                                                     {"replacements", Json::array({{{"deletedRegion", sarif_region(d.range)},
                                                                                    {"insertedContent", {{"text", fix}}}}})}}})}}});
    }
    results.push_back(std::move(result));
  }
  for (const auto& path : unreadable) {
    results.push_back({{"ruleId", "termijn/unreadable"},
                       {"ruleIndex", 2},
                       {"level", "error"},
                       {"message", {{"text", "cannot read '" + path + "'"}}},
                       {"locations", Json::array({{{"physicalLocation", {{"artifactLocation", artifact(path)}}}}})}});
  }
  Json run = {{"tool", {{"driver", {{"name", "termijn"},
                                    {"version", tool_version},
                                    {"rules", rules}}}}},
              {"columnKind", "unicodeCodePoints"},
              {"results", results}};
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  if (!ec) {
    std::string root = file_uri(cwd);
    if (!root.ends_with('/')) root += '/';
    run["originalUriBaseIds"] = {{"%SRCROOT%", {{"uri", root}}}};
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"}, {"version", "2.1.0"}, {"runs", Json::array({run})}};
}

}  // namespace termijn::tooling
