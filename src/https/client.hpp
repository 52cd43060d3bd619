// One HTTPS exchange at a time over a fresh connection, in two phases: open
// (resolve, connect directly or through an HTTP CONNECT proxy, TLS handshake
// with verification) and exchange (write the request, read the reply, close).
// The phases are separate so a connection can be opened before its request
// exists (e.g. while a signature is being computed).
//
// Deadlines are Beast's own: each phase sets the stream's expiry once
// (tcp_stream::expires_at) and every connect, read, write and handshake under
// it ends with beast::error::timeout when it passes, which closes the socket.
// The one wait outside the stream, the name lookup, runs detached
// (getaddrinfo cannot be interrupted, and a lookup stuck in it must not hold
// the caller) and is waited for on a timer set to the same time point.
// An outside cancellation ends whichever operation is pending at once, with
// boost::asio::error::operation_aborted.
//
// Failures throw https::failure naming the peer and the step; a step that
// did not finish in time says "<step> did not complete within N s".
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "https/failure.hpp"
#include "https/message.hpp"
#include "https/proxy.hpp"

namespace atpc::https {

using clock = std::chrono::steady_clock;

// One line per step (--debug); empty: no tracing.
using trace_fn = std::function<void(const std::string&)>;

inline constexpr std::size_t default_max_reply_body = 1024 * 1024;

// Where the client connects and how; settled before any I/O.
struct client {
    std::string host;  // lower-case; IPv6 literal without brackets
    std::uint16_t port = 443;
    std::optional<proxy_settings> proxy;            // nullopt: connect directly
    std::shared_ptr<boost::asio::ssl::context> tls; // make_tls_context
    std::string trust;                              // trust_store::describe(), for messages
    std::string user_agent;                         // for CONNECT, and requests without one
    trace_fn trace;
    std::size_t max_reply_body = default_max_reply_body;

    // "host[:port]" (port shown when not 443), and " (via proxy http://p:1)".
    std::string peer_name() const;
};

// An open, verified TLS connection (directly or through the proxy).
struct connection;
struct connection_deleter {
    void operator()(connection* c) const noexcept;
};
using connection_ptr = std::unique_ptr<connection, connection_deleter>;

// Opens a connection by `deadline`. Throws https::failure. The connection
// copies what it needs from `c`.
boost::asio::awaitable<connection_ptr> open(const client& c, clock::time_point deadline);

// Sends `r` on `conn`, reads the whole reply by `deadline`, then closes the
// connection. Throws https::failure.
boost::asio::awaitable<reply> exchange(connection& conn, const request& r, clock::time_point deadline);

// "5 s", "2.5 s": rounded to tenths of a second.
std::string format_seconds(clock::duration d);

}  // namespace atpc::https
