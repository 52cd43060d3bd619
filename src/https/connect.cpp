// The lookup and TCP connect steps of open().
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>

#include "https/connection.hpp"

namespace atpc::https::detail {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using asio::use_awaitable;

// getaddrinfo cannot be interrupted, so the lookup runs detached: the job
// outlives the coroutine when the deadline or a cancellation comes first,
// and the coroutine waits on a timer (set to the deadline) that the lookup's
// completion cancels. Timers, unlike resolvers, honour per-operation
// cancellation.
struct resolve_job {
    resolve_job(const asio::any_io_executor& ex, clock::time_point deadline) : resolver(ex), done(ex) {
        done.expires_at(deadline);
    }
    tcp::resolver resolver;
    asio::steady_timer done;
    error_code ec;
    tcp::resolver::results_type results;
    bool finished = false;
};

failure lookup_failure(const std::string& host, const error_code& ec) {
    const bool unknown = ec == asio::error::host_not_found || ec == asio::error::no_data;
    return failure(fault::network, "could not resolve " + host + ": " + ec.message(), step::resolve,
                   unknown ? cause::unknown_host : cause::unreachable, !unknown);
}

asio::awaitable<tcp::resolver::results_type> resolve(connection_base& c, const std::string& host,
                                                     std::uint16_t port, clock::time_point deadline) {
    // An address literal needs no lookup (and no resolver thread).
    error_code not_literal;
    const auto literal = asio::ip::make_address(host, not_literal);
    if (!not_literal) {
        co_return tcp::resolver::results_type::create(tcp::endpoint(literal, port), host, std::to_string(port));
    }
    c.begin(step::resolve, "looking up " + host);
    auto job = std::make_shared<resolve_job>(co_await asio::this_coro::executor, deadline);
    auto on_resolved = [job](error_code ec, tcp::resolver::results_type results) {
        job->ec = ec;
        job->results = std::move(results);
        job->finished = true;
        job->done.cancel();
    };
    job->resolver.async_resolve(host, std::to_string(port), tcp::resolver::numeric_service, on_resolved);
    error_code wait_ec;
    co_await job->done.async_wait(asio::redirect_error(use_awaitable, wait_ec));
    if (!job->finished) {
        // Cancelled from outside, or the deadline (the timer expired).
        fail(c, wait_ec ? wait_ec : error_code(boost::beast::error::timeout), lookup_failure(host, wait_ec));
    }
    if (job->ec) throw lookup_failure(host, job->ec);
    co_return job->results;
}

}  // namespace

asio::awaitable<void> connect_tcp(connection_base& c, const std::string& host, std::uint16_t port,
                                  clock::time_point deadline) {
    const auto endpoints = co_await resolve(c, host, port, deadline);
    c.begin(step::connect, "connecting to " + c.hop);
    error_code ec;
    co_await c.tcp().async_connect(endpoints, asio::redirect_error(use_awaitable, ec));
    if (ec) {
        fail(c, ec, failure(fault::network, "could not connect to " + c.hop + ": " + ec.message(), step::connect,
                            cause::unreachable, true));
    }
    c.tcp().socket().set_option(tcp::no_delay(true));
}

}  // namespace atpc::https::detail
