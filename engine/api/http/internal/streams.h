// The two kinds of connection the server and the webhook sink speak over: plain TCP, or TLS over
// it. Their connection code is one template over the stream; kIsTls picks the TLS steps.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <type_traits>

namespace termijn::http::internal {

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<PlainStream>;

template <class Stream>
inline constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

}  // namespace termijn::http::internal
