#include "engine/api/http/server.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include "engine/api/http/internal/streams.h"
#include "engine/api/http/tls.h"

namespace termijn::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::asio::ip::tcp;

namespace {

bhttp::response<bhttp::string_body> to_beast(const HttpResponse& r, unsigned version, bool keep_alive, bool tls) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, "termijn");
  res.set(bhttp::field::content_type, r.content_type);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("API-Version", kApiVersion);
  // Once a browser has reached the API over TLS, it never tries it in plain text (RFC 6797).
  if (tls) res.set(bhttp::field::strict_transport_security, "max-age=31536000");
  for (const auto& [name, value] : r.headers) res.set(name, value);
  res.body() = r.body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}


}  // namespace

// One connection: (over TLS, the handshake first, then) reads a request within the time limit
// and the body limit, answers it, and goes on while the client keeps the connection alive.
// `Stream` is internal::PlainStream or internal::TlsStream.
template <class Stream>
class HttpServer::Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = internal::kIsTls<Stream>;

 public:
  template <class... Tls>
  Session(tcp::socket socket, HttpServer& server, std::shared_ptr<Connections> connections,
          boost::asio::ip::address client, Tls&... tls)
      : stream_(std::move(socket), tls...), server_(server), connections_(std::move(connections)), client_(client) {
    ++connections_->open;
    ++connections_->by_client[client_];
  }
  ~Session() {
    --connections_->open;
    auto it = connections_->by_client.find(client_);
    if (--it->second == 0) connections_->by_client.erase(it);
  }

  void start() {
    if constexpr (kTls) {
      tcp().expires_after(server_.options_.header_timeout);
      stream_.async_handshake(boost::asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) {
          self->server_.api_.handshake_failed();
          return self->close();
        }
        self->certificate_ = verified_client_certificate(self->stream_.native_handle());
        self->read();
      });
    } else {
      read();
    }
  }

 private:
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }

  // Headers first, within the short header timeout; then the rest within the read timeout.
  void read() {
    parser_.emplace();
    parser_->body_limit(server_.options_.body_limit);
    parser_->header_limit(16 * 1024);
    tcp().expires_after(server_.options_.header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->on_read(ec);
      self->tcp().expires_after(self->server_.options_.read_timeout);
      bhttp::async_read(self->stream_, self->buffer_, *self->parser_,
                        [self](beast::error_code ec2, std::size_t) { self->on_read(ec2); });
    });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == boost::asio::error::operation_aborted ||
        ec == boost::asio::error::connection_reset || ec == boost::asio::error::eof ||
        ec == boost::asio::ssl::error::stream_truncated) {
      close();
      return;
    }
    if (ec) {
      // The method, when the headers were read; else "other" in the metrics.
      std::string method = parser_->is_header_done() ? std::string(parser_->get().method_string()) : "";
      if (ec == bhttp::error::body_limit) {
        return refuse(method, 413, fmt::format("the body is larger than {} bytes", server_.options_.body_limit));
      }
      if (ec == bhttp::error::header_limit) return refuse(method, 431, "the request's headers are too large");
      return refuse(method, 400, fmt::format("not a valid HTTP request: {}", ec.message()));
    }
    const auto& req = parser_->get();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    for (const auto& field : req) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      request.headers[name] = std::string(field.value());
    }
    request.body = req.body();
    request.client_certificate = certificate_;
    ++server_.requests_;
    // Nothing more is read from this connection until the answer is written, so the parser (and
    // the request in it) stays as it is while a deploy compiles.
    server_.api_.handle_async(request, server_.offload_,
                              [self = this->shared_from_this(), version = req.version(), keep_alive = req.keep_alive()](
                                  HttpResponse response) { self->reply(response, version, keep_alive); });
  }

  void refuse(const std::string& method, int status, const std::string& detail) {
    reply(server_.api_.refuse_unread(method, status, detail), 11, false);
  }

  void reply(const HttpResponse& response, unsigned version, bool keep_alive) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(to_beast(response, version, keep_alive, kTls));
    tcp().expires_after(server_.options_.read_timeout);
    bhttp::async_write(stream_, *res, [self = this->shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      if (!keep_alive) return self->drain();
      self->read();
    });
  }

  // Ends the connection after an early answer (413, 400) without resetting it: closing with the
  // rest of the request unread would make the kernel send a reset, and the client might lose
  // the answer. So stop sending (over TLS: close_notify first), read and discard for a moment,
  // then close.
  void drain() {
    tcp().expires_after(std::chrono::seconds(1));  // one deadline for the whole drain
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->close(); });
    } else {
      beast::error_code ignored;
      tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
      discard();
    }
  }
  void discard() {
    tcp().async_read_some(boost::asio::buffer(discard_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->discard();
    });
  }

  void close() {
    beast::error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().close();
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  HttpServer& server_;
  std::shared_ptr<Connections> connections_;
  boost::asio::ip::address client_;
  std::optional<ClientCertificate> certificate_;  // verified in the handshake; for every request on it
  std::array<char, 8192> discard_{};
};

HttpServer::HttpServer(boost::asio::io_context& io, HttpApi& api, ServerOptions options)
    : io_(io), api_(api), options_(std::move(options)), acceptor_(io), connections_(std::make_shared<Connections>()) {
  offload_ = [this](std::function<void()> work, std::function<void()> then) {
    boost::asio::post(compiler_, [work = std::move(work), then = std::move(then), engine = io_.get_executor()]() mutable {
      work();
      boost::asio::post(engine, std::move(then));
    });
  };
}

HttpServer::~HttpServer() {
  close();
  compiler_.join();  // a compile in flight finishes; its answer is never delivered
}

Result<unsigned short> HttpServer::listen() {
  beast::error_code ec;
  auto address = boost::asio::ip::make_address(options_.address, ec);
  if (ec) return Status(StatusCode::kInvalidArgument, fmt::format("'{}' is not an IP address", options_.address));
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(StatusCode::kFailedPrecondition,
                  fmt::format("cannot listen on {}:{}: {}", options_.address, options_.port, ec.message()));
  }
  accept();
  return acceptor_.local_endpoint().port();
}

void HttpServer::close() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

void HttpServer::accept() {
  acceptor_.async_accept(io_, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
    boost::asio::ip::address client;
    if (!ec) {
      if (!admit(socket, client)) {
        beast::error_code ignored;
        socket.close(ignored);  // full: the client may retry; nothing was read, so nothing is lost
      } else if (options_.tls) {
        std::make_shared<Session<internal::TlsStream>>(std::move(socket), *this, connections_, client, *options_.tls)
            ->start();
      } else {
        std::make_shared<Session<internal::PlainStream>>(std::move(socket), *this, connections_, client)->start();
      }
    }
    accept();
  });
}

bool HttpServer::admit(const tcp::socket& socket, boost::asio::ip::address& client) const {
  beast::error_code ec;
  tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return false;  // already gone
  client = remote.address();
  if (connections_->open >= options_.max_connections) return false;
  auto mine = connections_->by_client.find(client);
  return mine == connections_->by_client.end() || mine->second < options_.max_connections_per_client;
}

}  // namespace termijn::http
