// Runs one top-level coroutine of the program to completion under the
// run's deadline, on a fresh single-threaded io_context.
//
// On the deadline (the runner's own, or a body's that ended in
// fault::timeout) the io_context is deliberately leaked: destroying it would
// join a resolver thread stuck in getaddrinfo, and the process is about to
// print its error and exit anyway.
#pragma once

#include "base/error.hpp"
#include "runner/run_until.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace atpc::runner {

namespace detail {
inline bool is_timeout(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const error& x) {
        return x.kind() == fault::timeout;
    } catch (...) {
        return false;
    }
}
}  // namespace detail

// Keeps `io` reachable, never destroyed, until the process exits. For an
// io_context whose work may include a name lookup that cannot be interrupted.
inline void abandon(std::unique_ptr<boost::asio::io_context> io) {
    static auto* kept = new std::vector<std::unique_ptr<boost::asio::io_context>>;
    kept->push_back(std::move(io));
}

// `on_timeout` gives the one-line message (it may read state the body left).
template <class T>
T run_bounded(boost::asio::awaitable<T> body, std::chrono::steady_clock::time_point deadline,
              const std::function<std::string()>& on_timeout) {
    auto io = std::make_unique<boost::asio::io_context>(1);
    std::optional<T> result;
    std::exception_ptr failure;
    bool timed_out = false;
    auto main = [&]() -> boost::asio::awaitable<void> {
        try {
            auto r = co_await run_until(std::move(body), deadline);
            if (r) result = std::move(*r);
            else timed_out = true;
        } catch (...) {
            failure = std::current_exception();
        }
    };
    boost::asio::co_spawn(*io, main(), boost::asio::detached);
    io->run();
    if (timed_out) {
        abandon(std::move(io));
        throw error(fault::timeout, on_timeout());
    }
    if (failure) {
        if (detail::is_timeout(failure)) abandon(std::move(io));
        std::rethrow_exception(failure);
    }
    if (!result) throw error(fault::internal, "the run ended without a result");
    return std::move(*result);
}

}  // namespace atpc::runner
