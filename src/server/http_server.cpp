#include "server/http_server.hpp"

#include "base/error.hpp"
#include "server/limits.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <fmt/format.h>

#include <array>

namespace atpc::server {

namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

constexpr auto as_result = net::as_tuple(net::use_awaitable);

using request_type = http::request<http::empty_body, http::basic_fields<tpmwire::zeroizing_allocator<char>>>;

std::string_view view(boost::beast::string_view s) { return {s.data(), s.size()}; }

std::optional<std::string_view> header(const request_type& req, std::string_view name) {
    auto it = req.find(boost::beast::string_view(name.data(), name.size()));
    if (it == req.end()) return std::nullopt;
    return view(it->value());
}

request_view view_of(const request_type& req) {
    request_view v;
    v.method = view(req.method_string());
    v.target = view(req.target());
    v.host = view(req[http::field::host]);
    v.host_headers = req.count(http::field::host);
    v.authorization = header(req, "Authorization");
    v.imds_token = header(req, "X-aws-ec2-metadata-token");
    v.imds_ttl = header(req, "X-aws-ec2-metadata-token-ttl-seconds");
    v.forwarded = header(req, "X-Forwarded-For").has_value();
    return v;
}

// The answer to a request Beast could not read, or none when the client
// went away or was too slow (the connection is then just closed).
std::optional<response> malformed(const error_code& ec) {
    if (ec == http::error::header_limit)
        return refusal(431, "RequestHeaderFieldsTooLarge", "the request line and headers exceed 8 KiB");
    if (ec == http::error::body_limit || ec == http::error::unexpected_body)
        return refusal(413, "ContentTooLarge", "requests to this server have no body");
    // The client closing mid-request is not a request to answer.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return std::nullopt;
    if (ec.category() == http::make_error_code(http::error::bad_target).category())
        return refusal(400, "BadRequest", "not an HTTP/1.1 request");
    return std::nullopt;
}

local_endpoint describe(const tcp::endpoint& e) {
    auto a = e.address();
    if (a.is_v6() && a.to_v6().is_v4_mapped()) a = net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6());
    return {a.to_string(), e.port(), a.is_loopback()};
}

std::string endpoint_text(const tcp::endpoint& e) {
    const std::string a = e.address().to_string();
    return (e.address().is_v6() ? "[" + a + "]" : a) + ":" + std::to_string(e.port());
}

// For --debug: printable ASCII only, and not all of a long one.
std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 200)) out.push_back(c > 0x20 && c < 0x7f ? c : '?');
    if (s.size() > 200) out += "...";
    return out;
}

}  // namespace

// Keeps a connection in connections_ for as long as its coroutine runs.
struct http_server::registration {
    http_server& server;
    connection& c;
    registration(http_server& s, connection& conn) : server(s), c(conn) {
        c.place = server.connections_.insert(server.connections_.end(), &c);
    }
    ~registration() { server.connections_.erase(c.place); }
};

http_server::http_server(net::any_io_executor ex, const tcp::endpoint& where, router& routes,
                         std::size_t max_connections, log_fn debug)
    : acceptor_(ex), sweeper_(ex), routes_(routes), max_connections_(max_connections), debug_(std::move(debug)) {
    error_code ec;
    acceptor_.open(where.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(where, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw error(fault::config, fmt::format("cannot listen on {}: {} (check --listen)", endpoint_text(where), ec.message()));
}

net::awaitable<void> http_server::accept_loop() {
    net::steady_timer pause(acceptor_.get_executor());
    while (!stopping_) {
        auto [ec, socket] = co_await acceptor_.async_accept(as_result);
        if (stopping_) co_return;
        if (ec) {
            // Out of descriptors or the like: let connections finish rather than spin.
            pause.expires_after(std::chrono::milliseconds(50));
            co_await pause.async_wait(as_result);
            continue;
        }
        if (connections_.size() >= max_connections_) evict_one();
        socket.set_option(tcp::no_delay(true), ec);
        net::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), net::detached);
    }
}

