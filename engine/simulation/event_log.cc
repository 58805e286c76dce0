#include "engine/simulation/event_log.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <string_view>

namespace termijn::simulation {

namespace {

// "2026-10-30T13:35:00.250Z": to_iso_utc gives the whole second; the milliseconds go before the Z.
std::string iso_millis(Instant t) {
  auto second = std::chrono::floor<std::chrono::seconds>(t);
  std::string text = to_iso_utc(Instant(second));
  if (!text.empty() && text.back() == 'Z') text.pop_back();
  return fmt::format("{}.{:03}Z", text, (t - Instant(second)).count());
}

// Hours from `from` to `to` with three decimals, from whole milliseconds (a thousandth of an hour
// is 3600 ms), rounded half away from zero: no floating point, so no "-0.000" and no platform
// differences.
std::string hours_between(Instant from, Instant to) {
  std::int64_t ms = (to - from).count();
  bool negative = ms < 0;
  std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(ms) : static_cast<std::uint64_t>(ms);
  std::uint64_t thousandths = (magnitude + 1800) / 3600;
  if (thousandths == 0) negative = false;
  return fmt::format("{}{}.{:03}", negative ? "-" : "", thousandths / 1000, thousandths % 1000);
}

// RFC 4180: a field with a comma, a quote, CR or LF is quoted, its quotes doubled.
std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

// Text for an XML 1.0 attribute value. Names come from .wth and .sim files nobody vetted, so:
// markup characters become entities; tab, LF and CR become character references (an attribute
// value's whitespace is otherwise normalised to spaces by the reader); characters XML 1.0 does
// not allow (other control characters, U+FFFE, U+FFFF) and bytes that are not well-formed UTF-8
// become U+FFFD, the replacement character.
std::string xml_text(std::string_view s) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      switch (b) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        case '\t': out += "&#9;"; break;
        case '\n': out += "&#10;"; break;
        case '\r': out += "&#13;"; break;
        default:
          if (b < 0x20) {
            out += kReplacement;
          } else {
            out += static_cast<char>(b);
          }
      }
      ++i;
      continue;
    }
    // A multi-byte sequence: its length and smallest code point by the lead byte (RFC 3629).
    std::size_t length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    char32_t code = b & (0x7F >> length);
    char32_t least = length == 4 ? 0x10000 : length == 3 ? 0x800 : 0x80;
    if (b < 0xC2 || b > 0xF4) length = 0;  // a continuation byte, or a lead byte RFC 3629 never uses
    bool valid = length > 0 && i + length <= s.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) {
        valid = false;
      } else {
        code = (code << 6) | (c & 0x3F);
      }
    }
    valid = valid && code >= least && code <= 0x10FFFF && !(code >= 0xD800 && code <= 0xDFFF);
    if (!valid) {
      out += kReplacement;  // a byte that starts no well-formed sequence
      ++i;
      continue;
    }
    if (code == 0xFFFE || code == 0xFFFF) {
      out += kReplacement;  // well-formed UTF-8, but not a character XML allows
    } else {
      out.append(s.substr(i, length));
    }
    i += length;
  }
  return out;
}

// The standard lifecycle transition of an audit kind: tasks start, complete or are aborted;
// everything else is an instantaneous event, complete when it happens.
std::string_view transition(const std::string& kind) {
  if (kind == "task opened") return "start";
  if (kind == "task cancelled") return "ate_abort";
  return "complete";
}

}  // namespace

std::string event_log_csv(const SimulationResult& result) {
  std::string out = "scenario,replication,case,stream,measured,time,hours_after_arrival,kind,activity,role,detail\n";
  for (const ScenarioResult& scenario : result.scenarios) {
    std::string name = csv_field(scenario.name);
    for (std::size_t r = 0; r < scenario.replications.size(); ++r) {
      for (const CaseRecord& c : scenario.replications[r].cases) {
        std::string prefix =
            fmt::format("{},{},{},{},{}", name, r, c.index, csv_field(c.stream), c.measured ? "true" : "false");
        for (const CaseEvent& e : c.events) {
          out += fmt::format("{},{},{},{},{},{},{}\n", prefix, iso_millis(e.at), hours_between(c.arrival, e.at),
                             csv_field(e.kind), csv_field(e.activity), csv_field(e.role), csv_field(e.detail));
        }
      }
    }
  }
  return out;
}

