// Group commit on a Boost.Asio io_context (see engine.h): the engine defers its commits, and
// whenever a command leaves work waiting one flush is posted. Requests that arrive while that
// flush waits for the disk are read after it, and their commands go down together in the next.
// The io_context's thread owns the engine, as with RealTimeDriver.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "engine/api/engine.h"

namespace termijn {

class GroupCommit {
 public:
  GroupCommit(Engine& engine, boost::asio::io_context& io) : engine_(engine), io_(io) { engine_.defer_commits(true); }
  ~GroupCommit() { engine_.defer_commits(false); }
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Call after a command: posts one flush unless one is posted already. The flush answers the
  // waiting callers (when_durable) and tells the store's failure to them, not to the loop.
  void schedule() {
    if (posted_) return;
    posted_ = true;
    boost::asio::post(io_, [this] {
      posted_ = false;
      (void)engine_.flush();
    });
  }

 private:
  Engine& engine_;
  boost::asio::io_context& io_;
  bool posted_ = false;
};

}  // namespace termijn
