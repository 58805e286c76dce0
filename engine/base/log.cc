#include "engine/base/log.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

namespace termijn {

namespace {

// The wall clock, not the engine's: a log line says when it was written, also when the engine
// runs on a virtual clock.
std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
}

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

std::optional<LogFormat> parse_log_format(std::string_view name) {
  if (name == "json") return LogFormat::kJson;
  if (name == "text") return LogFormat::kText;
  return std::nullopt;
}

void Logger::log(LogLevel level, std::string_view event, std::string_view message, const nlohmann::json& fields) const {
  if (out_ == nullptr) return;
  std::string line;
  if (format_ == LogFormat::kJson) {
    // In this order, so a person reading the raw journal sees when and what first.
    nlohmann::ordered_json entry{{"ts", timestamp()}, {"level", level_name(level)}, {"event", event}, {"msg", message}};
    if (fields.is_object()) {
      for (const auto& [key, value] : fields.items()) {
        if (!entry.contains(key)) entry[key] = value;  // never over the four above
      }
    }
    // Bytes that are not UTF-8 (a path from outside) are replaced, never a reason to lose the line.
    line = entry.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  } else {
    // For a person the message says it; the fields are for machines.
    line = fmt::format("{} {:<7} {}", timestamp(), level_name(level), message);
  }
  line += '\n';
  // One write per line: lines from two threads (a deploy compiling beside the engine) never mix.
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace termijn
