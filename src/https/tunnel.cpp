// The proxy step of open(): HTTP CONNECT through an http:// proxy.
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "https/connection.hpp"

namespace atpc::https::detail {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

// The request may carry the proxy password: built in wiped storage.
tpmwire::secret_string connect_request(const proxy_settings& proxy, const std::string& authority,
                                       const std::string& user_agent) {
    tpmwire::secret_string req;
    req.reserve(512);
    req += "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\nUser-Agent: " + user_agent + "\r\n";
    if (proxy.authorization) {
        req += "Proxy-Authorization: ";
        req += *proxy.authorization;
        req += "\r\n";
    }
    req += "\r\n";
    return req;
}

failure refused(const proxy_settings& proxy, const std::string& authority, unsigned status) {
    std::string msg = "proxy " + proxy.display() + " (from " + proxy.source + ") refused CONNECT to " + authority +
                      ": HTTP " + std::to_string(status);
    bool retryable = false;
    if (status == 407) {
        msg += proxy.authorization ? "; it rejected the user name or password in " + proxy.source
                                   : "; it requires a user name and password (http://user:password@host:port in " +
                                         proxy.source + ")";
    } else if (status == 502 || status == 503 || status == 504) {
        msg += "; the proxy could not reach " + authority;
        retryable = true;
    } else {
        msg += "; check the proxy's access rules for " + authority;
    }
    return failure(fault::network, msg, step::proxy_connect, cause::proxy_refused, retryable);
}

}  // namespace

asio::awaitable<void> proxy_connect(connection_base& c, const proxy_settings& proxy, const std::string& authority) {
    c.begin(step::proxy_connect, "CONNECT " + authority + " through " + proxy.display());
    const tpmwire::secret_string req = connect_request(proxy, authority, c.user_agent);
    boost::beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a 2xx answer to CONNECT has no body: the tunnel follows
    error_code ec;
    co_await asio::async_write(c.tcp(), asio::buffer(req.data(), req.size()), asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) co_await http::async_read_header(c.tcp(), buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        fail(c, ec, failure(fault::network, "proxy " + proxy.display() + " (from " + proxy.source +
                                                ") failed during CONNECT to " + authority + ": " + ec.message(),
                            step::proxy_connect, is_disconnect(ec) ? cause::closed : cause::unreachable,
                            is_disconnect(ec)));
    }
    const unsigned status = parser.get().result_int();
    if (status / 100 != 2) throw refused(proxy, authority, status);
    if (buffer.size() != 0) {
        throw failure(fault::network, "proxy " + proxy.display() + " sent data before the TLS handshake",
                      step::proxy_connect, cause::not_http, false);
    }
}

}  // namespace atpc::https::detail
