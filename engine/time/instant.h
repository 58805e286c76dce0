// Instants are UTC, to the millisecond. Local (legal) time is only for computing and showing.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace termijn {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

inline std::int64_t to_millis(Instant t) { return t.time_since_epoch().count(); }
inline Instant from_millis(std::int64_t ms) { return Instant(std::chrono::milliseconds(ms)); }

// "2026-10-30T13:35:00Z"
std::string to_iso_utc(Instant t);
// Accepts "2026-10-30T13:35:00Z", "2026-10-30T14:35:00+01:00" and local Amsterdam time
// "2026-10-30 14:35" / "2026-10-30T14:35", and a date alone ("2014-10-20": its first moment there).
std::optional<Instant> parse_instant(const std::string& text);

}  // namespace termijn
