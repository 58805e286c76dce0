// Counters, histograms and gauges in the Prometheus text exposition format, version 0.0.4
// (`Content-Type: text/plain; version=0.0.4; charset=utf-8`).
//
// Written by hand rather than with Debian's prometheus-cpp: the format needs three kinds of
// metric and one escaping rule (about 150 lines here), while prometheus-cpp brings a library with
// its own registry, locking and timestamps for values that one thread (the engine's) owns and
// reads. The tests parse the output with an independent parser (Python's prometheus_client).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace termijn::http::metrics {

// The label values of one series, in the order of the family's label names.
using LabelValues = std::vector<std::string>;

// "\" -> "\\", '"' -> "\"", newline -> "\n" (the format's escaping of label values).
std::string escape_label_value(std::string_view value);
// A sample value: integers without a fraction, "+Inf", "-Inf", "NaN".
std::string format_value(double value);

// The text of one scrape, family by family.
class Exposition {
 public:
  // `# HELP` and `# TYPE` lines; `type` is "counter", "gauge" or "histogram".
  void family(std::string_view name, std::string_view help, std::string_view type);
  void sample(std::string_view name, const std::vector<std::string>& label_names, const LabelValues& values,
              double value);
  void sample(std::string_view name, double value) { sample(name, {}, {}, value); }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// A monotonically increasing count per label values.
class Counter {
 public:
  Counter(std::string name, std::string help, std::vector<std::string> label_names = {})
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}
  void add(const LabelValues& values, double by = 1) { series_[values] += by; }
  double value(const LabelValues& values = {}) const;
  void write(Exposition& out) const;

 private:
  std::string name_, help_;
  std::vector<std::string> label_names_;
  std::map<LabelValues, double> series_;
};

// Observations counted into cumulative buckets, with their sum and count.
class Histogram {
 public:
  // `bounds`: the buckets' upper bounds, ascending; "+Inf" is added.
  Histogram(std::string name, std::string help, std::vector<double> bounds, std::vector<std::string> label_names = {})
      : name_(std::move(name)), help_(std::move(help)), bounds_(std::move(bounds)), label_names_(std::move(label_names)) {}
  void observe(const LabelValues& values, double value);
  std::uint64_t count(const LabelValues& values = {}) const;
  void write(Exposition& out) const;

 private:
  struct Series {
    std::vector<std::uint64_t> buckets;  // per bound, not cumulative; the last is +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  std::string name_, help_;
  std::vector<double> bounds_;
  std::vector<std::string> label_names_;
  std::map<LabelValues, Series> series_;
};

}  // namespace termijn::http::metrics
