#include "engine/api/http/metrics.h"

#include <fmt/format.h>

#include <cmath>

namespace termijn::http::metrics {

namespace {

// Backslash and newline are escaped everywhere; the double quote only in a label value, where it
// would end the value (HELP text keeps it as it is).
std::string escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) { return escape(value, true); }

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Counts stay exact and readable up to 2^53.
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
    return fmt::format("{}", static_cast<std::int64_t>(value));
  }
  return fmt::format("{}", value);  // the shortest text that reads back as the same double
}

void Exposition::family(std::string_view name, std::string_view help, std::string_view type) {
  text_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape(help, /*quote=*/false), name, type);
}

void Exposition::sample(std::string_view name, const std::vector<std::string>& label_names, const LabelValues& values,
                        double value) {
  text_ += name;
  if (!label_names.empty()) {
    text_ += '{';
    for (std::size_t i = 0; i < label_names.size(); ++i) {
      if (i > 0) text_ += ',';
      text_ += fmt::format("{}=\"{}\"", label_names[i], escape_label_value(i < values.size() ? values[i] : ""));
    }
    text_ += '}';
  }
  text_ += ' ';
  text_ += format_value(value);
  text_ += '\n';
}

double Counter::value(const LabelValues& values) const {
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second;
}

void Counter::write(Exposition& out) const {
  out.family(name_, help_, "counter");
  // A family without labels has one series, 0 until something is counted.
  if (label_names_.empty() && series_.empty()) out.sample(name_, 0);
  for (const auto& [values, value] : series_) out.sample(name_, label_names_, values, value);
}

void Histogram::observe(const LabelValues& values, double value) {
  Series& s = series_[values];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size() + 1, 0);
  std::size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  ++s.buckets[bucket];
  s.sum += value;
  ++s.count;
}

std::uint64_t Histogram::count(const LabelValues& values) const {
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second.count;
}

void Histogram::write(Exposition& out) const {
  out.family(name_, help_, "histogram");
  std::vector<std::string> with_le = label_names_;
  with_le.push_back("le");
  auto one = [&](const LabelValues& values, const Series& s) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += s.buckets.empty() ? 0 : s.buckets[i];
      LabelValues labelled = values;
      labelled.push_back(i < bounds_.size() ? format_value(bounds_[i]) : "+Inf");
      out.sample(name_ + "_bucket", with_le, labelled, static_cast<double>(cumulative));
    }
    out.sample(name_ + "_sum", label_names_, values, s.sum);
    out.sample(name_ + "_count", label_names_, values, static_cast<double>(s.count));
  };
  if (label_names_.empty() && series_.empty()) one({}, Series{});
  for (const auto& [values, s] : series_) one(values, s);
}

}  // namespace termijn::http::metrics
