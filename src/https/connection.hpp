// Inside the client (src/https only): the connection and the steps of open().
#pragma once

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "https/client.hpp"

namespace atpc::https::detail {

using boost::system::error_code;

struct connection_base {
    boost::asio::ssl::stream<boost::beast::tcp_stream> stream;
    std::shared_ptr<boost::asio::ssl::context> tls;  // outlives the stream
    std::string who;                                 // the peer, as messages name it
    std::string trust;                               // what verifies it, as messages name it
    std::string hop;                                 // what the lookup/connect step is reaching
    std::string user_agent;
    trace_fn trace;
    std::size_t max_reply_body;
    https::step step = https::step::resolve;
    clock::duration budget{};  // of the running phase, for messages

    connection_base(const boost::asio::any_io_executor& ex, const client& c);
    boost::beast::tcp_stream& tcp() { return stream.next_layer(); }
    void begin(https::step s, const std::string& trace_line);
};

// The name of a step for messages ("TLS handshake with localhost:8443").
std::string step_name(const connection_base& c, https::step s);

// Throws the failure for `ec` from the running step: a timeout, a
// cancellation (rethrown as operation_aborted), or `otherwise`.
[[noreturn]] void fail(const connection_base& c, const error_code& ec, const failure& otherwise);

bool is_disconnect(const error_code& ec);

// The steps of open().
boost::asio::awaitable<void> connect_tcp(connection_base& c, const std::string& host, std::uint16_t port,
                                         clock::time_point deadline);
boost::asio::awaitable<void> proxy_connect(connection_base& c, const proxy_settings& proxy,
                                           const std::string& authority);
boost::asio::awaitable<void> tls_handshake(connection_base& c, const std::string& host);

}  // namespace atpc::https::detail

namespace atpc::https {

struct connection : detail::connection_base {
    using connection_base::connection_base;
};

}  // namespace atpc::https
