// Running a coroutine to completion in a test (header-only, so only tests
// that include it compile Asio).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>

namespace test {

// Runs `op` on `io` until it finishes; rethrows its exception.
template <class T>
T run_coro(boost::asio::io_context& io, boost::asio::awaitable<T> op) {
    std::optional<T> out;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, std::move(op), [&](std::exception_ptr e, T v) {
        failure = e;
        if (!e) out.emplace(std::move(v));
    });
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(*out);
}

inline void run_coro(boost::asio::io_context& io, boost::asio::awaitable<void> op) {
    std::exception_ptr failure;
    boost::asio::co_spawn(io, std::move(op), [&](std::exception_ptr e) { failure = e; });
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace test
