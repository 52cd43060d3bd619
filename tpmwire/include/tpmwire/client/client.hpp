// The coroutine TPM client: `co_await tpm.execute(cmd)`.
//
// This is the one place where, for every command:
//   - the deadline is applied (per command, longer for commands with the
//     creates_key trait, and never past the caller's overall deadline); on
//     expiry the transport is closed so a late reply is never taken as the
//     answer to a later command;
//   - TPM_RC_RETRY / YIELDED / TESTING are retried with a short, bounded
//     backoff inside that deadline (authorization failures never are);
//   - sessions authorize the command and verify the response;
//   - transient objects and sessions the TPM creates for us are tracked, so
//     flush_tracked() can leave the TPM as it was on every path.
//
// Nothing here switches on the command: what differs between commands is a
// trait on its struct (commands.hpp).
#pragma once

#include "tpmwire/commands/commands.hpp"
#include "tpmwire/transports/transport.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>

// g++ (12 here; later versions unverified) destroys an aggregate temporary
// written inside a co_await expression twice, a double free. On g++ the
// rvalue overloads that would take one are deleted, so `co_await
// tpm.execute(HMAC{...})` is a compile error there; clang takes it.
#if defined(__GNUC__) && !defined(__clang__)
#define TPMWIRE_REFUSE_COAWAIT_TEMPORARIES 1
#else
#define TPMWIRE_REFUSE_COAWAIT_TEMPORARIES 0
#endif

namespace tpmwire {

struct client_options {
    // Deadline of each TPM command.
    std::chrono::milliseconds command_timeout{2000};
    // Commands with the creates_key trait (CreatePrimary, Create, Load,
    // Import) get at least this much: an RSA primary can take seconds on a
    // discrete TPM.
    std::chrono::milliseconds key_generation_timeout{30000};
    // No command's deadline goes past this (the whole run's deadline).
    std::chrono::steady_clock::time_point overall_deadline = std::chrono::steady_clock::time_point::max();
};

class client {
public:
    client(net::any_io_executor ex, std::unique_ptr<transport> t, client_options options = {})
        : ex_(std::move(ex)), transport_(std::move(t)), options_(options),
          watchdog_timer_(ex_), watchdog_(std::make_shared<watchdog>()) {
        watchdog_->timer = &watchdog_timer_;
        watchdog_->bus = transport_.get();
    }
    ~client() {
        watchdog_->timer = nullptr;
        watchdog_->bus = nullptr;
    }

    client(const client&) = delete;
    client& operator=(const client&) = delete;

#if TPMWIRE_REFUSE_COAWAIT_TEMPORARIES
    template <tpm_command C>
    net::awaitable<typename C::response> execute(C&& cmd, std::span<Session* const> extra = {}) = delete;
#endif
    // Sends `cmd` under its deadline, resends it while the TPM asks to, and
    // returns the decoded response. One command at a time per client.
    template <tpm_command C>
    net::awaitable<typename C::response> execute(const C& cmd, std::span<Session* const> extra = {});

    // Runs `body`, then flushes every transient object and session created
    // while it ran, on success and on every error path; rethrows the error.
    // (C++ forbids co_await in a catch block, so this is the one place that
    // does the capture-flush-rethrow dance.)
    template <class T>
    net::awaitable<T> scoped(net::awaitable<T> body) {
        const std::size_t mark = tracked_.size();
        std::exception_ptr failure;
        std::optional<T> out;
        try {
            out.emplace(co_await std::move(body));
        } catch (...) {
            failure = std::current_exception();
        }
        co_await flush_tracked(mark);
        if (failure) std::rethrow_exception(failure);
        co_return std::move(*out);
    }

    // Flushes the transient objects and sessions this client created and has
    // not flushed yet (those tracked after position `from`), newest first.
    // Best effort: errors are swallowed, and it stops at the first timeout
    // (a hung TPM would only time out again).
    net::awaitable<void> flush_tracked(std::size_t from = 0) {
        if (!transport_->is_open() && transport_->flushes_on_close()) {
            tracked_.clear();  // the resource manager flushed them on close
            co_return;
        }
        while (tracked_.size() > from) {
            TPM_HANDLE h = tracked_.back();
            tracked_.pop_back();
            const FlushContext flush{h};
            try {
                co_await execute(flush);
            } catch (const error& e) {
                if (e.kind() == errc::timeout || e.kind() == errc::transport) {
                    tracked_.resize(std::min(tracked_.size(), from));
                    co_return;
                }
            }
        }
    }

