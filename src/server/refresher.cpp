#include "server/refresher.hpp"

#include "base/error.hpp"
#include "credential/fetch.hpp"
#include "output/process_output.hpp"
#include "server/limits.hpp"
#include "server/refresh_policy.hpp"

#include "tpmwire/error.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

namespace atpc::server {

namespace {

constexpr auto as_result = net::as_tuple(net::use_awaitable);

long long whole_seconds(wall_clock::duration d) {
    return std::chrono::duration_cast<std::chrono::seconds>(d + std::chrono::milliseconds(500)).count();
}

}  // namespace

refresher::refresher(credential_state& state, const credential::settings& settings, env_lookup env, log_fn log,
                     log_fn debug)
    : state_(state), settings_(settings), env_(std::move(env)), log_(std::move(log)), debug_(std::move(debug)) {}

void refresher::start(net::any_io_executor ex) {
    next_ = next_refresh(state_.expiration(), wall_clock::now(), unit_random());
    running_ = true;
    net::co_spawn(ex, loop(), net::bind_cancellation_slot(cancel_.slot(), net::detached));
}

void refresher::stop() {
    stopping_ = true;
    if (running_) cancel_.emit(net::cancellation_type::terminal);
}

net::awaitable<void> refresher::loop() {
    net::steady_timer timer(co_await net::this_coro::executor);
    try {
        while (!stopping_) {
            // Waits in steps, so a wall-clock jump is noticed.
            const auto now = wall_clock::now();
            if (now >= next_) {
                co_await refresh_once();
                continue;
            }
            timer.expires_after(std::min<wall_clock::duration>(next_ - now, clock_recheck));
            auto [ec] = co_await timer.async_wait(as_result);
            if (ec) break;
        }
    } catch (const std::exception&) {
        // Cancelled by stop() (Asio throws when an awaited operation was cancelled).
    }
    running_ = false;
}

net::awaitable<void> refresher::refresh_once() {
    if (debug_) debug_("refresh: fetching new credentials");
    std::string failure;
    try {
        auto fetch = credential::fetch_async(settings_, env_, debug_);
        sts::credentials c = co_await std::move(fetch);
        state_.install(c, wall_clock::now());
    } catch (const error& e) {
        failure = e.what();
    } catch (const tpmwire::error& e) {
        failure = e.what();
    } catch (const boost::system::system_error& e) {
        if (stopping_) co_return;  // cancelled by stop()
        failure = std::string("internal error: ") + e.what();
    }
    if (stopping_) co_return;
    if (failure.empty()) succeeded(wall_clock::now());
    else failed(failure, wall_clock::now());
}

void refresher::succeeded(wall_clock::time_point now) {
    ++refreshes_;
    next_ = next_refresh(state_.expiration(), now, unit_random());
    const std::string line = fmt::format("refresh: new credentials until {}, next refresh in {} s",
                                         output::rfc3339(state_.expiration()), whole_seconds(next_ - now));
    if (failures_ > 0) log_(fmt::format("{} (after {} failed attempts)", line, failures_));
    else if (debug_) debug_(line);
    failures_ = 0;
}

void refresher::failed(const std::string& cause, wall_clock::time_point now) {
    ++failures_;
    state_.refresh_failed(cause);
    next_ = now + retry_delay(failures_, unit_random());
    const auto until = state_.expiration() - serve_until;
    const std::string serving = until > now ? "serving the last credentials until " + output::rfc3339(until)
                                            : "no credentials to serve (503)";
    log_(fmt::format("refresh failed ({}; next attempt in {} s): {}", serving, whole_seconds(next_ - now), cause));
}

}  // namespace atpc::server
