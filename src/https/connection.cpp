#include "https/connection.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include "https/url.hpp"

namespace atpc::https {

void connection_deleter::operator()(connection* c) const noexcept { delete c; }

std::string client::peer_name() const {
    std::string s = https_authority(host, port);
    if (proxy) s += " (via proxy " + proxy->display() + ")";
    return s;
}

std::string format_seconds(clock::duration d) {
    // Tenths are enough for a human and hide scheduling jitter (0.999 s -> 1 s).
    const auto tenths = (std::chrono::duration_cast<std::chrono::milliseconds>(d).count() + 50) / 100;
    std::string s = std::to_string(tenths / 10);
    if (tenths % 10 != 0) s += "." + std::to_string(tenths % 10);
    return s + " s";
}

boost::asio::awaitable<connection_ptr> open(const client& cl, clock::time_point deadline) {
    if (!cl.tls) throw failure(fault::internal, "no TLS context for " + cl.peer_name(), step::handshake, cause::tls, false);
    auto ex = co_await boost::asio::this_coro::executor;
    connection_ptr c(new connection(ex, cl));
    c->budget = deadline - clock::now();
    c->tcp().expires_at(deadline);
    if (cl.proxy) {
        // Named, not temporaries: g++ 12 mishandles temporaries with
        // destructors inside co_await expressions.
        const std::string authority = join_host_port(cl.host, cl.port);
        c->hop = "proxy " + cl.proxy->display() + " (from " + cl.proxy->source + ")";
        co_await detail::connect_tcp(*c, cl.proxy->host, cl.proxy->port, deadline);
        co_await detail::proxy_connect(*c, *cl.proxy, authority);
    } else {
        c->hop = join_host_port(cl.host, cl.port);
        co_await detail::connect_tcp(*c, cl.host, cl.port, deadline);
    }
    co_await detail::tls_handshake(*c, cl.host);
    co_return c;
}

}  // namespace atpc::https

namespace atpc::https::detail {

namespace asio = boost::asio;
namespace http = boost::beast::http;

connection_base::connection_base(const asio::any_io_executor& ex, const client& c)
    : stream(boost::beast::tcp_stream(ex), *c.tls),
      tls(c.tls),
      who(c.peer_name()),
      trust(c.trust),
      user_agent(c.user_agent),
      trace(c.trace),
      max_reply_body(c.max_reply_body) {}

void connection_base::begin(https::step s, const std::string& trace_line) {
    step = s;
    if (trace) trace("https: " + trace_line);
}

std::string step_name(const connection_base& c, https::step s) {
    switch (s) {
    case step::resolve: return "DNS lookup for " + c.hop;
    case step::connect: return "TCP connect to " + c.hop;
    case step::proxy_connect: return "proxy CONNECT to " + c.who;
    case step::handshake: return "TLS handshake with " + c.who;
    case step::send: return "sending the request to " + c.who;
    case step::receive: return "reading the reply from " + c.who;
    }
    return "connecting to " + c.who;
}

void fail(const connection_base& c, const error_code& ec, const failure& otherwise) {
    if (ec == asio::error::operation_aborted) throw boost::system::system_error(ec);
    if (ec == boost::beast::error::timeout) {
        throw failure(fault::timeout, step_name(c, c.step) + " did not complete within " + format_seconds(c.budget),
                      c.step, cause::timeout, true);
    }
    throw otherwise;
}

bool is_disconnect(const error_code& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated ||
           ec == http::error::end_of_stream || ec == http::error::partial_message;
}

}  // namespace atpc::https::detail
