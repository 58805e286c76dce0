// Group commit on a Boost.Asio io_context (see engine.h): the engine defers its commits, and
// whenever a command leaves work waiting its group is handed to the engine's writer thread, which
// writes it while the io_context's thread goes on reading requests and running commands; those
// make the next group. When the writer has written a group it wakes the io_context, which answers
// that group's callers and hands over the next. One group is in flight at a time.
// The io_context's thread owns the engine, as with RealTimeDriver.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "engine/api/engine.h"

namespace termijn {

class GroupCommit {
 public:
  GroupCommit(Engine& engine, boost::asio::io_context& io) : engine_(engine), io_(io) {
    engine_.defer_commits(true);
    // The engine, not this object, in the handler: it may still be queued when this is gone.
    engine_.on_written([&engine, &io] { boost::asio::post(io, [&engine] { engine.collect(); }); });
  }
  ~GroupCommit() {
    engine_.on_written(nullptr);
    engine_.defer_commits(false);
  }
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Call after a command: posts one collect(), after the requests already read, which hands the
  // waiting group over unless one is still being written (then the writer's wake does). Posted
  // even while a group is in flight: a flush on the engine's thread (an audited deploy) may
  // collect that group before the wake's collect() runs, and what waits then needs this one.
  // The callers (when_durable) are told the store's failure, not the loop.
  void schedule() {
    if (posted_) return;
    posted_ = true;
    boost::asio::post(io_, [this] {
      posted_ = false;
      engine_.collect();
    });
  }

 private:
  Engine& engine_;
  boost::asio::io_context& io_;
  bool posted_ = false;
};

}  // namespace termijn
