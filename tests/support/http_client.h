// A small synchronous HTTP/1.1 client on one keep-alive connection, for the API tests, the load
// test and the API benchmark: what a host system would do, over a real socket.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace termijn::testing {

struct ClientResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  nlohmann::json json() const { return body.empty() ? nlohmann::json() : nlohmann::json::parse(body, nullptr, false); }
  // An error's reason: the `detail` of its RFC 9457 problem body.
  std::string reason() const {
    auto j = json();
    return j.is_object() && j.contains("detail") && j["detail"].is_string() ? j["detail"].get<std::string>() : "";
  }
};

class HttpClient {
 public:
  explicit HttpClient(unsigned short port, std::string host = "127.0.0.1")
      : host_(std::move(host)), port_(port), stream_(io_) {}

  // `body`: sent as is (so tests can send broken JSON); `headers` add to or replace the defaults.
  ClientResponse request(const std::string& method, const std::string& target, const std::string& token = "",
                         const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    namespace http = boost::beast::http;
    connect();
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host_);
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (method == "POST") req.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    req.prepare_payload();
    boost::beast::error_code ec;
    http::write(stream_, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    if (!ec) http::read(stream_, buffer_, parser, ec);
    if (ec) {  // the server closed the kept-alive connection: one fresh try
      reset();
      connect();
      http::write(stream_, req);
      http::response_parser<http::string_body> again;
      again.body_limit(64 << 20);
      http::read(stream_, buffer_, again);
      return to_response(again.release());
    }
    auto res = parser.release();
    ClientResponse out = to_response(res);
    if (!res.keep_alive()) reset();
    return out;
  }

  ClientResponse get(const std::string& target, const std::string& token) { return request("GET", target, token); }
  ClientResponse post(const std::string& target, const std::string& token, const nlohmann::json& body,
                      std::map<std::string, std::string> headers = {}) {
    return request("POST", target, token, body.dump(), std::move(headers));
  }

 private:
  template <typename Response>
  static ClientResponse to_response(const Response& res) {
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& field : res) out.headers[std::string(field.name_string())] = std::string(field.value());
    return out;
  }
  void connect() {
    if (connected_) return;
    boost::asio::ip::tcp::resolver resolver(io_);
    stream_.connect(resolver.resolve(host_, std::to_string(port_)));
    connected_ = true;
  }
  void reset() {
    boost::beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
    connected_ = false;
  }

  std::string host_;
  unsigned short port_;
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace termijn::testing