    // Flushes one handle now.
    net::awaitable<void> flush(TPM_HANDLE h) {
        const FlushContext cmd{h};
        co_await execute(cmd);
    }

    // Handles created through this client and not flushed yet, oldest first.
    const std::vector<TPM_HANDLE>& tracked() const noexcept { return tracked_; }
    // Stop tracking a handle the caller now owns (e.g. made persistent and flushed elsewhere).
    void untrack(TPM_HANDLE h) { std::erase(tracked_, h); }

    // Commands put on the wire, retries and flushes included.
    std::size_t commands_sent() const noexcept { return sent_; }
    // Of those, how many were resent because the TPM asked (TPM_RC_RETRY,
    // YIELDED, TESTING); libtpms asks once while it writes DA state to NV.
    std::size_t retries() const noexcept { return retries_; }
    transport& bus() noexcept { return *transport_; }
    const client_options& options() const noexcept { return options_; }
    void set_overall_deadline(std::chrono::steady_clock::time_point t) { options_.overall_deadline = t; }
    net::any_io_executor get_executor() const { return ex_; }

private:
    template <tpm_command C>
    std::chrono::milliseconds timeout_for() const {
        if constexpr (creates_key<C>) return std::max(options_.command_timeout, options_.key_generation_timeout);
        return options_.command_timeout;
    }

    // The deadline of one command: a watchdog timer that, if the deadline
    // passes, closes the transport, which makes the pending transact() fail.
    //
    // Arming a timer costs a timerfd_settime(2) whenever it becomes the
    // earliest one, a visible share of a command on swtpm (bench/README.md),
    // so the watchdog is lazy: one timer per client, left running from
    // command to command, and moved only when a command's deadline is
    // earlier than where it is set.
    // When it fires early (a later command with a later deadline is running)
    // it re-arms for that deadline. A posted check stops it once the client
    // is idle, so that it never keeps io_context::run() from returning.
    //
    // Handlers share this state, not the client: both pointers are cleared
    // when the client goes, and the timer itself stays a member of the
    // client, so no I/O object outlives it.
    struct watchdog {
        net::steady_timer* timer = nullptr;
        transport* bus = nullptr;
        std::chrono::steady_clock::time_point deadline;
        bool armed = false;  // a wait is pending, for timer->expiry()
        bool busy = false;
        bool expired = false;
        bool idle_check_posted = false;
    };

    static void arm(const std::shared_ptr<watchdog>& w, std::chrono::steady_clock::time_point at) {
        w->timer->expires_at(at);  // a pending wait completes with operation_aborted
        w->armed = true;
        w->timer->async_wait([w](boost::system::error_code ec) {
            if (ec || !w->timer) return;  // moved, stopped, or the client is gone
            w->armed = false;
            if (!w->busy) return;  // idle: let the timer go
            if (std::chrono::steady_clock::now() >= w->deadline) {
                w->expired = true;
                w->bus->close();
            } else {
                arm(w, w->deadline);
            }
        });
    }