std::string event_log_xes(const SimulationResult& result) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!-- termijn simulate: the kept cases of every scenario, an event per audit entry -->\n"
      "<log xes.version=\"1.0\" xes.features=\"nested-attributes\" xmlns=\"http://www.xes-standard.org/\">\n"
      "  <extension name=\"Concept\" prefix=\"concept\" uri=\"http://www.xes-standard.org/concept.xesext\"/>\n"
      "  <extension name=\"Lifecycle\" prefix=\"lifecycle\" uri=\"http://www.xes-standard.org/lifecycle.xesext\"/>\n"
      "  <extension name=\"Organizational\" prefix=\"org\" uri=\"http://www.xes-standard.org/org.xesext\"/>\n"
      "  <extension name=\"Time\" prefix=\"time\" uri=\"http://www.xes-standard.org/time.xesext\"/>\n"
      "  <global scope=\"trace\">\n"
      "    <string key=\"concept:name\" value=\"\"/>\n"
      "    <string key=\"scenario\" value=\"\"/>\n"
      "    <int key=\"replication\" value=\"0\"/>\n"
      "    <int key=\"case\" value=\"0\"/>\n"
      "    <string key=\"stream\" value=\"\"/>\n"
      "    <boolean key=\"measured\" value=\"false\"/>\n"
      "  </global>\n"
      "  <global scope=\"event\">\n"
      "    <string key=\"concept:name\" value=\"\"/>\n"
      "    <string key=\"lifecycle:transition\" value=\"complete\"/>\n"
      "    <date key=\"time:timestamp\" value=\"1970-01-01T00:00:00.000Z\"/>\n"
      "    <string key=\"termijn:kind\" value=\"\"/>\n"
      "  </global>\n"
      "  <classifier name=\"Activity\" keys=\"concept:name lifecycle:transition\"/>\n"
      // A timer's setting, firing and moving (or a task's escalation and its completion) share
      // a name and a transition; with the audit kind they are told apart.
      "  <classifier name=\"Audit entry\" keys=\"termijn:kind concept:name\"/>\n";
  out += fmt::format("  <string key=\"concept:name\" value=\"{}\"/>\n",
                     xml_text(result.title.empty() ? std::string("termijn simulation") : result.title));
  out += "  <string key=\"lifecycle:model\" value=\"standard\"/>\n";
  out += fmt::format("  <string key=\"termijn:seed\" value=\"{}\"/>\n", result.seed);
  for (const ScenarioResult& scenario : result.scenarios) {
    std::string name = xml_text(scenario.name);
    for (std::size_t r = 0; r < scenario.replications.size(); ++r) {
      for (const CaseRecord& c : scenario.replications[r].cases) {
        out += "  <trace>\n";
        out += fmt::format("    <string key=\"concept:name\" value=\"{}/{}/{}\"/>\n", name, r, c.index);
        out += fmt::format("    <string key=\"scenario\" value=\"{}\"/>\n", name);
        out += fmt::format("    <int key=\"replication\" value=\"{}\"/>\n", r);
        out += fmt::format("    <int key=\"case\" value=\"{}\"/>\n", c.index);
        out += fmt::format("    <string key=\"stream\" value=\"{}\"/>\n", xml_text(c.stream));
        out += fmt::format("    <boolean key=\"measured\" value=\"{}\"/>\n", c.measured ? "true" : "false");
        if (!c.end_reason.empty()) {
          out += fmt::format("    <string key=\"end_reason\" value=\"{}\"/>\n", xml_text(c.end_reason));
        }
        for (const CaseEvent& e : c.events) {
          out += "    <event>\n";
          out += fmt::format("      <string key=\"concept:name\" value=\"{}\"/>\n",
                             xml_text(e.activity.empty() ? e.kind : e.activity));
          out += fmt::format("      <string key=\"lifecycle:transition\" value=\"{}\"/>\n", transition(e.kind));
          if (!e.role.empty()) out += fmt::format("      <string key=\"org:role\" value=\"{}\"/>\n", xml_text(e.role));
          out += fmt::format("      <date key=\"time:timestamp\" value=\"{}\"/>\n", iso_millis(e.at));
          out += fmt::format("      <string key=\"termijn:kind\" value=\"{}\"/>\n", xml_text(e.kind));
          out += "    </event>\n";
        }
        out += "  </trace>\n";
      }
    }
  }
  out += "</log>\n";
  return out;
}

}  // namespace termijn::simulation
