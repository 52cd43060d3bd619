// The exchange phase: write the request, read the whole reply, close.
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "https/connection.hpp"

namespace atpc::https {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using detail::connection_base;
using detail::error_code;
using detail::is_disconnect;

// Reply bodies and the buffer they are read through are wiped on release.
using secret_body = http::basic_string_body<char, std::char_traits<char>, tpmwire::zeroizing_allocator<char>>;
using wiped_buffer = beast::basic_flat_buffer<tpmwire::zeroizing_allocator<char>>;
constexpr std::uint32_t max_reply_header = 16 * 1024;

http::request<http::string_body> to_beast(const request& r, const std::string& user_agent) {
    http::request<http::string_body> req;
    req.method_string(r.method);
    req.target(r.target);
    req.version(11);
    for (const auto& [name, value] : r.headers) req.insert(name, value);
    if (!r.header("User-Agent")) req.set(http::field::user_agent, user_agent);
    if (!r.header("Content-Length") && !r.body.empty()) req.content_length(r.body.size());
    req.body() = r.body;
    return req;
}

std::string size_text(std::size_t n) {
    constexpr std::size_t mib = 1024 * 1024;
    return n % mib == 0 ? std::to_string(n / mib) + " MiB" : std::to_string(n) + " bytes";
}

failure transfer_failure(const connection_base& c, const error_code& ec) {
    if (is_disconnect(ec)) {
        const char* when = c.step == step::send ? "while sending the request" : "before the full reply arrived";
        return failure(fault::network, "connection to " + c.who + " was closed " + when, c.step, cause::closed, true);
    }
    if (ec == http::error::body_limit) {
        return failure(fault::network, "the reply from " + c.who + " is larger than " + size_text(c.max_reply_body),
                       c.step, cause::not_http, false);
    }
    if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
        return failure(fault::network, c.who + " sent a malformed HTTP reply (" + ec.message() + ")", c.step,
                       cause::not_http, false);
    }
    const char* during = c.step == step::send ? "while sending the request" : "while reading the reply";
    return failure(fault::network, "connection to " + c.who + " failed " + during + ": " + ec.message(), c.step,
                   cause::unreachable, true);
}

reply from_beast(http::response<secret_body>& res) {
    reply out;
    out.status = res.result_int();
    out.reason = std::string(res.reason());
    for (const auto& field : res) out.headers.emplace_back(field.name_string(), field.value());
    out.body = std::move(res.body());
    return out;
}

}  // namespace

asio::awaitable<reply> exchange(connection& c, const request& r, clock::time_point deadline) {
    c.budget = deadline - clock::now();
    c.tcp().expires_at(deadline);
    const auto req = to_beast(r, c.user_agent);
    c.begin(step::send, "sending " + r.method + " " + r.target + " to " + c.who);
    error_code ec;
    co_await http::async_write(c.stream, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) detail::fail(c, ec, transfer_failure(c, ec));

    c.begin(step::receive, "reading the reply from " + c.who);
    wiped_buffer buffer;
    http::response_parser<secret_body> parser;
    parser.body_limit(c.max_reply_body);
    parser.header_limit(max_reply_header);
    co_await http::async_read(c.stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) detail::fail(c, ec, transfer_failure(c, ec));
    reply out = from_beast(parser.get());
    c.tcp().close();  // no TLS close_notify wait: the reply is complete
    if (c.trace) c.trace("https: HTTP " + std::to_string(out.status) + " from " + c.who);
    co_return out;
}

}  // namespace atpc::https
