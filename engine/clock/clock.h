// One clock interface, two implementations. Nothing in the engine reads the system clock
// directly: the host passes a clock, and tests and simulations pass a virtual one.
#pragma once

#include <chrono>

#include "engine/time/instant.h"

namespace termijn {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
};

// Real time.
class SystemClock final : public Clock {
 public:
  Instant now() const override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  }
};

// Time that moves only when told to: tests and simulations jump straight to the next due
// instant instead of sleeping.
class VirtualClock final : public Clock {
 public:
  explicit VirtualClock(Instant start) : now_(start) {}
  Instant now() const override { return now_; }
  void set(Instant t) { now_ = t; }
  void advance(std::chrono::milliseconds d) { now_ += d; }

 private:
  Instant now_;
};

}  // namespace termijn
