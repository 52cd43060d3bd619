// atpc::runner::run_until: an awaitable under the run's deadline.
#include "runner/run_until.hpp"
#include "support/exception_count.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>

namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using atpc::runner::run_until;

// An operation that takes `d` and then yields 42 (or fails, or never ends
// when `d` is long), waiting without ever throwing itself.
net::awaitable<int> answer_after(clock_type::duration d) {
    net::steady_timer t(co_await net::this_coro::executor, d);
    auto [ec] = co_await t.async_wait(net::as_tuple(net::use_awaitable));
    if (ec) throw boost::system::system_error(ec);
    co_return 42;
}

net::awaitable<int> fail_at_once() {
    co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
    throw std::runtime_error("the TPM went away");
    co_return 0;
}

template <class T>
struct outcome {
    std::optional<std::optional<T>> value;
    std::exception_ptr failure;
};

template <class T>
outcome<T> run(net::io_context& io, net::awaitable<std::optional<T>> a) {
    outcome<T> out;
    net::co_spawn(io, std::move(a), [&](std::exception_ptr e, std::optional<T> v) {
        if (e) out.failure = e;
        else out.value = std::move(v);
    });
    io.run();
    return out;
}

}  // namespace

TEST_CASE("run_until returns the operation's value and creates no exception on the way") {
    net::io_context io;
    // Warm-up: the first run initialises lazily built Asio state.
    auto warm = run(io, run_until(answer_after(1ms), clock_type::now() + 5s));
    REQUIRE(warm.value);
    io.restart();

    const int before = test::exceptions_created_on_this_thread();
    auto out = run(io, run_until(answer_after(5ms), clock_type::now() + 5s));
    const int created = test::exceptions_created_on_this_thread() - before;
    REQUIRE_FALSE(out.failure);
    REQUIRE(out.value);
    REQUIRE(*out.value == std::optional<int>(42));
    // The deadline timer lost the race and was cancelled: that is a value,
    // not an operation_aborted thrown and caught inside the race.
    CHECK(created == 0);
}

TEST_CASE("run_until gives no value once the deadline passes, and stops waiting for the operation") {
    net::io_context io;
    const auto start = clock_type::now();
    auto out = run(io, run_until(answer_after(30s), start + 50ms));
    const auto took = clock_type::now() - start;
    REQUIRE_FALSE(out.failure);
    REQUIRE(out.value);
    CHECK_FALSE(out.value->has_value());
    CHECK(took >= 50ms);
    CHECK(took < 5s);
}

TEST_CASE("run_until passes an early failure on at once, not at the deadline") {
    net::io_context io;
    const auto start = clock_type::now();
    auto out = run(io, run_until(fail_at_once(), start + 10s));
    CHECK(clock_type::now() - start < 5s);
    REQUIRE(out.failure);
    REQUIRE_THROWS_AS(std::rethrow_exception(out.failure), std::runtime_error);
}

TEST_CASE("run_until cancelled from outside fails with operation_aborted, not as a timeout") {
    net::io_context io;
    net::cancellation_signal cancel;
    outcome<int> out;
    net::co_spawn(io, run_until(answer_after(30s), clock_type::now() + 30s),
                  net::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, std::optional<int> v) {
                      if (e) out.failure = e;
                      else out.value = v;
                  }));
    net::steady_timer later(io, 20ms);
    later.async_wait([&](boost::system::error_code) { cancel.emit(net::cancellation_type::terminal); });
    const auto start = clock_type::now();
    io.run();
    CHECK(clock_type::now() - start < 5s);
    REQUIRE(out.failure);
    try {
        std::rethrow_exception(out.failure);
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == net::error::operation_aborted);
    }
}
