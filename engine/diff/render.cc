// The two readings of a diff: text for a coordinator, JSON for tools.
#include <fmt/format.h>

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
  std::string out = fmt::format("{} v{} against {} v{}\n", d.after_name, d.after_version, d.before_name, d.before_version);
  if (d.empty()) return out + "no differences\n";
  if (!d.process.empty()) {
    out += "\nprocess\n";
    for (const auto& c : d.process) {
      out += c.before.empty() ? fmt::format("  {}: {}\n", c.what, c.after)
                              : fmt::format("  {}: {} -> {}\n", c.what, c.before, c.after);
    }
  }
  if (!d.steps.empty()) {
    out += "\nsteps\n";
    for (const auto& s : d.steps) {
      std::string title = s.title.empty() ? "" : fmt::format(" \"{}\"", s.title);
      if (s.status != StepStatus::kChanged) {
        out += fmt::format("  {:<8}{}{}: {}\n", to_string(s.status), s.name, title, s.summary);
        continue;
      }
      out += fmt::format("  changed {}{}\n", s.name, title);
      for (const auto& c : s.changes) {
        // One side only: a rung added or removed, or a list of what was added and removed.
        out += c.before.empty() || c.after.empty() ? fmt::format("      {}: {}{}\n", c.what, c.before, c.after)
                                                   : fmt::format("      {}: {} -> {}\n", c.what, c.before, c.after);
      }
    }
  }
  if (!d.terms.empty()) {
    out += "\nterms\n";
    for (const auto& t : d.terms) {
      if (t.before.empty()) {
        out += fmt::format("  {} = {} now used (\"{}\")\n", t.term, t.after, t.cite_after);
      } else if (t.after.empty()) {
        out += fmt::format("  {} = {} no longer used\n", t.term, t.before);
      } else {
        out += fmt::format("  {}: {} -> {} (\"{}\")\n", t.term, t.before, t.after, t.cite_after);
      }
    }
  }
  if (!d.timeline.empty()) {
    out += "\ntimeline\n";
    std::string anchor;
    bool whenever = false;
    for (const auto& e : d.timeline) {
      if (e.when.known && e.when.anchor != anchor) {
        anchor = e.when.anchor;
        out += fmt::format("  counted from {}\n", e.when.anchor_label);
      }
      if (e.when.known) {
        out += fmt::format("    {}: {}\n", e.when.at, e.text);
        continue;
      }
      if (!whenever) out += "  whenever it happens (the model does not say when a step opens)\n";
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
