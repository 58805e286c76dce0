// Runs an engine on real time inside a Boost.Asio io_context: one steady_timer sleeps until the
// next deadline (never more than a minute, as the wall clock may jump) and fires what is due.
// The io_context's thread owns the engine; hosts post their commands to it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

#include "engine/api/engine.h"

namespace termijn {

class RealTimeDriver {
 public:
  // The longest sleep: the driver wakes at least this often, so its heartbeat is never older
  // while it runs.
  static constexpr std::chrono::milliseconds kMaxWait{60'000};

  RealTimeDriver(Engine& engine, const Clock& clock, boost::asio::io_context& io)
      : engine_(engine), clock_(clock), wake_(io) {}

  // After due timers could not be fired (the store is failing: each failed commit reloads the
  // live cases), the driver waits this long before it tries again, instead of spinning.
  static constexpr std::chrono::milliseconds kRetryAfterFailure{1'000};

  // Arms the timer; call again after a command that may have added an earlier deadline.
  // `at_least`: wait no less than this (after a failure).
  void schedule(std::chrono::milliseconds at_least = std::chrono::milliseconds(0)) {
    std::chrono::milliseconds wait = kMaxWait;
    if (auto next = engine_.next_due()) {
      wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock_.now()), at_least, wait);
    }
    heartbeat_ = std::chrono::steady_clock::now();
    wake_.expires_after(wait);
    wake_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;  // cancelled: re-armed elsewhere or stopping
      const int fired = engine_.fire_due();
      fired_ += fired;
      const auto next = engine_.next_due();
      const bool failed = fired == 0 && next && *next <= clock_.now();
      schedule(failed ? kRetryAfterFailure : std::chrono::milliseconds(0));
      // Under group commit the fired steps may still be on their way to disk (else this is told
      // at once that they are there). If their group fails they are due again at once; try again
      // after the pause, as above.
      if (fired > 0) {
        engine_.when_durable([this, alive = std::weak_ptr<int>(alive_)](const Status& durable) {
          if (!durable.is_ok() && !alive.expired()) schedule(kRetryAfterFailure);
        });
      }
    });
  }

  std::int64_t fired() const { return fired_; }
  // When the driver last woke or was armed (steady clock); nothing before the first schedule().
  // A heartbeat older than kMaxWait means the loop has stopped.
  std::optional<std::chrono::steady_clock::time_point> heartbeat() const { return heartbeat_; }

 private:
  Engine& engine_;
  const Clock& clock_;
  boost::asio::steady_timer wake_;
  std::int64_t fired_ = 0;
  std::optional<std::chrono::steady_clock::time_point> heartbeat_;
  // An answer the engine gives after this driver is gone must not call it.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace termijn
