#include "sts/transport.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <memory>

#include "sts/url.hpp"

namespace atpc::sts::detail {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::use_awaitable;
using boost::system::error_code;

struct connection {
    connection(const asio::any_io_executor& ex, ssl::context& ctx, std::string peer)
        : stream(ex, ctx), who(std::move(peer)) {}
    ssl::stream<tcp::socket> stream;
    std::string who;  // the peer, as messages name it
    const char* step = "starting";
    tcp::socket& socket() { return stream.next_layer(); }
};

void connection_deleter::operator()(connection* c) const noexcept { delete c; }

namespace {

// Reply bodies and the buffer they are read through are wiped on release.
using secret_body = http::basic_string_body<char, std::char_traits<char>, tpmwire::zeroizing_allocator<char>>;
using wiped_buffer = beast::basic_flat_buffer<tpmwire::zeroizing_allocator<char>>;

// What to call the peer in messages.
std::string peer_name(const endpoint& target, const std::optional<proxy_settings>& proxy) {
    std::string s = target.host_header();
    if (proxy) s += " (via proxy " + proxy->display() + ")";
    return s;
}

bool is_disconnect(const error_code& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == ssl::error::stream_truncated ||
           ec == http::error::end_of_stream || ec == http::error::partial_message;
}

// getaddrinfo cannot be interrupted, so the lookup runs detached: the job
// outlives this coroutine if the deadline fires first, and the coroutine
// waits on a timer that the lookup's completion cancels (timers, unlike
// resolvers, honour per-operation cancellation).
struct resolve_job {
    explicit resolve_job(const asio::any_io_executor& ex) : resolver(ex), done(ex) {
        done.expires_at(asio::steady_timer::time_point::max());
    }
    tcp::resolver resolver;
    asio::steady_timer done;
    error_code ec;
    tcp::resolver::results_type results;
    bool finished = false;
};

asio::awaitable<tcp::resolver::results_type> resolve(const std::string& host, std::uint16_t port) {
    // An address literal needs no lookup (and no resolver thread).
    error_code not_literal;
    const auto literal = asio::ip::make_address(host, not_literal);
    if (!not_literal)
        co_return tcp::resolver::results_type::create(tcp::endpoint(literal, port), host, std::to_string(port));
    auto job = std::make_shared<resolve_job>(co_await asio::this_coro::executor);
    auto on_resolved = [job](error_code ec, tcp::resolver::results_type results) {
        job->ec = ec;
        job->results = std::move(results);
        job->finished = true;
        job->done.cancel();
    };
    job->resolver.async_resolve(host, std::to_string(port), tcp::resolver::numeric_service, on_resolved);
    error_code wait_ec;
    co_await job->done.async_wait(asio::redirect_error(use_awaitable, wait_ec));
    if (!job->finished) throw boost::system::system_error(asio::error::operation_aborted);
    if (job->ec) {
        const bool permanent = job->ec == asio::error::host_not_found || job->ec == asio::error::no_data;
        throw attempt_error(fault::network,
                            "could not resolve " + host + ": " + job->ec.message() + "; check the host name and DNS",
                            permanent ? retry_class::none : retry_class::transient);
    }
    co_return job->results;
}

// `what` names the peer ("STS at", "proxy"); `hint` ends the message.
asio::awaitable<void> connect_tcp(connection& c, const std::string& host, std::uint16_t port, std::string_view what,
                                  std::string_view hint) {
    c.step = "DNS lookup";
    auto endpoints = co_await resolve(host, port);
    c.step = "TCP connect";
    try {
        co_await asio::async_connect(c.socket(), endpoints, use_awaitable);
    } catch (const boost::system::system_error& e) {
        if (e.code() == asio::error::operation_aborted) throw;
        throw attempt_error(fault::network,
                            "could not connect to " + std::string(what) + " " + join_host_port(host, port) + ": " +
                                e.code().message() + "; " + std::string(hint),
                            retry_class::transient);
    }
    c.socket().set_option(tcp::no_delay(true));
}

asio::awaitable<void> proxy_connect(connection& c, const proxy_settings& proxy, const endpoint& target,
                                    const std::string& user_agent) {
    c.step = "proxy CONNECT";
    const std::string authority = join_host_port(target.host, target.port);
    // The request may carry the proxy password: built in wiped storage.
    tpmwire::secret_string req;
    req.reserve(512);
    req += "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\nUser-Agent: " + user_agent + "\r\n";
    if (proxy.authorization) {
        req += "Proxy-Authorization: ";
        req += *proxy.authorization;
        req += "\r\n";
    }
    req += "\r\n";
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a 2xx answer to CONNECT has no body: the tunnel follows
    try {
        co_await asio::async_write(c.socket(), asio::buffer(req.data(), req.size()), use_awaitable);
        co_await http::async_read_header(c.socket(), buffer, parser, use_awaitable);
    } catch (const boost::system::system_error& e) {
        if (e.code() == asio::error::operation_aborted) throw;
        throw attempt_error(fault::network,
                            "proxy " + proxy.display() + " (from " + proxy.source + ") failed during CONNECT to " +
                                authority + ": " + e.code().message(),
                            is_disconnect(e.code()) ? retry_class::transient : retry_class::none);
    }
    const unsigned status = parser.get().result_int();
    if (status / 100 != 2) {
        std::string msg = "proxy " + proxy.display() + " (from " + proxy.source + ") refused CONNECT to " + authority +
                          ": HTTP " + std::to_string(status);
        retry_class retry = retry_class::none;
        if (status == 407) {
            msg += proxy.authorization ? "; it rejected the user name or password in " + proxy.source
                                       : "; it requires a user name and password (http://user:password@host:port in " +
                                             proxy.source + ")";
        } else if (status == 502 || status == 503 || status == 504) {
            msg += "; the proxy could not reach STS";
            retry = retry_class::transient;
        } else {
            msg += "; check the proxy's access rules for " + authority;
        }
        throw attempt_error(fault::network, msg, retry);
    }
    if (buffer.size() != 0) {
        throw attempt_error(fault::network, "proxy " + proxy.display() + " sent data before the TLS handshake",
                            retry_class::none);
    }
}

void prepare_tls(connection& c, const std::string& host) {
    SSL* ssl = c.stream.native_handle();
    bool ok;
    if (parse_ip(host)) {
        ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
    } else {
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        ok = SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
    }
    if (!ok) throw attempt_error(fault::internal, "could not set up TLS verification for " + host, retry_class::none);
}

[[noreturn]] void handshake_failed(connection& c, const std::string& who, const std::string& ca_source,
                                   const error_code& ec) {
    const long v = SSL_get_verify_result(c.stream.native_handle());
    if (v != X509_V_OK) {
        std::string msg = "TLS certificate of " + who + " was rejected (" + X509_verify_cert_error_string(v) + "); ";
        switch (v) {
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            msg += "the certificate is for another host: check the endpoint URL, and that nothing intercepts TLS";
            break;
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            msg += "its issuer is not trusted: check " + ca_source;
            break;
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CERT_NOT_YET_VALID:
            msg += "check the system clock";
            break;
        default:
            msg += "check " + ca_source;
            break;
        }
        throw attempt_error(fault::tls, msg, retry_class::none);
    }
    if (is_disconnect(ec)) {
        throw attempt_error(fault::network, "connection to " + who + " was closed during the TLS handshake",
                            retry_class::transient);
    }
    throw attempt_error(fault::tls, "TLS handshake with " + who + " failed: " + ec.message() +
                                        "; check that the endpoint speaks TLS 1.2 or later",
                        retry_class::none);
}

asio::awaitable<void> open_phase(connection& c, const endpoint& target, const std::optional<proxy_settings>& proxy,
                                 const std::string& user_agent, const std::string& ca_source) {
    if (proxy) {
        // Named, not temporaries: g++ 12 mishandles temporaries with
        // destructors inside co_await expressions.
        const std::string hint = "check " + proxy->source;
        co_await connect_tcp(c, proxy->host, proxy->port, "proxy", hint);
        co_await proxy_connect(c, *proxy, target, user_agent);
    } else {
        const std::string hint = "check the endpoint (" + target.source + ") and the network";
        co_await connect_tcp(c, target.host, target.port, "STS at", hint);
    }

    c.step = "TLS handshake";
    prepare_tls(c, target.host);
    error_code hs_ec;
    co_await c.stream.async_handshake(ssl::stream_base::client, asio::redirect_error(use_awaitable, hs_ec));
    if (hs_ec == asio::error::operation_aborted) throw boost::system::system_error(hs_ec);
    if (hs_ec) handshake_failed(c, c.who, ca_source, hs_ec);
}

asio::awaitable<http_reply> request_phase(connection& c, const outgoing& request, const std::string& user_agent) {
    const std::string& who = c.who;
    http::request<http::string_body> req{http::string_to_verb(request.method), request.path, 11};
    for (const auto& [name, value] : request.headers) req.insert(name, value);
    req.set(http::field::accept, "application/json");
    req.set(http::field::user_agent, user_agent);
    req.body() = request.body;

    wiped_buffer buffer;
    http::response_parser<secret_body> parser;
    parser.body_limit(max_reply_body);
    parser.header_limit(static_cast<std::uint32_t>(max_reply_header));
    try {
        c.step = "sending the request";
        co_await http::async_write(c.stream, req, use_awaitable);
        c.step = "reading the response";
        co_await http::async_read(c.stream, buffer, parser, use_awaitable);
    } catch (const boost::system::system_error& e) {
        const auto& ec = e.code();
        if (ec == asio::error::operation_aborted) throw;
        if (is_disconnect(ec)) {
            throw attempt_error(fault::network,
                                "connection to " + who + " was closed " +
                                    (std::string_view(c.step) == "sending the request"
                                         ? std::string("while sending the request")
                                         : std::string("before the full reply arrived")),
                                retry_class::transient);
        }
        if (ec == http::error::body_limit) {
            throw attempt_error(fault::sts, "the reply from " + who + " is larger than 1 MiB; check the endpoint URL",
                                retry_class::none);
        }
        if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
            throw attempt_error(fault::sts,
                                who + " sent a malformed HTTP reply (" + ec.message() + "); check the endpoint URL",
                                retry_class::none);
        }
        throw attempt_error(fault::network, "connection to " + who + " failed " + c.step + ": " + ec.message(),
                            retry_class::transient);
    }

