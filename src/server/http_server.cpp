#include "server/http_server.hpp"

#include "base/error.hpp"
#include "server/limits.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <fmt/format.h>

#include <array>

namespace atpc::server {

namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

constexpr auto as_result = net::as_tuple(net::use_awaitable);

// Headers, the Authorization token among them, are held in wiped memory.
using request_parser = http::request_parser<http::empty_body, tpmwire::zeroizing_allocator<char>>;
using request_type = request_parser::value_type;

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
    : acceptor_(ex), routes_(routes), max_connections_(max_connections), debug_(std::move(debug)) {
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

void http_server::evict_one() {
    for (connection* c : connections_) {
        if (c->state == phase::answering) continue;
        c->stream.close();
        return;
    }
}

void http_server::stop() {
    stopping_ = true;
    error_code ignored;
    acceptor_.close(ignored);
    for (connection* c : connections_)
        if (c->state == phase::idle) c->stream.close();
}

net::awaitable<void> http_server::serve(tcp::socket socket) {
    connection c(std::move(socket));
    registration reg(*this, c);
    error_code ec;
    c.local = describe(c.stream.socket().local_endpoint(ec));
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
    c.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// Waits for the first byte of the next request (already there when the
// client pipelined it).
net::awaitable<bool> http_server::next_request(connection& c, request_buffer& buffer) {
    c.state = phase::idle;
    if (buffer.size() == 0) {
        if (stopping_) co_return false;
        c.stream.expires_after(idle_timeout);
        auto [ec, n] = co_await c.stream.async_read_some(buffer.prepare(max_request_head), as_result);
        if (ec) co_return false;
        buffer.commit(n);
    }
    c.state = phase::reading;
    co_return true;
}

// Reads one request, answers it; false when the connection is to close.
net::awaitable<bool> http_server::exchange(connection& c, request_buffer& buffer) {
    const auto started = std::chrono::steady_clock::now();
    request_parser parser;
    parser.header_limit(max_request_head);
    parser.body_limit(0);
    c.stream.expires_after(request_timeout);
    auto [ec, n] = co_await http::async_read(c.stream, buffer, parser, as_result);
    std::optional<response> r = ec ? malformed(ec) : routes_.handle(view_of(parser.get()), c.local, request_time::now());
    if (!r) co_return false;
    r->close |= ec || !parser.get().keep_alive() || stopping_;

    c.state = phase::answering;
    c.head.clear();
    append_head(c.head, *r);
    const std::array<net::const_buffer, 2> parts{net::buffer(c.head),
                                                 r->body ? net::buffer(*r->body) : net::const_buffer()};
    c.stream.expires_after(write_timeout);
    auto [wec, written] = co_await net::async_write(c.stream, parts, as_result);
    if (debug_) log_request(ec ? "-" : view(parser.get().method_string()), ec ? "-" : view(parser.get().target()),
                            r->status, started);
    connections_.splice(connections_.end(), connections_, c.place);
    co_return !wec && !r->close;
}

void http_server::log_request(std::string_view method, std::string_view target, unsigned status,
                              std::chrono::steady_clock::time_point started) const {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    debug_(fmt::format("request: {} {} {} {:.2f} ms", printable(method), printable(target), status,
                       static_cast<double>(us.count()) / 1000.0));
}

}  // namespace atpc::server
