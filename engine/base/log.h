// The server's log: one line per event on stderr (journald takes it from there). JSON lines for
// machines, `{"ts": "...", "level": "info", "event": "http.listening", "msg": "...", ...}`, or
// lines for a person (time, level, message). No globals: whoever logs is handed a Logger (a format and a stream, cheap to copy).
//
// What may go in a log: what the server does and why it failed. Never a token, and never case
// data: a case is named by its number, a person not at all.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace termijn {

enum class LogFormat { kJson, kText };
enum class LogLevel { kInfo, kWarning, kError };

// "json" or "text"; nothing for anything else.
std::optional<LogFormat> parse_log_format(std::string_view name);

class Logger {
 public:
  // `out` nullptr: lines are dropped (a fuzzer).
  explicit Logger(LogFormat format = LogFormat::kText, std::FILE* out = stderr) : format_(format), out_(out) {}

  // `event`: a fixed dotted name to filter on ("delivery.failed"); `message`: for a person;
  // `fields`: an object of values a machine may read (numbers, names), added to the line.
  void log(LogLevel level, std::string_view event, std::string_view message,
           const nlohmann::json& fields = nlohmann::json::object()) const;
  void info(std::string_view event, std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) const {
    log(LogLevel::kInfo, event, message, fields);
  }
  void warning(std::string_view event, std::string_view message,
               const nlohmann::json& fields = nlohmann::json::object()) const {
    log(LogLevel::kWarning, event, message, fields);
  }
  void error(std::string_view event, std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) const {
    log(LogLevel::kError, event, message, fields);
  }

  LogFormat format() const { return format_; }

 private:
  LogFormat format_;
  std::FILE* out_;
};

}  // namespace termijn