    auto& res = parser.get();
    http_reply out;
    out.status = res.result_int();
    out.reason = std::string(res.reason());
    out.content_type = std::string(res[http::field::content_type]);
    if (auto it = res.find(http::field::date); it != res.end()) out.date = std::string(it->value());
    if (auto it = res.find("x-amz-retry-after"); it != res.end()) out.retry_after = std::string(it->value());
    out.body = std::move(res.body());
    error_code ignored;
    c.socket().close(ignored);  // no TLS close_notify wait: the reply is complete
    co_return out;
}

asio::awaitable<void> watchdog(connection& c, std::chrono::steady_clock::time_point deadline) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_at(deadline);
    // Cancelled (operation_aborted) when the exchange finished first: the
    // usual outcome, so it is an error code, not an exception (a throw per
    // phase costs CPU and touches the unwind tables on every fetch).
    error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    // Closing the socket makes whatever is in flight complete at once, even
    // operations that ignore cancellation.
    error_code ignored;
    c.socket().close(ignored);
}

// Runs `phase` on `c` racing the watchdog; whichever finishes first cancels
// the other (wait_for_one), and the group waits for both to wind down.
template <class T>
asio::awaitable<T> guarded(connection& c, asio::awaitable<T> phase, std::chrono::steady_clock::time_point deadline) {
    auto ex = co_await asio::this_coro::executor;
    const auto started = std::chrono::steady_clock::now();
    auto race = asio::experimental::make_parallel_group(asio::co_spawn(ex, std::move(phase), asio::deferred),
                                                        asio::co_spawn(ex, watchdog(c, deadline), asio::deferred));
    auto timed_out = [&] {
        return attempt_error(fault::timeout,
                             "STS request to " + c.who + " timed out during " + c.step + " after " +
                                 format_seconds(deadline - started) +
                                 "; check network access to it (proxy, firewall) or allow more time with --timeout",
                             retry_class::transient);
    };
    // A timeout only when the watchdog finished first *and* its deadline has
    // passed: cancelled from outside, it can finish first too.
    auto fired = [&] { return std::chrono::steady_clock::now() >= deadline; };
    if constexpr (std::is_void_v<T>) {
        auto [order, phase_ex, watchdog_ex] =
            co_await race.async_wait(asio::experimental::wait_for_one(), asio::deferred);
        if (order[0] == 1 && !watchdog_ex && fired()) throw timed_out();
        if (phase_ex) std::rethrow_exception(phase_ex);
    } else {
        auto [order, phase_ex, value, watchdog_ex] =
            co_await race.async_wait(asio::experimental::wait_for_one(), asio::deferred);
        if (order[0] == 1 && !watchdog_ex && fired()) throw timed_out();
        if (phase_ex) std::rethrow_exception(phase_ex);
        co_return std::move(value);
    }
}

}  // namespace

