// The STS call: one coroutine that sends a signed request, retries the way
// the AWS SDKs' "standard" mode does, corrects the signing clock once when
// STS says it is off, and returns the parsed credentials.
//
// Deadlines: every attempt gets min(now + attempt_timeout, deadline); the
// overall `deadline` is never overrun (no backoff sleep crosses it).
// Errors are atpc::error with fault sts / network / tls / timeout / config;
// what() is one line naming the host, the step and what to check, never a
// secret.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <string_view>

#include "sts/form.hpp"
#include "sts/options.hpp"
#include "sts/outgoing.hpp"
#include "sts/reply.hpp"

namespace atpc::sts {

// Reads a 2xx reply body (see the second call() below).
using reply_reader = std::function<void(std::string_view body, std::string_view content_type)>;

// The connection for a call's first attempt, opened ahead of it: resolving,
// connecting, the proxy CONNECT and the TLS handshake need nothing from the
// signer, so the credential fetch runs them while the TPM computes kDate.
class early_connection {
public:
    early_connection() noexcept;  // none: the call opens its own
    // Builds the TLS context now, so a bad CA bundle is reported as the
    // configuration error it is (atpc::error(fault::config)) before any I/O.
    explicit early_connection(const call_options& options);
    early_connection(early_connection&&) noexcept;
    early_connection& operator=(early_connection&&) noexcept;
    ~early_connection();

    // Opens it under the options' attempt timeout and deadline. Never throws:
    // a failure, or a cancellation, is kept, and the call reports it as its
    // first attempt's (and retries it as such).
    boost::asio::awaitable<void> open();

    struct state;

private:
    std::unique_ptr<state> s_;
    friend boost::asio::awaitable<void> call(call_options, sts_request, signer, reply_reader, early_connection);
};

// Runs on the executor of the calling coroutine (an awaitable needs no
// executor argument). Arguments are taken by value, so the caller's objects
// may go away while the call runs. Typical use:
//   auto opts = resolve_call_options(inputs, ca_bundle_flag, process_environment(), deadline);
//   auto creds = co_await call(opts, build_request(params), signer_from_sigv4);
boost::asio::awaitable<credentials> call(call_options options, sts_request request, signer sign,
                                        early_connection early = {});

// The same call for an action whose reply is not credentials (e.g.
// GetCallerIdentity): a 2xx body is handed to `read`, which throws
// reply_error when it cannot understand it (reported like a bad credentials
// reply). `read` must be a named object (g++ 12, see tpmwire's client).
boost::asio::awaitable<void> call(call_options options, sts_request request, signer sign, reply_reader read,
                                  early_connection early = {});

}  // namespace atpc::sts
