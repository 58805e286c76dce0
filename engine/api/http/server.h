// Puts an HttpApi on the network with Boost.Beast, on the engine's io_context: one thread owns
// the engine, the sockets and the timers, so requests are applied one at a time in arrival order.
// With a TLS context every connection is TLS (tls.h); the handshake counts against the header
// timeout, so a client that connects and never completes one loses its slot like any other.
// Only compiling a deploy upload runs elsewhere (one worker thread), so a large upload does not
// hold up every other caller; its result is stored back on the engine's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "engine/api/http/api.h"
#include "engine/base/status.h"

namespace boost::asio::ssl {
class context;
}

namespace termijn::http {

// The limits of the front door (docs/api.md lists them). Connections are cheap for a client and
// scarce for the server, so each is bounded in number and in idle time before anyone is known:
// a client that opens connections and sends nothing loses them, and cannot take others' slots.
struct ServerOptions {
  std::string address = "127.0.0.1";  // loopback unless the operator says otherwise
  unsigned short port = 8080;          // 0: any free port (tests)
  std::size_t body_limit = 1 << 20;    // larger bodies get 413
  // From connecting (or the previous answer on a kept-alive connection) to the end of a request's
  // headers: a connection that sends nothing is closed after this, before any token is checked.
  std::chrono::milliseconds header_timeout{5'000};
  // After its headers, a client that has not sent the whole request in this time is disconnected
  // (slow clients must not hold the engine's only thread or a connection slot forever).
  std::chrono::milliseconds read_timeout{10'000};
  // Open connections at once, in all and from one client (remote IP address). More are closed
  // at once, before anything is read.
  std::size_t max_connections = 256;
  std::size_t max_connections_per_client = 32;
  // TLS (make_server_context); nullptr: plain HTTP, for loopback behind a TLS-terminating proxy.
  std::shared_ptr<boost::asio::ssl::context> tls;
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
  template <class Stream>
  class Session;
  // Open connections, in all and per client address.
  struct Connections {
    std::size_t open = 0;
    std::map<boost::asio::ip::address, std::size_t> by_client;
  };
  void accept();
  bool admit(const boost::asio::ip::tcp::socket& socket, boost::asio::ip::address& client) const;

  boost::asio::io_context& io_;
  HttpApi& api_;
  ServerOptions options_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<Connections> connections_;  // shared with the sessions, which may outlive the server
  std::int64_t requests_ = 0;
  boost::asio::thread_pool compiler_{1};  // one deploy compiles at a time
  HttpApi::Offload offload_;
};

}  // namespace termijn::http