    net::awaitable<bytes> exchange(bytes_view command, std::chrono::steady_clock::time_point deadline,
                                   std::chrono::milliseconds budget, std::string_view name) {
        ++sent_;
        watchdog& w = *watchdog_;
        w.deadline = deadline;
        w.busy = true;
        w.expired = false;
        if (!w.armed || watchdog_timer_.expiry() > deadline) arm(watchdog_, deadline);
        std::exception_ptr failure;
        bytes response;
        try {
            response = co_await transport_->transact(command);
        } catch (...) {
            failure = std::current_exception();
        }
        w.busy = false;
        if (w.armed && !w.idle_check_posted) {
            // Runs after the caller's next step: usually the next command is
            // in flight by then and the timer stays.
            w.idle_check_posted = true;
            net::post(ex_, [wp = watchdog_] {
                wp->idle_check_posted = false;
                if (wp->busy || !wp->armed || !wp->timer) return;
                wp->armed = false;
                wp->timer->cancel();
            });
        }
        if (w.expired) {
            // Stable text: a program appends which of its settings changes it.
            bool overall = deadline == options_.overall_deadline;
            throw error(errc::timeout,
                        std::string(name) + " did not complete within " +
                            (overall ? std::string("the overall deadline")
                                     : "the command deadline of " + std::to_string(budget.count()) + " ms") +
                            " (" + transport_->describe() + "); the TPM is hung or busy",
                        0, 0);
        }
        if (failure) std::rethrow_exception(failure);
        co_return response;
    }

    // Handles the response created are tracked; those the command consumed,
    // and sessions it ended (continueSession clear), no longer are.
    template <tpm_command C>
    void after_success(const C& cmd, typename C::response& rsp, const std::vector<Session*>& sessions) {
        std::apply([&](auto&... h) { (track(h), ...); }, rsp.handles());
        for (TPM_HANDLE h : consumed_handles(cmd)) untrack(h);
        for (Session* s : sessions)
            if (!(s->attributes() & TPMA_SESSION_continueSession)) untrack(s->handle());
    }

    void track(TPM_HANDLE h) {
        auto type = handle_type(h);
        if (type == TPM_HT_TRANSIENT || type == TPM_HT_HMAC_SESSION || type == TPM_HT_POLICY_SESSION)
            if (std::find(tracked_.begin(), tracked_.end(), h) == tracked_.end()) tracked_.push_back(h);
    }

    net::any_io_executor ex_;
    std::unique_ptr<transport> transport_;
    client_options options_;
    std::vector<TPM_HANDLE> tracked_;
    std::size_t sent_ = 0;
    std::size_t retries_ = 0;
    bool busy_ = false;
    net::steady_timer watchdog_timer_;
    std::shared_ptr<watchdog> watchdog_;
};

template <tpm_command C>
net::awaitable<typename C::response> client::execute(const C& cmd, std::span<Session* const> extra) {
    if (busy_) throw error(errc::usage, std::string(C::name) + " issued while another command is running", 0,
                           C::command_code);
    busy_ = true;
    struct idle_on_exit {
        bool& flag;
        ~idle_on_exit() { flag = false; }
    } guard{busy_};

    const auto budget = timeout_for<C>();
    const auto deadline = std::min(std::chrono::steady_clock::now() + budget, options_.overall_deadline);
    auto backoff = std::chrono::milliseconds(5);
    for (;;) {
        std::vector<Session*> sessions;
        bytes command = encode(cmd, sessions, extra);
        bytes response = co_await exchange(command, deadline, budget, C::name);
        bool retry = false;
        try {
            auto rsp = decode(cmd, response, sessions);
            after_success(cmd, rsp, sessions);
            co_return rsp;
        } catch (const error& e) {
            retry = e.kind() == errc::tpm && is_retryable(e.rc()) &&
                    std::chrono::steady_clock::now() + backoff < deadline;
            if (!retry) throw;
        }
        ++retries_;
        net::steady_timer pause(ex_, backoff);
        co_await pause.async_wait(net::use_awaitable);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(200));
    }
}

// Opt-in, for programs with many translation units: with
// TPMWIRE_EXTERN_CLIENT defined, execute() for the command set is not
// compiled where it is called but once, where <tpmwire/client/instances.hpp>
// is included. Without it the client stays header-only; both may be mixed.
#ifdef TPMWIRE_EXTERN_CLIENT
#define TPMWIRE_DETAIL_EXTERN_EXECUTE(C) \
    extern template net::awaitable<C::response> client::execute<C>(const C&, std::span<Session* const>);
TPMWIRE_COMMANDS(TPMWIRE_DETAIL_EXTERN_EXECUTE)
#undef TPMWIRE_DETAIL_EXTERN_EXECUTE
#endif

}  // namespace tpmwire