std::string format_seconds(std::chrono::steady_clock::duration d) {
    // Tenths are enough for a human and hide scheduling jitter (0.999 s -> 1 s).
    const auto tenths = (std::chrono::duration_cast<std::chrono::milliseconds>(d).count() + 50) / 100;
    std::string s = std::to_string(tenths / 10);
    if (tenths % 10 != 0) s += "." + std::to_string(tenths % 10);
    return s + " s";
}

asio::awaitable<connection_ptr> open(ssl::context& ctx, const endpoint& target,
                                     const std::optional<proxy_settings>& proxy, const std::string& user_agent,
                                     const std::string& ca_source, std::chrono::steady_clock::time_point deadline) {
    // Named locals, not temporaries: g++ 12 mishandles temporaries with
    // destructors inside co_await expressions.
    auto ex = co_await asio::this_coro::executor;
    connection_ptr c(new connection(ex, ctx, peer_name(target, proxy)));
    auto phase = open_phase(*c, target, proxy, user_agent, ca_source);
    co_await guarded(*c, std::move(phase), deadline);
    co_return c;
}

asio::awaitable<http_reply> request(connection& c, const outgoing& req, const std::string& user_agent,
                                    std::chrono::steady_clock::time_point deadline) {
    auto phase = request_phase(c, req, user_agent);
    co_return co_await guarded(c, std::move(phase), deadline);
}

}  // namespace atpc::sts::detail
