// Running an awaitable under a deadline (the run's, in bounded_run.hpp).
//
// Boost 1.81's Asio has no cancel_after, so the operation is raced against a
// steady_timer with awaitable_operators' `||`. That operator waits for the
// first *successful* completion, so a fast failure would otherwise sit out
// the whole deadline: the operation is wrapped to complete with its
// exception as a value, and rethrown here. The timer completes with its
// error code as a value too, so the normal case throws nothing.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <utility>
#include <variant>

namespace atpc::runner {

namespace net = boost::asio;

namespace detail {

template <class T>
struct outcome {
    std::optional<T> value;
    std::exception_ptr failure;
};

template <class T>
net::awaitable<outcome<T>> capture_outcome(net::awaitable<T> op) {
    outcome<T> out;
    try {
        out.value.emplace(co_await std::move(op));
    } catch (...) {
        out.failure = std::current_exception();
    }
    co_return out;
}

}  // namespace detail

// The operation's result, or std::nullopt when `deadline` passed first (the
// operation has then been cancelled). Exceptions of the operation propagate.
template <class T>
net::awaitable<std::optional<T>> run_until(net::awaitable<T> op, std::chrono::steady_clock::time_point deadline) {
    using namespace net::experimental::awaitable_operators;
    net::steady_timer timer(co_await net::this_coro::executor, deadline);
    // The timer's cancellation when the operation wins is the usual outcome:
    // as_tuple makes it a value, not an exception thrown and caught on every run.
    auto raced = co_await (detail::capture_outcome(std::move(op)) || timer.async_wait(net::as_tuple(net::use_awaitable)));
    if (raced.index() == 1) {
        auto [ec] = std::get<1>(raced);
        if (ec) throw boost::system::system_error(ec);  // cancelled from outside, not the deadline
        co_return std::nullopt;
    }
    auto& result = std::get<0>(raced);
    if (result.failure) std::rethrow_exception(result.failure);
    co_return std::move(result.value);
}

}  // namespace atpc::runner
