// The two readings of a diff: text for a coordinator, JSON for tools.
#include <fmt/format.h>

#include "engine/base/language.h"
#include "engine/diff/diff.h"

namespace termijn::diff {

namespace {

nlohmann::json when_json(const When& w) {
  nlohmann::json j{{"known", w.known}, {"at", w.at}};
  if (w.known) {
    j["anchor"] = w.anchor;
    j["from"] = w.anchor_label;
  } else {
    j["condition"] = w.condition;
  }
  return j;
}

}  // namespace

std::string render_text(const ProcessDiff& d) {
  std::string out = tr("{} v{} against {} v{}", d.after_name, d.after_version, d.before_name, d.before_version) + "\n";
  if (d.empty()) return out + tr("no differences") + "\n";
  if (!d.process.empty()) {
    out += fmt::format("\n{}\n", tr("process"));
    for (const auto& c : d.process) {
      out += c.before.empty() ? fmt::format("  {}: {}\n", c.what, c.after)
                              : fmt::format("  {}: {} -> {}\n", c.what, c.before, c.after);
    }
  }
  if (!d.steps.empty()) {
    out += fmt::format("\n{}\n", tr("steps"));
    for (const auto& s : d.steps) {
      std::string title = s.title.empty() ? "" : fmt::format(" \"{}\"", s.title);
      if (s.status != StepStatus::kChanged) {
        std::string status = s.status == StepStatus::kAdded ? tr("added") : tr("removed");
        out += fmt::format("  {:<8}{}{}: {}\n", status, s.name, title, s.summary);
        continue;
      }
      out += "  " + tr("changed {}{}", s.name, title) + "\n";
      for (const auto& c : s.changes) {
        // One side only: a rung added or removed, or a list of what was added and removed.
        out += c.before.empty() || c.after.empty() ? fmt::format("      {}: {}{}\n", c.what, c.before, c.after)
                                                   : fmt::format("      {}: {} -> {}\n", c.what, c.before, c.after);
      }
    }
  }
  if (!d.terms.empty()) {
    out += fmt::format("\n{}\n", tr("terms"));
    for (const auto& t : d.terms) {
      if (t.before.empty()) {
        out += "  " + tr("{} = {} now used (\"{}\")", t.term, t.after, t.cite_after) + "\n";
      } else if (t.after.empty()) {
        out += "  " + tr("{} = {} no longer used", t.term, t.before) + "\n";
      } else {
        out += fmt::format("  {}: {} -> {} (\"{}\")\n", t.term, t.before, t.after, t.cite_after);
      }
    }
  }
  if (!d.timeline.empty()) {
    out += fmt::format("\n{}\n", tr("timeline"));
    std::string anchor;
    bool whenever = false;
    for (const auto& e : d.timeline) {
      if (e.when.known && e.when.anchor != anchor) {
        anchor = e.when.anchor;
        out += "  " + tr("counted from {}", e.when.anchor_label) + "\n";
      }
      if (e.when.known) {
        out += fmt::format("    {}: {}\n", e.when.at, e.text);
        continue;
      }
      if (!whenever) out += "  " + std::string(tr("whenever it happens (the model does not say when a step opens)")) + "\n";
      whenever = true;
      out += fmt::format("    {}: {}{}\n", e.when.at, e.text, e.when.condition.empty() ? "" : "; " + e.when.condition);
    }
  }
  return out;
}

nlohmann::json to_json(const ProcessDiff& d) {
  nlohmann::json j{{"before", {{"process", d.before_name}, {"version", d.before_version}}},
                   {"after", {{"process", d.after_name}, {"version", d.after_version}}},
                   {"differences", !d.empty()}};
  j["process"] = nlohmann::json::array();
  for (const auto& c : d.process) j["process"].push_back({{"what", c.what}, {"before", c.before}, {"after", c.after}});
  j["steps"] = nlohmann::json::array();
  for (const auto& s : d.steps) {
    nlohmann::json step{{"step", s.name}, {"status", to_string(s.status)}, {"kind", s.kind}, {"title", s.title}};
    if (s.status == StepStatus::kChanged) {
      step["changes"] = nlohmann::json::array();
      for (const auto& c : s.changes) step["changes"].push_back({{"what", c.what}, {"before", c.before}, {"after", c.after}});
    } else {
      step["summary"] = s.summary;
    }
    j["steps"].push_back(step);
  }
  j["terms"] = nlohmann::json::array();
  for (const auto& t : d.terms) {
    j["terms"].push_back({{"term", t.term}, {"before", t.before}, {"after", t.after}, {"cite_before", t.cite_before},
                          {"cite_after", t.cite_after}});
  }
  j["timeline"] = nlohmann::json::array();
  for (const auto& e : d.timeline) j["timeline"].push_back({{"when", when_json(e.when)}, {"step", e.step}, {"text", e.text}});
  return j;
}

}  // namespace termijn::diff
