// Puts an HttpApi on the network with Boost.Beast, on the engine's io_context: one thread owns
// the engine, the sockets and the timers, so requests are applied one at a time in arrival order.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/api/http/api.h"
#include "engine/base/status.h"

namespace termijn::http {

struct ServerOptions {
  std::string address = "127.0.0.1";  // loopback unless the operator says otherwise
  unsigned short port = 8080;          // 0: any free port (tests)
  std::size_t body_limit = 1 << 20;    // larger bodies get 413
  // A client that has not sent a whole request in this time is disconnected (slow clients must
  // not hold the engine's only thread or a connection slot forever).
  std::chrono::milliseconds read_timeout{10'000};
  std::size_t max_connections = 256;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpApi& api, ServerOptions options);
  ~HttpServer();

  // Binds and starts accepting; returns the bound port.
  Result<unsigned short> listen();
  // Stops accepting; open connections finish their current request.
  void close();

  std::int64_t requests() const { return requests_; }

 private:
  class Session;
  void accept();

  boost::asio::io_context& io_;
  HttpApi& api_;
  ServerOptions options_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<std::size_t> open_;  // shared with the sessions, which may outlive the server
  std::int64_t requests_ = 0;
};

}  // namespace termijn::http