net::awaitable<void> http_server::sweep_loop() {
    while (!stopping_) {
        sweeper_.expires_after(sweep_interval);
        auto [ec] = co_await sweeper_.async_wait(as_result);
        if (ec || stopping_) co_return;
        const auto now = clock::now();
        error_code ignored;
        // A closed socket ends its connection's pending read or write.
        for (connection* c : connections_)
            if (c->deadline <= now) c->socket.close(ignored);
    }
}

void http_server::evict_one() {
    error_code ignored;
    for (connection* c : connections_) {
        if (c->state == phase::answering) continue;
        c->socket.close(ignored);
        return;
    }
}

void http_server::stop() {
    stopping_ = true;
    error_code ignored;
    acceptor_.close(ignored);
    sweeper_.cancel();
    for (connection* c : connections_)
        if (c->state == phase::idle) c->socket.close(ignored);
}

net::awaitable<void> http_server::serve(tcp::socket socket) {
    connection c(std::move(socket));
    registration reg(*this, c);
    error_code ec;
    c.local = describe(c.socket.local_endpoint(ec));
    if (ec) co_return;
    request_buffer buffer(2 * max_request_head);
    try {
        for (;;) {
            if (!co_await next_request(c, buffer)) break;
            if (!co_await exchange(c, buffer)) break;
        }
    } catch (const std::exception&) {
        // Only allocation failures get here; the connection is dropped.
    }
    c.socket.shutdown(tcp::socket::shutdown_send, ec);
}

// Waits for the first bytes of the next request (already there when the
// client pipelined it).
net::awaitable<bool> http_server::next_request(connection& c, request_buffer& buffer) {
    c.state = phase::idle;
    if (buffer.size() == 0) {
        if (stopping_) co_return false;
        c.deadline = clock::now() + idle_timeout;
        auto [ec, n] = co_await c.socket.async_read_some(buffer.prepare(max_request_head), as_result);
        if (ec) co_return false;
        buffer.commit(n);
    }
    c.state = phase::reading;
    co_return true;
}

// Parses what has arrived, reading more until the request is complete
// (usually it all came with the first bytes).
net::awaitable<error_code> http_server::read_request(connection& c, request_buffer& buffer, request_parser& parser) {
    c.deadline = clock::now() + request_timeout;
    for (;;) {
        error_code ec;
        buffer.consume(parser.put(buffer.data(), ec));
        if (ec != http::error::need_more) co_return ec;
        // The parser stops at max_request_head, so the buffer has room.
        auto [rec, n] = co_await c.socket.async_read_some(buffer.prepare(max_request_head), as_result);
        if (rec) co_return rec;
        buffer.commit(n);
    }
}

// Reads one request, answers it; false when the connection is to close.
net::awaitable<bool> http_server::exchange(connection& c, request_buffer& buffer) {
    const auto started = clock::now();
    request_parser parser;
    parser.header_limit(max_request_head);
    parser.body_limit(0);
    const error_code ec = co_await read_request(c, buffer, parser);
    std::optional<response> r = ec ? malformed(ec) : routes_.handle(view_of(parser.get()), c.local, request_time::now());
    if (!r) co_return false;
    r->close |= ec || !parser.get().keep_alive() || stopping_;

    c.state = phase::answering;
    c.head.clear();
    append_head(c.head, *r);
    const std::array<net::const_buffer, 2> parts{net::buffer(c.head),
                                                 r->body ? net::buffer(*r->body) : net::const_buffer()};
    c.deadline = clock::now() + write_timeout;
    auto [wec, written] = co_await net::async_write(c.socket, parts, as_result);
    if (debug_) log_request(parser, !ec, r->status, started);
    connections_.splice(connections_.end(), connections_, c.place);
    co_return !wec && !r->close;
}

void http_server::log_request(const request_parser& parser, bool parsed, unsigned status,
                              clock::time_point started) const {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - started);
    debug_(fmt::format("request: {} {} {} {:.2f} ms", parsed ? printable(view(parser.get().method_string())) : "-",
                       parsed ? printable(view(parser.get().target())) : "-", status,
                       static_cast<double>(us.count()) / 1000.0));
}

}  // namespace atpc::server
